// Envoy's ext_authz Check messages <-> the decision contract (server/decision_service.h): a
// CheckRequest becomes a ForwardedRequest, a ForwardedAnswer becomes a CheckResponse. Kept apart
// from the server so that the translation is unit-tested and fuzzed without a socket.
#pragma once

#include <optional>
#include <string>

#include "envoy/service/auth/v3/external_auth.pb.h"
#include "server/decision_service.h"

namespace authpolicy::server::ext_authz {

// The google.rpc.Code values a CheckResponse carries (grpc/include/grpcpp/impl/codegen/status_code_enum.h).
enum class RpcCode : int {
    ok = 0,
    invalid_argument = 3,
    permission_denied = 7,
    resource_exhausted = 8,
    unavailable = 14,
    unauthenticated = 16,
};

// The original request Envoy describes, or nullopt (and *error, without request content) when the
// CheckRequest is malformed: no HTTP attributes, a method that is not an HTTP token, a path that is
// not origin-form, a header name or value with CR, LF or NUL, a source address that is not an IP.
std::optional<ForwardedRequest> forwarded_request_from_check(const envoy::service::auth::v3::CheckRequest& check,
                                                             std::string* error);

// The google.rpc.Code for a decision: OK on allow; 401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
// 429 RESOURCE_EXHAUSTED, 400 INVALID_ARGUMENT, anything else UNAVAILABLE.
RpcCode rpc_code_for(const ForwardedAnswer& answer);

// Allow: status OK and ok_response setting the identity headers (append = false, so a value the
// client sent is replaced; an empty value is listed in headers_to_remove instead). Deny: the
// mapped status and denied_response with the HTTP status, the answer's headers and its JSON body.
void check_response_from_answer(const ForwardedAnswer& answer, envoy::service::auth::v3::CheckResponse* out);

// The answer to a CheckRequest that could not be translated: INVALID_ARGUMENT with a 400 denial,
// so that Envoy denies even with failure_mode_allow (a gRPC error status would let it allow).
void check_response_malformed(envoy::service::auth::v3::CheckResponse* out);

// The answer when the service is over capacity: UNAVAILABLE with a 503 denial.
void check_response_overloaded(envoy::service::auth::v3::CheckResponse* out);

}  // namespace authpolicy::server::ext_authz
