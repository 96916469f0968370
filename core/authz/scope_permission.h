// OAuth 2.0 scope permissions (django-oauth-toolkit's TokenHasScope and TokenHasReadWriteScope):
// the request's auth must carry the view's required_scopes (and "read" for safe methods,
// "write" otherwise, for TokenHasReadWriteScope). A refusal of an authenticated request carries
// WWW-Authenticate: Bearer realm="api", error="insufficient_scope", scope="…" (RFC 6750 §3.1).
#pragma once

#include "core/authz/permission.h"

namespace authpolicy::authz {

// nullptr unless name is TokenHasScope or TokenHasReadWriteScope.
PermissionPtr make_scope_permission(std::string_view name, std::optional<std::string> message,
                                    std::optional<std::string> code);

}  // namespace authpolicy::authz
