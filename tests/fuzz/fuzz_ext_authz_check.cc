// Envoy's CheckRequest bytes -> ForwardedRequest (server/grpc/check_translation). Oracles: the
// translation throws nothing; a translated request has an HTTP-token method, an origin-form path
// without query, no pseudo-header in its list and no CR, LF or NUL anywhere; every answer (allow,
// each deny status, malformed) serializes into a CheckResponse whose status is OK only for allow.
// Input: the serialized CheckRequest (protobuf wire format).
#include <cstdint>
#include <string>

#include "fuzz_support.h"
#include "server/grpc/check_translation.h"

namespace {

bool clean(const std::string& s) {
    return s.find_first_of(std::string("\r\n\0", 3)) == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace ea = authpolicy::server::ext_authz;
    envoy::service::auth::v3::CheckRequest check;
    if (!check.ParseFromArray(data, static_cast<int>(size))) return 0;
    std::string error;
    const auto fr = ea::forwarded_request_from_check(check, &error);
    envoy::service::auth::v3::CheckResponse resp;
    if (!fr) {
        authp_fuzz::require(!error.empty(), "a refused CheckRequest has a reason");
        ea::check_response_malformed(&resp);
        authp_fuzz::require(resp.status().code() == 3, "malformed is INVALID_ARGUMENT");
        return 0;
    }
    authp_fuzz::require(!fr->method.empty() && clean(fr->method), "method is a token");
    authp_fuzz::require(!fr->path.empty() && fr->path.front() == '/', "path is origin-form");
    authp_fuzz::require(fr->path.find('?') == std::string::npos, "the query is dropped");
    authp_fuzz::require(clean(fr->path) && clean(fr->host) && clean(fr->remote_addr), "no CR/LF/NUL");
    for (const auto& [name, value] : fr->headers) {
        authp_fuzz::require(!name.empty() && name.front() != ':', "no pseudo-header in the list");
        authp_fuzz::require(clean(name) && clean(value), "no CR/LF/NUL in headers");
    }
    for (int status : {200, 400, 401, 403, 429, 503, 0}) {
        authpolicy::server::ForwardedAnswer a;
        a.allowed = status == 200;
        a.status = status;
        a.headers = {{"x-auth-user", fr->host}, {"www-authenticate", fr->method}};
        a.body = fr->path;
        ea::check_response_from_answer(a, &resp);
        authp_fuzz::require((resp.status().code() == 0) == a.allowed, "OK only for an allow");
        std::string bytes;
        authp_fuzz::require(resp.SerializeToString(&bytes), "the response serializes");
    }
    return 0;
}
