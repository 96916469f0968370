// DRF's SessionAuthentication (drf-spec §1.5): the user of the session named by the session
// cookie — from the Django database (DJANGO) or the embedded store (authp_session) — then
// Django's CSRF check for unsafe methods. Never challenges (403 when first); an anonymous or
// inactive session user is "not mine", with no CSRF check.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/authn/authenticator.h"
#include "core/engine/services.h"

namespace authpolicy::authn {

class SessionAuthenticator final : public Authenticator {
  public:
    explicit SessionAuthenticator(std::shared_ptr<const Services> services) : services_(std::move(services)) {}
    std::string_view name() const override { return "SessionAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return std::nullopt; }

  private:
    std::shared_ptr<const Services> services_;
};

// The engine's factory; SessionAuthentication takes no options (settings live in "SESSIONS").
std::shared_ptr<const Authenticator> make_session_authenticator(std::shared_ptr<const Services> services,
                                                                const nlohmann::json& options,
                                                                const std::string& where);

// The active, verified user of a session key, or nullptr (unknown, expired, tampered, logged
// out by a password change, inactive). Cached for CACHE.TTL at most.
UserPtr resolve_session(const Services& services, std::string_view key);

// Django's AbstractBaseUser.get_session_auth_hash (64 hex) for a password hash.
std::string django_session_auth_hash(std::string_view password_hash, std::string_view secret, bool sha1 = false);

struct SessionLogin {
    std::string key;             // the new session key (32 of [a-z0-9])
    std::string csrf_token;      // the csrftoken cookie's value
    std::string session_cookie;  // full Set-Cookie values
    std::string csrf_cookie;
};

// Logs `username` in to the embedded store: a new key (the previous one, if given, is deleted:
// no session fixation), a new CSRF secret. Throws Error(NotFound) for an unknown user,
// Error(Invalid) for an inactive one or when sessions are Django's (read-only).
SessionLogin session_login(const Services& services, std::string_view username,
                           std::optional<std::string_view> previous_key);
// Deletes a session of the embedded store; false when there was none.
bool session_logout(const Services& services, std::string_view key);

}  // namespace authpolicy::authn
