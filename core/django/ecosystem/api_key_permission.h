// rest_framework_api_key.permissions.HasAPIKey (djangorestframework-api-key 2.0): a permission,
// not an authenticator; the request's user stays whatever authentication made it. The key comes
// from "Authorization: Api-Key <prefix>.<secret>" (KeyParser: the header split on "Api-Key ",
// which must occur exactly once) or from API_KEY_CUSTOM_HEADER; its prefix selects an unrevoked
// row of rest_framework_api_key_apikey whose hashed_key is checked with Django's hashers
// (PASSWORD_HASHERS), then expiry_date. A verified key is cached like Basic credentials (keyed
// by an HMAC of the key, never the key), with expiry_date re-checked on every hit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/authz/permission.h"

namespace authpolicy::django::ecosystem {

// nullptr unless `name` is "rest_framework_api_key.permissions.HasAPIKey".
authz::PermissionPtr make_api_key_permission(std::string_view name, std::optional<std::string> message,
                                             std::optional<std::string> code);

// KeyParser.get_from_authorization: the key, or nullopt ("Api-Key " absent or repeated).
std::optional<std::string_view> api_key_from_authorization(std::string_view authorization);

}  // namespace authpolicy::django::ecosystem
