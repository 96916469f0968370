// django-oauth-toolkit's DRF permissions by their dotted names (1.7): TokenHasScope,
// TokenHasReadWriteScope (READ_SCOPE / WRITE_SCOPE by method) and IsAuthenticatedOrTokenHasScope,
// over the request's DOT access token. Unlike the engine's short TokenHasScope they send no
// challenge with their 403; with ERROR_RESPONSE_WITH_SCOPES the first two answer
// {"detail": …, "required_scopes": [...]}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/authz/permission.h"

namespace authpolicy::django::ecosystem {

// nullptr unless `name` is one of DOT's permission classes (with or without ".permissions").
authz::PermissionPtr make_dot_permission(std::string_view name, std::optional<std::string> message,
                                         std::optional<std::string> code);

}  // namespace authpolicy::django::ecosystem
