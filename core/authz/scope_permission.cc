#include "core/authz/scope_permission.h"

#include "core/authn/scoped_auth.h"

namespace authpolicy::authz {
namespace {

class ScopePermission final : public Permission {
  public:
    ScopePermission(bool read_write, std::optional<std::string> message, std::optional<std::string> code)
        : read_write_(read_write), message_(std::move(message)), code_(std::move(code)) {}

    bool has_permission(PermissionContext& ctx) const override {
        const User* u = ctx.user();
        if (u == nullptr || !u->is_authenticated) return false;
        if (!read_write_ && ctx.required_scopes().empty()) return false;  // misconfigured: fail closed
        const AuthValue auth = ctx.auth();
        if (!authn::auth_has_scopes(auth, ctx.required_scopes())) return false;
        if (!read_write_) return true;
        const std::vector<std::string> one{is_safe_method(ctx.method()) ? "read" : "write"};
        return authn::auth_has_scopes(auth, one);
    }
    std::optional<std::string> denial_challenge(PermissionContext& ctx) const override {
        std::string scopes;
        for (const auto& s : required(ctx)) scopes += (scopes.empty() ? "" : " ") + s;
        // RFC 6750 §3: the realm of the request's bearer authenticator, not a fixed "api".
        return "Bearer realm=\"" + ctx.bearer_realm() + "\", error=\"insufficient_scope\", scope=\"" + scopes + "\"";
    }
    bool needs_required_scopes() const override { return !read_write_; }
    const std::optional<std::string>& message() const override { return message_; }
    const std::optional<std::string>& code() const override { return code_; }

  private:
    std::vector<std::string> required(PermissionContext& ctx) const {
        std::vector<std::string> r = ctx.required_scopes();
        if (read_write_) r.emplace_back(is_safe_method(ctx.method()) ? "read" : "write");
        return r;
    }

    bool read_write_;
    std::optional<std::string> message_;
    std::optional<std::string> code_;
};

}  // namespace

PermissionPtr make_scope_permission(std::string_view name, std::optional<std::string> message,
                                    std::optional<std::string> code) {
    if (name == "TokenHasScope") return std::make_shared<ScopePermission>(false, std::move(message), std::move(code));
    if (name == "TokenHasReadWriteScope")
        return std::make_shared<ScopePermission>(true, std::move(message), std::move(code));
    return nullptr;
}

}  // namespace authpolicy::authz
