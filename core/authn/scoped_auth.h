// `auth` values that carry OAuth 2.0 scopes. The JSON text stays the public value; the built-in
// bearer authenticators also attach the parsed scopes to it (in the shared_ptr's deleter), so
// scope permissions read them without parsing JSON on every request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/engine/user.h"

namespace authpolicy::authn {

AuthValue make_scoped_auth(std::string json, std::vector<std::string> scopes);

// The scopes of a request's auth: attached ones, else the "scopes" list or "scope" string of the
// auth JSON (custom authenticators). false when the auth carries no scopes at all.
bool auth_scopes(const AuthValue& auth, std::vector<std::string>& out);

// A space-delimited scope string (RFC 6749 §3.3) as its scopes, empty tokens skipped.
std::vector<std::string> split_scope_string(std::string_view scopes);
// Whether the auth carries every one of `required`.
bool auth_has_scopes(const AuthValue& auth, const std::vector<std::string>& required);

}  // namespace authpolicy::authn
