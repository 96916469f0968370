// oauth2_provider.contrib.rest_framework.OAuth2Authentication (django-oauth-toolkit 1.7): the
// token from "Authorization: Bearer <token>" (the scheme compared case-insensitively, as
// oauthlib does) or, without an Authorization header, the "access_token" form field; looked up
// in oauth2_provider_accesstoken. DOT never raises: an unknown or expired token leaves the
// request anonymous and only shapes the challenge (error="invalid_token", error_description).
// Application-only tokens (no user) authenticate with a null user; the user's is_active is not
// consulted (DOT does not). Found tokens are cached by digest; expiry is checked on every hit.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/authn/authenticator.h"
#include "core/cache/credential_cache.h"
#include "core/engine/services.h"

namespace authpolicy::django::ecosystem {

inline constexpr std::string_view kDotAuthentication = "oauth2_provider.contrib.rest_framework.OAuth2Authentication";

class DotAuthenticator final : public authn::Authenticator {
  public:
    explicit DotAuthenticator(std::shared_ptr<const Services> services);
    std::string_view name() const override { return kDotAuthentication; }
    authn::AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return "Bearer realm=\"api\""; }

  private:
    struct Entry {
        UserPtr user;  // null for application-only tokens
        AuthValue auth;
        std::optional<double> expires;  // none: expired (DOT: "if not self.expires")
        uint64_t directory_generation = 0;
    };
    std::shared_ptr<const Services> services_;
    mutable cache::CredentialCache<Entry> cache_;
};

// Whether an `auth` value is a DOT access token (request.auth has "scope").
bool is_dot_auth(const AuthValue& auth);

}  // namespace authpolicy::django::ecosystem
