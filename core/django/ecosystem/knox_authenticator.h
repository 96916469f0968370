// knox.auth.TokenAuthentication (django-rest-knox 5.0): "Authorization: <AUTH_HEADER_PREFIX>
// <token>" (the prefix compared case-insensitively), rows of knox_authtoken whose token_key is
// the token's first 15 characters, each unexpired row's digest compared in constant time with
// the SHA-512 hex digest of the token's UTF-8 bytes, then the user checked active. Knox deletes
// expired rows as it meets them; the engine never writes and skips them. The challenge is the
// bare prefix ("Token", no realm), as knox's authenticate_header returns it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/authn/authenticator.h"
#include "core/cache/credential_cache.h"
#include "core/django/ecosystem/ecosystem_settings.h"
#include "core/engine/services.h"

namespace authpolicy::django::ecosystem {

class KnoxAuthenticator final : public authn::Authenticator {
  public:
    KnoxAuthenticator(std::shared_ptr<const Services> services, KnoxSettings settings);
    std::string_view name() const override { return "knox.auth.TokenAuthentication"; }
    authn::AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return settings_.auth_header_prefix; }

    static constexpr size_t kTokenKeyLength = 15;  // knox CONSTANTS.TOKEN_KEY_LENGTH

  private:
    struct Entry {
        UserPtr user;
        AuthValue auth;
        std::optional<double> expiry;
        uint64_t directory_generation = 0;
    };
    std::shared_ptr<const Services> services_;
    KnoxSettings settings_;
    mutable cache::CredentialCache<Entry> cache_;
};

// The first `n` code points of UTF-8 text (Python's str slicing).
std::string_view utf8_prefix(std::string_view text, size_t n);

}  // namespace authpolicy::django::ecosystem
