// The settings blocks of the Django packages the engine reproduces, as top-level configuration
// keys named as the packages name them: "OAUTH2_PROVIDER" (django-oauth-toolkit), "REST_KNOX"
// (django-rest-knox), "API_KEY_CUSTOM_HEADER" (djangorestframework-api-key). "SIMPLE_JWT" is
// parsed by simplejwt_authenticator.h. Only what a resource server needs is modelled; settings
// that only concern issuing tokens are accepted and ignored, unsupported ones are refused.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace authpolicy::django::ecosystem {

struct DotSettings {
    std::string read_scope = "read";
    std::string write_scope = "write";
    bool error_response_with_scopes = false;
};

struct KnoxSettings {
    std::string auth_header_prefix = "Token";
};

struct EcosystemSettings {
    std::optional<nlohmann::json> simple_jwt;      // as written; see parse_simplejwt_settings
    std::optional<std::string> django_secret_key;  // SIMPLE_JWT's default SIGNING_KEY
    DotSettings dot;
    KnoxSettings knox;
    std::optional<std::string> api_key_header;  // API_KEY_CUSTOM_HEADER as a lowercase header name
};

// Each throws Error(Config) naming the key ("$.OAUTH2_PROVIDER.READ_SCOPE").
DotSettings parse_dot_settings(const nlohmann::json& block);
KnoxSettings parse_knox_settings(const nlohmann::json& block);
// "HTTP_X_API_KEY" → "x-api-key"; null → nullopt.
std::optional<std::string> parse_api_key_header(const nlohmann::json& value);

}  // namespace authpolicy::django::ecosystem
