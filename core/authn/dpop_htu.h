// The DPoP "htu" comparison (RFC 9449 §4.3 check 9): the proof's URI and the request's URI,
// both without query and fragment, compared after RFC 3986 §6.2.2 syntax-based normalisation
// (case of scheme, host and percent-encodings; unreserved characters decoded; dot segments
// removed) and §6.2.3 scheme-based normalisation (default port dropped, empty path is "/").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/http/request.h"

namespace authpolicy::authn {

// The normal form of an absolute http(s) URI with query and fragment dropped; nullopt when it
// is not one (another scheme, userinfo, a bad port or percent-encoding, no host).
std::optional<std::string> normalize_htu(std::string_view uri);

// The request's own htu from its secure flag, Host header and path; nullopt without a usable Host.
std::optional<std::string> request_htu(const http::Request& request);

}  // namespace authpolicy::authn
