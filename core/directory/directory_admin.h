// Administration of a directory, with every business rule written once: usernames (the one
// rule of core/identity/username_rule.h), password hashing through passwords/, token minting
// and expiry, OAuth scopes. The C API's authp_directory, the deprecated engine-based admin
// functions, the CLI and every binding come through here; backends only store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/apikey/api_key_format.h"
#include "core/apikey/api_key_settings.h"
#include "core/directory/directory.h"
#include "core/passwords/password_hasher.h"

namespace authpolicy::directory {

struct UserRoles {
    bool is_active = true;
    bool is_staff = false;
    bool is_superuser = false;
};

class DirectoryAdmin {
  public:
    // `now` is the host's clock (checked: a non-finite time is a callback error).
    DirectoryAdmin(std::shared_ptr<Directory> directory, unsigned password_iterations, std::function<double()> now);

    Directory& directory() const { return *directory_; }
    const std::shared_ptr<Directory>& handle() const { return directory_; }

    // A new user: the name is normalised (NFKC) and held to the directory's rule; no password
    // gives an unusable one. Returns the id. Error(Exists) for a taken name.
    int64_t add_user(std::string_view username, std::optional<std::string_view> password, UserRoles roles);
    // Each throws Error(NotFound) for an unknown user, Error(Invalid) for a malformed name.
    void set_password(std::string_view username, std::optional<std::string_view> password);
    void set_active(std::string_view username, bool active);
    void set_roles(std::string_view username, bool is_staff, bool is_superuser);
    void delete_user(std::string_view username);
    std::string list_users_json() const { return directory_->list_users_json(); }

    // Returns the new key (40 hex characters, 160 bits from OpenSSL's CSPRNG, as DRF's); only
    // its digest is stored. expires_in: 0 = never, else 1 s to 100 years.
    std::string create_token(std::string_view username, std::string_view name, int64_t expires_in);
    void revoke_token(std::string_view key);  // Error(NotFound) when unknown
    std::string list_tokens_json(std::optional<std::string_view> username) const;

    // An opaque OAuth 2.0 access token; scope is normalised to single spaces (RFC 6749 §3.3).
    std::string create_oauth_token(std::string_view username, std::string_view client_id, std::string_view scope,
                                   int64_t expires_in);
    void revoke_oauth_token(std::string_view token);  // Error(NotFound) when unknown
    std::string list_oauth_tokens_json(std::optional<std::string_view> username) const;

    // An API key (docs/api-keys.md): `ap_live_…` or, with env Test, `ap_test_…`; shown once,
    // stored as its selector and HMAC(pepper, …). Scopes as OAuth's; expires_in as tokens'.
    std::string create_api_key(const apikey::Pepper& pepper, std::string_view username, std::string_view name,
                               std::string_view scopes, int64_t expires_in, apikey::Environment env);
    // By the whole key or its selector. Error(Invalid) for neither, Error(NotFound) when unknown
    // or already revoked.
    void revoke_api_key(std::string_view selector_or_key);
    std::string list_api_keys_json(std::optional<std::string_view> username) const;

    // Ends every session of a user; returns how many there were.
    int64_t logout_user(std::string_view username);
    int64_t purge_expired_sessions();

  private:
    int64_t now() const;
    std::shared_ptr<Directory> directory_;
    passwords::PasswordHashers hashers_;
    std::function<double()> now_;
};

// The name of an existing user as given to an admin call: 1 to 150 bytes of UTF-8 without
// whitespace, control characters or ':' (no normalisation, as Django's get_by_natural_key).
std::string_view checked_existing_username(std::string_view username);

}  // namespace authpolicy::directory
