// The challenge of a request's view (DRF's authenticate_header), for hosts whose framework asks
// for it separately from a decision (a DRF authentication class, a Starlette on_error).
#include "handles.h"

using authp_capi::guard;
using authpolicy::Error;
using authpolicy::ErrorCode;

extern "C" {

int authp_request_challenge(char** out, const authp_request* req) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !req) return authp_capi::misuse("NULL out or request");
        const authp_capi::Pinned engine(req->engine);
        const authpolicy::ViewPolicy* policy = engine->policy_for(req->request.view());
        if (!policy) throw Error(ErrorCode::NotFound, "unknown view");
        if (policy->authenticators.empty()) return AUTHP_OK;
        const std::optional<std::string> challenge = policy->authenticators.front()->challenge(req->request);
        if (challenge && !challenge->empty()) *out = authp_capi::owned_string(*challenge);
        return AUTHP_OK;
    });
}

}  // extern "C"
