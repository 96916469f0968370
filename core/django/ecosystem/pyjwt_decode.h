// jwt.decode() as PyJWT 2.6 runs it for simplejwt's TokenBackend: compact JWS split the way
// PyJWT splits it, its lenient base64url, header checks (kid, crit, b64), the one configured
// algorithm, the signature (core/jose keys), then iat/nbf/exp (integer "now"), iss and aud.
// Any failure is one answer for simplejwt ("Token is invalid or expired"), except the inputs
// on which PyJWT itself raises an uncaught TypeError (the site answers 500).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/jose/jwk.h"

namespace authpolicy::django::ecosystem {

struct PyJwtOptions {
    std::string algorithm;  // "HS256", … exactly as ALGORITHM
    jose::KeyPtr key;
    std::optional<std::string> issuer;
    std::optional<std::vector<std::string>> audience;  // set: verify_aud
    double leeway = 0;
};

struct PyJwtResult {
    enum class Kind { Ok, Invalid, ServerError };
    Kind kind = Kind::Invalid;
    nlohmann::json payload;  // Ok: the claims object
    // Ok: the whole seconds during which the time claims pass: lo <= floor(now) < hi.
    double lo = -1e300, hi = 1e300;
};

// `now` is the request time in seconds; PyJWT compares with its integer part.
PyJwtResult pyjwt_decode(std::string_view token, const PyJwtOptions& options, double now);

}  // namespace authpolicy::django::ecosystem
