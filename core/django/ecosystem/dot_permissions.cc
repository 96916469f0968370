#include "core/django/ecosystem/dot_permissions.h"

#include <nlohmann/json.hpp>

#include "core/authn/scoped_auth.h"
#include "core/django/ecosystem/dot_authenticator.h"
#include "core/django/ecosystem/ecosystem_settings.h"
#include "core/engine/services.h"

namespace authpolicy::django::ecosystem {
namespace {

enum class Kind { HasScope, ReadWrite, IsAuthenticatedOrHasScope };

const DotSettings& settings_of(authz::PermissionContext& ctx) {
    static const DotSettings defaults;
    const Services* s = ctx.services();
    return s != nullptr && s->ecosystem() != nullptr ? s->ecosystem()->dot : defaults;
}

class DotPermission final : public authz::Permission {
  public:
    DotPermission(Kind kind, std::optional<std::string> message, std::optional<std::string> code)
        : kind_(kind), message_(std::move(message)), code_(std::move(code)) {}

    bool has_permission(authz::PermissionContext& ctx) const override {
        if (kind_ == Kind::IsAuthenticatedOrHasScope) {
            const User* u = ctx.user();
            const bool authenticated = u != nullptr && u->is_authenticated;
            if (authenticated && ctx.successful_authenticator() != kDotAuthentication) return true;
        }
        std::vector<std::string> required;
        return token_has_scope(ctx, required);
    }
    std::optional<std::string> denial_body(authz::PermissionContext& ctx) const override {
        // TokenHasScope sets self.message; IsAuthenticatedOrTokenHasScope's inner instance does
        // not reach DRF, so it answers the default detail.
        if (kind_ == Kind::IsAuthenticatedOrHasScope || message_ || !settings_of(ctx).error_response_with_scopes)
            return std::nullopt;
        std::vector<std::string> required;
        const AuthValue auth = ctx.auth();
        if (!is_dot_auth(auth)) return std::nullopt;
        if (!scopes_for(ctx, required) || required.empty() || authn::auth_has_scopes(auth, required))
            return std::nullopt;
        nlohmann::ordered_json body{{"detail", "You do not have permission to perform this action."},
                                    {"required_scopes", required}};
        return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    bool needs_required_scopes() const override { return kind_ != Kind::ReadWrite; }
    const std::optional<std::string>& message() const override { return message_; }
    const std::optional<std::string>& code() const override { return code_; }

  private:
    // get_scopes: the view's required_scopes (TokenHasReadWriteScope: plus READ_SCOPE or
    // WRITE_SCOPE). false where DOT raises ImproperlyConfigured (no required_scopes): refuse.
    bool scopes_for(authz::PermissionContext& ctx, std::vector<std::string>& out) const {
        out = ctx.required_scopes();
        if (kind_ == Kind::ReadWrite) {
            const DotSettings& s = settings_of(ctx);
            out.push_back(authz::is_safe_method(ctx.method()) ? s.read_scope : s.write_scope);
            return true;
        }
        return !out.empty();
    }
    bool token_has_scope(authz::PermissionContext& ctx, std::vector<std::string>& required) const {
        const AuthValue auth = ctx.auth();
        if (!auth) return false;  // "if not token"
        // DOT asserts the token came from OAuth2Authentication (AssertionError, a 500); refuse.
        if (!is_dot_auth(auth)) return false;
        if (!scopes_for(ctx, required)) return false;
        return authn::auth_has_scopes(auth, required);  // is_valid: allow_scopes (expiry was checked)
    }

    Kind kind_;
    std::optional<std::string> message_;
    std::optional<std::string> code_;
};

}  // namespace

authz::PermissionPtr make_dot_permission(std::string_view name, std::optional<std::string> message,
                                         std::optional<std::string> code) {
    for (std::string_view prefix :
         {"oauth2_provider.contrib.rest_framework.permissions.", "oauth2_provider.contrib.rest_framework."}) {
        if (name.substr(0, prefix.size()) != prefix) continue;
        const std::string_view cls = name.substr(prefix.size());
        if (cls == "TokenHasScope") return std::make_shared<DotPermission>(Kind::HasScope, message, code);
        if (cls == "TokenHasReadWriteScope") return std::make_shared<DotPermission>(Kind::ReadWrite, message, code);
        if (cls == "IsAuthenticatedOrTokenHasScope")
            return std::make_shared<DotPermission>(Kind::IsAuthenticatedOrHasScope, message, code);
        return nullptr;
    }
    return nullptr;
}

}  // namespace authpolicy::django::ecosystem
