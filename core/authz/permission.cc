#include "core/authz/permission.h"

#include <functional>

#include "core/authz/scope_permission.h"
#include "core/django/ecosystem/registry.h"

namespace authpolicy::authz {
namespace {

const std::optional<std::string> kNone;

class BuiltinPermission final : public Permission {
  public:
    using Check = std::function<bool(PermissionContext&)>;
    BuiltinPermission(Check check, std::optional<std::string> message, std::optional<std::string> code)
        : check_(std::move(check)), message_(std::move(message)), code_(std::move(code)) {}
    bool has_permission(PermissionContext& ctx) const override { return check_(ctx); }
    const std::optional<std::string>& message() const override { return message_; }
    const std::optional<std::string>& code() const override { return code_; }

  private:
    Check check_;
    std::optional<std::string> message_;
    std::optional<std::string> code_;
};

class AndPermission final : public Permission {
  public:
    AndPermission(PermissionPtr a, PermissionPtr b) : a_(std::move(a)), b_(std::move(b)) {}
    bool has_permission(PermissionContext& ctx) const override {
        return a_->has_permission(ctx) && b_->has_permission(ctx);
    }
    // The challenge of the operand that refused.
    std::optional<std::string> denial_challenge(PermissionContext& ctx) const override {
        return a_->has_permission(ctx) ? b_->denial_challenge(ctx) : a_->denial_challenge(ctx);
    }
    bool needs_required_scopes() const override { return a_->needs_required_scopes() || b_->needs_required_scopes(); }

  private:
    PermissionPtr a_, b_;
};

class OrPermission final : public Permission {
  public:
    OrPermission(PermissionPtr a, PermissionPtr b) : a_(std::move(a)), b_(std::move(b)) {}
    bool has_permission(PermissionContext& ctx) const override {
        return a_->has_permission(ctx) || b_->has_permission(ctx);
    }
    bool needs_required_scopes() const override { return a_->needs_required_scopes() || b_->needs_required_scopes(); }

  private:
    PermissionPtr a_, b_;
};

class NotPermission final : public Permission {
  public:
    explicit NotPermission(PermissionPtr a) : a_(std::move(a)) {}
    bool has_permission(PermissionContext& ctx) const override { return !a_->has_permission(ctx); }
    bool needs_required_scopes() const override { return a_->needs_required_scopes(); }

  private:
    PermissionPtr a_;
};

bool authenticated(PermissionContext& ctx) {
    const User* u = ctx.user();
    return u != nullptr && u->is_authenticated;
}

}  // namespace

const std::vector<std::string>& PermissionContext::required_scopes() const {
    static const std::vector<std::string> none;
    return none;
}

const std::optional<std::string>& Permission::message() const {
    return kNone;
}
const std::optional<std::string>& Permission::code() const {
    return kNone;
}

bool is_safe_method(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

PermissionPtr make_builtin(std::string_view name, std::optional<std::string> message, std::optional<std::string> code) {
    BuiltinPermission::Check check;
    if (name == "AllowAny") {
        check = [](PermissionContext&) { return true; };  // never reads the user
    } else if (name == "IsAuthenticated") {
        check = authenticated;
    } else if (name == "IsAdminUser") {
        check = [](PermissionContext& ctx) {  // staff, not superuser; no active check (as DRF)
            const User* u = ctx.user();
            return u != nullptr && u->is_staff;
        };
    } else if (name == "IsAuthenticatedOrReadOnly") {
        check = [](PermissionContext& ctx) { return is_safe_method(ctx.method()) || authenticated(ctx); };
    } else if (auto p = django::ecosystem::make_permission(name, message, code)) {
        return p;
    } else {
        return make_scope_permission(name, std::move(message), std::move(code));
    }
    return std::make_shared<BuiltinPermission>(std::move(check), std::move(message), std::move(code));
}

PermissionPtr make_and(PermissionPtr a, PermissionPtr b) {
    return std::make_shared<AndPermission>(std::move(a), std::move(b));
}
PermissionPtr make_or(PermissionPtr a, PermissionPtr b) {
    return std::make_shared<OrPermission>(std::move(a), std::move(b));
}
PermissionPtr make_not(PermissionPtr a) {
    return std::make_shared<NotPermission>(std::move(a));
}

}  // namespace authpolicy::authz
