#include "core/django/ecosystem/registry.h"

#include "core/common/error.h"
#include "core/django/ecosystem/api_key_permission.h"
#include "core/django/ecosystem/dot_authenticator.h"
#include "core/django/ecosystem/dot_permissions.h"
#include "core/django/ecosystem/knox_authenticator.h"
#include "core/django/ecosystem/simplejwt_authenticator.h"

namespace authpolicy::django::ecosystem {
namespace {

constexpr std::string_view kSimpleJwt = "rest_framework_simplejwt.authentication.JWTAuthentication";
constexpr std::string_view kKnox = "knox.auth.TokenAuthentication";
constexpr std::string_view kDotShort = "oauth2_provider.contrib.rest_framework.authentication.OAuth2Authentication";

}  // namespace

Registry::Registry(std::shared_ptr<Services> services, std::shared_ptr<const EcosystemSettings> settings)
    : services_(std::move(services)), settings_(std::move(settings)) {
    if (settings_->simple_jwt) {
        built_.emplace(std::string(kSimpleJwt),
                       std::make_shared<SimpleJwtAuthenticator>(
                           services_, parse_simplejwt_settings(&*settings_->simple_jwt, settings_->django_secret_key)));
    }
}

std::shared_ptr<const authn::Authenticator> Registry::authenticator(const std::string& class_name,
                                                                    const nlohmann::json& options,
                                                                    const std::string& where) const {
    const std::string_view name = class_name == kDotShort ? kDotAuthentication : std::string_view(class_name);
    if (name != kSimpleJwt && name != kKnox && name != kDotAuthentication) return nullptr;
    if (!options.empty())
        config_fail(where, std::string(name) + " takes no options here (its settings are the package's block)");
    if (auto it = built_.find(name); it != built_.end()) return it->second;
    std::shared_ptr<const authn::Authenticator> built;
    if (name == kSimpleJwt) {
        built = std::make_shared<SimpleJwtAuthenticator>(
            services_, parse_simplejwt_settings(nullptr, settings_->django_secret_key));
    } else {
        if (services_->django() == nullptr) config_fail(where, std::string(name) + " reads the DJANGO database");
        if (name == kKnox) {
            services_->django()->require_table("knox_authtoken");
            built = std::make_shared<KnoxAuthenticator>(services_, settings_->knox);
        } else {
            services_->django()->require_table("oauth2_provider_accesstoken");
            built = std::make_shared<DotAuthenticator>(services_);
        }
    }
    built_.emplace(std::string(name), built);
    return built;
}

authz::PermissionPtr make_permission(std::string_view name, std::optional<std::string> message,
                                     std::optional<std::string> code) {
    if (auto p = make_dot_permission(name, message, code)) return p;
    return make_api_key_permission(name, std::move(message), std::move(code));
}

}  // namespace authpolicy::django::ecosystem
