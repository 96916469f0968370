// Where the Django packages' dotted class names meet the engine: authentication classes built
// with the engine's services (once each, shared by every view that names them) and permission
// classes for the configuration parser.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/authn/authenticator.h"
#include "core/authz/permission.h"
#include "core/django/ecosystem/ecosystem_settings.h"
#include "core/engine/services.h"

namespace authpolicy::django::ecosystem {

class Registry {
  public:
    // Validates the settings blocks now (a wrong key fails the build even if no view uses it).
    Registry(std::shared_ptr<Services> services, std::shared_ptr<const EcosystemSettings> settings);
    // nullptr unless `class_name` is one of the packages' authentication classes. Throws
    // Error(Config) for options (these classes take their settings from the blocks) or a
    // missing table.
    std::shared_ptr<const authn::Authenticator> authenticator(const std::string& class_name,
                                                              const nlohmann::json& options,
                                                              const std::string& where) const;

  private:
    std::shared_ptr<Services> services_;
    std::shared_ptr<const EcosystemSettings> settings_;
    mutable std::map<std::string, std::shared_ptr<const authn::Authenticator>, std::less<>> built_;  // build time only
};

// nullptr unless `name` is one of the packages' permission classes.
authz::PermissionPtr make_permission(std::string_view name, std::optional<std::string> message,
                                     std::optional<std::string> code);

}  // namespace authpolicy::django::ecosystem
