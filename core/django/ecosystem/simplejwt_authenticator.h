// rest_framework_simplejwt.authentication.JWTAuthentication (djangorestframework-simplejwt 5.2)
// over the Django database: the "SIMPLE_JWT" settings, the configured header and its
// case-sensitive types, PyJWT's decode (pyjwt_decode.h), each AUTH_TOKEN_CLASSES' verify()
// (exp, jti, token type) with its messages, then the user by USER_ID_FIELD, checked active.
// Failures answer simplejwt's bodies: {"detail", "code"} and {"detail", "code", "messages"}.
// Successful tokens are cached by digest and re-checked in time on every hit.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/authn/authenticator.h"
#include "core/cache/credential_cache.h"
#include "core/django/ecosystem/pyjwt_decode.h"
#include "core/engine/services.h"

namespace authpolicy::django::ecosystem {

struct SimpleJwtTokenClass {
    std::string name;        // "AccessToken"
    std::string token_type;  // "access"
    bool check_type = true;  // UntypedToken does not
};

struct SimpleJwtSettings {
    PyJwtOptions jwt;
    std::vector<std::string> header_types{"Bearer"};
    std::string header = "authorization";  // AUTH_HEADER_NAME without HTTP_, lowercase, '-'
    bool user_by_id = true;                // USER_ID_FIELD "id" (else "username")
    std::string user_id_claim = "user_id";
    std::optional<std::string> token_type_claim = "token_type";
    std::optional<std::string> jti_claim = "jti";
    std::vector<SimpleJwtTokenClass> token_classes{{"AccessToken", "access", true}};
};

// Parses "SIMPLE_JWT" (null: the defaults). `secret_key` is DJANGO's SECRET_KEY, the default
// SIGNING_KEY. Throws Error(Config) naming the key ("$.SIMPLE_JWT.ALGORITHM").
SimpleJwtSettings parse_simplejwt_settings(const nlohmann::json* block, const std::optional<std::string>& secret_key);

class SimpleJwtAuthenticator final : public authn::Authenticator {
  public:
    SimpleJwtAuthenticator(std::shared_ptr<const Services> services, SimpleJwtSettings settings);
    std::string_view name() const override { return "rest_framework_simplejwt.authentication.JWTAuthentication"; }
    authn::AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return challenge_; }

  private:
    struct Entry {
        UserPtr user;
        AuthValue auth;
        double lo = 0, hi = 0;  // whole seconds the PyJWT time checks pass
        double exp = 0;         // simplejwt's own check_exp: now < exp + leeway
        uint64_t directory_generation = 0;
    };
    authn::AuthOutcome verify(std::string_view token, double now, Entry& entry) const;
    authn::AuthOutcome user_of(const nlohmann::json& payload, UserPtr& user) const;

    std::shared_ptr<const Services> services_;
    SimpleJwtSettings settings_;
    std::string challenge_;
    mutable cache::CredentialCache<Entry> cache_;
};

}  // namespace authpolicy::django::ecosystem
