// RFC 6750 pieces shared by the bearer authenticators (JWTAuthentication, OAuth2Authentication):
// reading "Authorization: Bearer <token>" and the error outcomes with their challenges.
#pragma once

#include <string>
#include <string_view>

#include "core/authn/authenticator.h"
#include "core/http/request.h"

namespace authpolicy::authn {

struct BearerHeader {
    enum class Kind { Absent, Malformed, Token };
    Kind kind = Kind::Absent;
    std::string_view token;    // Kind::Token
    const char* problem = "";  // Kind::Malformed
};

// The three ways "Authorization: <scheme> <token>" can be malformed, worded for one scheme.
struct SchemeProblems {
    const char* no_token;
    const char* spaces;
    const char* characters;
};

// Absent: no Authorization header or another scheme (the next authenticator runs). Malformed:
// the scheme without a token, with more than one, or with characters outside b64token (RFC 6750
// §2.1; RFC 9449 §7.1's token68 for DPoP is the same set).
BearerHeader read_scheme_token(const http::Request& request, std::string_view scheme, const SchemeProblems& problems);
// read_scheme_token for "Bearer", with DRF-style "Invalid bearer header. …" problems.
BearerHeader read_bearer(const http::Request& request);

// `Bearer realm="…"`: the challenge when no credentials were sent (no error attribute, §3).
std::string bearer_challenge(std::string_view realm);
// 401, code invalid_token, WWW-Authenticate with error="invalid_token" and the description.
AuthOutcome invalid_token(std::string_view realm, const char* description);
// 400, code invalid_request, no challenge.
AuthOutcome invalid_request(const char* description);

}  // namespace authpolicy::authn
