// Forward-auth (nginx auth_request, Caddy forward_auth, Traefik ForwardAuth): the request that
// reaches /auth describes the original one in headers. This maps it to a ForwardedRequest.
//   method: X-Forwarded-Method, else X-Original-Method, else the /auth request's own method
//   path:   X-Forwarded-Uri, else X-Original-URI (its query string is dropped here)
//   host:   X-Forwarded-Host, else the Host header
//   secure: X-Forwarded-Proto is "https"
// Every header is passed on as sent (Authorization, Cookie, X-Forwarded-For for the throttles'
// NUM_PROXIES, X-CSRFToken, …): the engine reads the ones its policy names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/decision_service.h"

namespace authpolicy::server {

// The forwarded request, or std::nullopt with *error set when the original URI is missing or is
// not an origin-form path (a proxy that is not configured to send it: fail closed, never guess).
// `headers` is taken by value: the caller moves the request's headers in (no copy on the hot path).
std::optional<ForwardedRequest> forward_auth_request(std::string_view method, HeaderList headers,
                                                     std::string_view remote_addr, std::string* error);

// The first header of that name (case-insensitive), or nullptr.
const std::string* find_header(const HeaderList& headers, std::string_view name);

// A header value with every CR, LF and NUL removed (identity headers are built from user data).
std::string header_safe(std::string_view value);

}  // namespace authpolicy::server
