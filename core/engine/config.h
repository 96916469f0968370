// The JSON policy, parsed and validated into plain settings. Keys mirror DRF's settings;
// an unknown key, class or a wrong type is an Error(Config) naming the place ("$.VIEWS.a.x").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/authz/permission.h"
#include "core/engine/services.h"

namespace authpolicy {

struct AuthenticatorSpec {
    std::string class_name;  // canonical: "BasicAuthentication", … or a custom name
    nlohmann::json options;  // the object form's other keys, validated per class at build time
    std::string where;       // "$.DEFAULT_AUTHENTICATION_CLASSES[0]"
};

struct ViewSpec {
    std::optional<std::vector<AuthenticatorSpec>> authentication_classes;
    std::optional<std::vector<authz::PermissionPtr>> permission_classes;
    std::optional<bool> perform_authentication;
};

struct EngineConfig {
    std::string database = ":memory:";
    int database_busy_timeout_ms = 5000;
    std::vector<AuthenticatorSpec> default_authentication = {
        {"BasicAuthentication", nlohmann::json::object(), "default"}};
    std::vector<authz::PermissionPtr> default_permissions = {authz::make_builtin("AllowAny")};
    bool perform_authentication = true;
    bool unauthenticated_user_is_null = false;
    std::optional<std::string> unauthenticated_token;  // JSON text; nullopt = null
    unsigned password_iterations = passwords::kDefaultIterations;
    CacheSettings cache;
    std::map<std::string, ViewSpec, std::less<>> views;
};

// base_dir resolves a relative DATABASE path ("" = the current directory).
EngineConfig parse_config(const nlohmann::json& root, const std::string& base_dir);
EngineConfig parse_config_text(std::string_view json_text, const std::string& base_dir);

// DRF dotted names are accepted as aliases of the short ones.
std::string canonical_class_name(std::string_view name);

}  // namespace authpolicy
