// DRF's permission classes and their composition (&, |, ~), with DRF's short-circuiting.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/user.h"

namespace authpolicy {
class Services;
namespace http {
class Request;
}
}  // namespace authpolicy

namespace authpolicy::authz {

// What a permission may look at. Reading the user may run authentication (lazily).
class PermissionContext {
  public:
    virtual ~PermissionContext() = default;
    virtual const User* user() = 0;  // nullptr when UNAUTHENTICATED_USER is null
    virtual std::string_view method() const = 0;
    // The request's auth (authenticating if needed); nullptr when none.
    virtual AuthValue auth() { return nullptr; }
    // The view's required_scopes (DOT's view attribute), for the scope permissions.
    virtual const std::vector<std::string>& required_scopes() const;
    // The request and the engine's services, for permissions that read credentials themselves
    // (drf-api-key's HasAPIKey); nullptr outside an engine.
    virtual const http::Request* request() const { return nullptr; }
    virtual const Services* services() const { return nullptr; }
    // DRF's request.successful_authenticator: the class name, "" when none (authenticates).
    virtual std::string_view successful_authenticator() { return {}; }
    // The realm for a scope challenge: the authenticating class's, "api" by default.
    virtual std::string bearer_realm() const { return "api"; }
};

class Permission {
  public:
    virtual ~Permission() = default;
    virtual bool has_permission(PermissionContext& ctx) const = 0;
    // A permission's own message and code (DRF's `message`, `code`); composed ones have none.
    virtual const std::optional<std::string>& message() const;
    virtual const std::optional<std::string>& code() const;
    // A WWW-Authenticate value for this permission's denial of an authenticated request
    // (RFC 6750 insufficient_scope); none for DRF's classes.
    virtual std::optional<std::string> denial_challenge(PermissionContext&) const { return std::nullopt; }
    // The whole JSON body of this permission's denial when richer than {"detail": message}
    // (DOT's {"detail", "required_scopes"}); none for DRF's classes and compositions.
    virtual std::optional<std::string> denial_body(PermissionContext&) const { return std::nullopt; }
    // True when the permission needs the view's required_scopes (TokenHasScope).
    virtual bool needs_required_scopes() const { return false; }
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
