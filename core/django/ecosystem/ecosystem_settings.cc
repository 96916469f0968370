#include "core/django/ecosystem/ecosystem_settings.h"

#include <cctype>

#include "core/common/error.h"

namespace authpolicy::django::ecosystem {
namespace {

using json = nlohmann::json;

std::string scope_of(const json& v, const std::string& at) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) config_fail(at, "expected a scope name");
    for (unsigned char c : v.get_ref<const std::string&>()) {
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') config_fail(at, "a scope is one word of visible ASCII");
    }
    return v.get<std::string>();
}

bool in(const std::string& key, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        if (key == n) return true;
    }
    return false;
}

}  // namespace

DotSettings parse_dot_settings(const json& block) {
    const std::string where = "$.OAUTH2_PROVIDER";
    if (!block.is_object()) config_fail(where, "expected an object (the project's OAUTH2_PROVIDER)");
    DotSettings s;
    for (const auto& [key, value] : block.items()) {
        const std::string at = where + "." + key;
        if (key == "READ_SCOPE") {
            s.read_scope = scope_of(value, at);
        } else if (key == "WRITE_SCOPE") {
            s.write_scope = scope_of(value, at);
        } else if (key == "ERROR_RESPONSE_WITH_SCOPES") {
            if (!value.is_boolean()) config_fail(at, "expected true or false");
            s.error_response_with_scopes = value.get<bool>();
        } else if (in(key, {"RESOURCE_SERVER_INTROSPECTION_URL", "RESOURCE_SERVER_AUTH_TOKEN",
                            "RESOURCE_SERVER_INTROSPECTION_CREDENTIALS"})) {
            if (!value.is_null())
                config_fail(at,
                            "token introspection by DOT is not supported (OAuth2Authentication's "
                            "\"source\": \"introspection\" is the engine's own)");
        } else if (in(key, {"OAUTH2_VALIDATOR_CLASS", "OAUTH2_SERVER_CLASS", "OAUTH2_BACKEND_CLASS",
                            "SCOPES_BACKEND_CLASS", "ACCESS_TOKEN_GENERATOR", "REFRESH_TOKEN_GENERATOR"})) {
            if (!value.is_null()) config_fail(at, "custom DOT classes are not supported");
        } else if (in(key, {"CLIENT_ID_GENERATOR_CLASS",
                            "CLIENT_SECRET_GENERATOR_CLASS",
                            "CLIENT_SECRET_GENERATOR_LENGTH",
                            "SCOPES",
                            "DEFAULT_SCOPES",
                            "ACCESS_TOKEN_EXPIRE_SECONDS",
                            "ID_TOKEN_EXPIRE_SECONDS",
                            "AUTHORIZATION_CODE_EXPIRE_SECONDS",
                            "REFRESH_TOKEN_EXPIRE_SECONDS",
                            "REFRESH_TOKEN_GRACE_PERIOD_SECONDS",
                            "ROTATE_REFRESH_TOKEN",
                            "APPLICATION_MODEL",
                            "ACCESS_TOKEN_MODEL",
                            "ID_TOKEN_MODEL",
                            "GRANT_MODEL",
                            "REFRESH_TOKEN_MODEL",
                            "REQUEST_APPROVAL_PROMPT",
                            "ALLOWED_REDIRECT_URI_SCHEMES",
                            "OIDC_ENABLED",
                            "OIDC_ISS_ENDPOINT",
                            "OIDC_USERINFO_ENDPOINT",
                            "OIDC_RSA_PRIVATE_KEY",
                            "OIDC_RSA_PRIVATE_KEYS_INACTIVE",
                            "OIDC_JWKS_MAX_AGE_SECONDS",
                            "OIDC_RESPONSE_TYPES_SUPPORTED",
                            "OIDC_SUBJECT_TYPES_SUPPORTED",
                            "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED",
                            "RESOURCE_SERVER_TOKEN_CACHING_SECONDS",
                            "PKCE_REQUIRED",
                            "EXTRA_SERVER_KWARGS",
                            "REQUEST_APPROVAL_PROMPT",
                            "APPLICATION_ADMIN_CLASS",
                            "ACCESS_TOKEN_ADMIN_CLASS",
                            "GRANT_ADMIN_CLASS",
                            "ID_TOKEN_ADMIN_CLASS",
                            "REFRESH_TOKEN_ADMIN_CLASS",
                            "CLEAR_EXPIRED_TOKENS_BATCH_SIZE",
                            "CLEAR_EXPIRED_TOKENS_BATCH_INTERVAL",
                            "ALWAYS_RELOAD_OAUTHLIB_CORE"})) {
            // The authorization server's settings: they do not change how a token is checked.
        } else {
            config_fail(at, "unknown OAUTH2_PROVIDER setting");
        }
    }
    return s;
}

KnoxSettings parse_knox_settings(const json& block) {
    const std::string where = "$.REST_KNOX";
    if (!block.is_object()) config_fail(where, "expected an object (the project's REST_KNOX)");
    KnoxSettings s;
    for (const auto& [key, value] : block.items()) {
        const std::string at = where + "." + key;
        if (key == "AUTH_HEADER_PREFIX") {
            if (!value.is_string() || value.get_ref<const std::string&>().empty()) config_fail(at, "expected a word");
            for (unsigned char c : value.get_ref<const std::string&>()) {
                if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') config_fail(at, "expected one word of ASCII");
            }
            s.auth_header_prefix = value.get<std::string>();
        } else if (key == "SECURE_HASH_ALGORITHM") {
            if (!value.is_string() ||
                (value.get_ref<const std::string&>() != "hashlib.sha512" &&
                 value.get_ref<const std::string&>() != "cryptography.hazmat.primitives.hashes.SHA512"))
                config_fail(at, "only SHA-512 (knox's default) is supported");
        } else if (key == "AUTO_REFRESH") {
            if (!value.is_boolean() || value.get<bool>())
                config_fail(at, "AUTO_REFRESH writes the database on use; the engine never writes (false only)");
        } else if (in(key, {"AUTH_TOKEN_CHARACTER_LENGTH", "TOKEN_TTL", "USER_SERIALIZER", "TOKEN_LIMIT_PER_USER",
                            "AUTO_REFRESH_MAX_TTL", "MIN_REFRESH_INTERVAL", "EXPIRY_DATETIME_FORMAT", "TOKEN_MODEL",
                            "TOKEN_PREFIX"})) {
            // Issuing settings: a token's key and digest are checked whatever they were.
        } else {
            config_fail(at, "unknown REST_KNOX setting");
        }
    }
    return s;
}

std::optional<std::string> parse_api_key_header(const json& value) {
    const std::string at = "$.API_KEY_CUSTOM_HEADER";
    if (value.is_null()) return std::nullopt;
    if (!value.is_string()) config_fail(at, "expected a request.META name such as \"HTTP_X_API_KEY\", or null");
    const std::string& meta = value.get_ref<const std::string&>();
    if (meta.rfind("HTTP_", 0) != 0 || meta.size() == 5)
        config_fail(at, "expected a request.META name of a header (\"HTTP_…\")");
    std::string h;
    for (char c : meta.substr(5)) h.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(c)));
    return h;
}

}  // namespace authpolicy::django::ecosystem
