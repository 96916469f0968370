// DRF's permission classes and their composition (&, |, ~), with DRF's short-circuiting.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/engine/user.h"

namespace authpolicy::authz {

// What a permission may look at. Reading the user may run authentication (lazily).
class PermissionContext {
  public:
    virtual ~PermissionContext() = default;
    virtual const User* user() = 0;  // nullptr when UNAUTHENTICATED_USER is null
    virtual std::string_view method() const = 0;
};

class Permission {
  public:
    virtual ~Permission() = default;
    virtual bool has_permission(PermissionContext& ctx) const = 0;
    // A permission's own message and code (DRF's `message`, `code`); composed ones have none.
    virtual const std::optional<std::string>& message() const;
    virtual const std::optional<std::string>& code() const;
};

using PermissionPtr = std::shared_ptr<const Permission>;

// DRF's SAFE_METHODS (no TRACE).
bool is_safe_method(std::string_view method);

// Built-in classes by their DRF names; nullptr for an unknown name.
PermissionPtr make_builtin(std::string_view name, std::optional<std::string> message = std::nullopt,
                           std::optional<std::string> code = std::nullopt);
PermissionPtr make_and(PermissionPtr a, PermissionPtr b);
PermissionPtr make_or(PermissionPtr a, PermissionPtr b);
PermissionPtr make_not(PermissionPtr a);

}  // namespace authpolicy::authz
