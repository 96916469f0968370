// The JSON policy, parsed and validated into plain settings. Keys mirror DRF's settings;
// an unknown key, class or a wrong type is an Error(Config) naming the place ("$.VIEWS.a.x").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/apikey/api_key_settings.h"
#include "core/authn/login_failures.h"
#include "core/authn/redis_dpop_replay_store.h"
#include "core/authz/permission.h"
#include "core/engine/services.h"
#include "core/throttle/client_ident.h"
#include "core/throttle/redis_throttle_store.h"
#include "core/throttle/throttle.h"

namespace authpolicy {

struct AuthenticatorSpec {
    std::string class_name;  // canonical: "BasicAuthentication", … or a custom name
    nlohmann::json options;  // the object form's other keys, validated per class at build time
    std::string where;       // "$.DEFAULT_AUTHENTICATION_CLASSES[0]"
    std::string base_dir;    // resolves relative key files (jwks_file)
};

// A throttle class as written: validated and built with the engine (rates may come later).
struct ThrottleSpec {
    std::string class_name;
    nlohmann::json options;
    std::string where;
};

struct ThrottleBackendSettings {
    enum class Type { Memory, Sqlite, Redis, Postgresql };
    Type type = Type::Memory;
    size_t max_keys = 100000;       // memory
    throttle::RedisSettings redis;  // redis
    std::string postgres_url;       // postgresql: its own URL; empty = DATABASE (with DATABASE_OPTIONS)
    bool fail_open = true;          // when the backend cannot answer: allow (true) or 503 (false)
};

// DPOP_REPLAY_BACKEND: where DPoP proof jtis are remembered (RFC 9449 §11.1). No failure mode:
// a proof whose jti cannot be recorded is always refused (503).
struct DpopReplayBackendSettings {
    enum class Type { Memory, Redis, Postgresql };
    Type type = Type::Memory;
    size_t max_keys = 100000;         // memory
    authn::RedisDpopSettings redis;   // redis
    std::string postgres_url;         // postgresql: its own URL; empty = DATABASE (with DATABASE_OPTIONS)
    nlohmann::json postgres_options;  // URL_OPTIONS: DATABASE_OPTIONS' keys for URL; null when absent
    nlohmann::json as_written;        // what the services' identity compares on a reload
};

struct ViewSpec {
    std::optional<std::vector<AuthenticatorSpec>> authentication_classes;
    std::optional<std::vector<authz::PermissionPtr>> permission_classes;
    std::optional<bool> perform_authentication;
    std::optional<std::vector<ThrottleSpec>> throttle_classes;
    std::string throttle_scope;
    std::vector<std::string> required_scopes;  // for TokenHasScope / TokenHasReadWriteScope
    std::string where;                         // "$.VIEWS.<name>"
};

struct EngineConfig {
    std::string database = ":memory:";
    int database_busy_timeout_ms = 5000;
    nlohmann::json database_options;  // DATABASE_OPTIONS (PostgreSQL only); null when absent
    std::vector<AuthenticatorSpec> default_authentication = {
        {"BasicAuthentication", nlohmann::json::object(), "default"}};
    std::vector<authz::PermissionPtr> default_permissions = {authz::make_builtin("AllowAny")};
    bool perform_authentication = true;
    bool unauthenticated_user_is_null = false;
    std::optional<std::string> unauthenticated_token;  // JSON text; nullopt = null
    unsigned password_iterations = passwords::kDefaultIterations;
    CacheSettings cache;
    std::map<std::string, ViewSpec, std::less<>> views;
    std::vector<ThrottleSpec> default_throttles;
    throttle::RateTable throttle_rates = {{"anon", std::nullopt}, {"user", std::nullopt}};  // DRF's default
    throttle::ClientIdentitySettings client_identity;  // NUM_PROXIES, TRUSTED_PROXIES, CLIENT_IDENTITY
    ThrottleBackendSettings throttle_backend;
    // nullopt (the key absent): each DPoP-enabled class keeps its own memory store
    // (dpop_replay_capacity), one process's view only.
    std::optional<DpopReplayBackendSettings> dpop_replay_backend;
    // On by default (beyond DRF); "LOGIN_FAILURES": null turns it off (DRF's behaviour exactly).
    std::optional<authn::LoginFailureSettings> login_failures = authn::LoginFailureSettings{};
    // "DJANGO" and "SESSIONS" as written; validated when the engine is built (core/django/).
    std::optional<nlohmann::json> django;
    std::optional<nlohmann::json> sessions;
    // The Django packages' blocks as written; validated when the engine is built (core/django/ecosystem/).
    std::optional<nlohmann::json> simple_jwt, oauth2_provider, rest_knox, api_key_custom_header;
    // API_KEYS (docs/api-keys.md): where the pepper comes from; APIKeyAuthentication needs it.
    std::optional<apikey::ApiKeySettings> api_keys;
    std::string base_dir;
};

// base_dir resolves a relative DATABASE path ("" = the current directory).
EngineConfig parse_config(const nlohmann::json& root, const std::string& base_dir);
inline constexpr size_t kMaxConfigBytes = 16u << 20;
EngineConfig parse_config_text(std::string_view json_text, const std::string& base_dir);

// DRF dotted names are accepted as aliases of the short ones.
std::string canonical_class_name(std::string_view name);

}  // namespace authpolicy
