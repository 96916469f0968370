// Envoy's ext_authz in HTTP mode (http_service): Envoy sends the original request's method, its
// path after the configured path_prefix, and the original headers it is told to forward. This
// turns such a request, received on the HTTP listener, into a ForwardedRequest (front_end
// "ext_authz_http"); the HTTP router answers it exactly as forward-auth (200 + identity headers,
// or the decision's status, challenge and JSON body, which Envoy passes to the client).
#pragma once

#include <optional>
#include <string_view>

#include "server/decision_service.h"

namespace authpolicy::server {

// nullopt when `target` is not under `path_prefix` (a trailing '/' of the prefix is ignored, and
// "/authz" does not cover "/authzfoo"), or is not origin-form. The query string is dropped; the
// host comes from the Host header, secure from X-Forwarded-Proto: https (Envoy sets it).
std::optional<ForwardedRequest> ext_authz_http_request(std::string_view method, std::string_view target,
                                                       const HeaderList& headers, std::string_view remote_addr,
                                                       std::string_view path_prefix);

}  // namespace authpolicy::server
