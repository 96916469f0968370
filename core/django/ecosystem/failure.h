// Failure outcomes shared by the Django ecosystem authenticators.
#pragma once

#include <string>

#include "core/authn/authenticator.h"

namespace authpolicy::django::ecosystem {

// An AuthenticationFailed (401, or 403 behind a first authenticator without a challenge) whose
// response body is `body` (JSON text) rather than {"detail": detail}.
inline authn::AuthOutcome failure_with_body(std::string detail, std::string code, std::string body) {
    authn::AuthOutcome o = authn::AuthOutcome::failure(std::move(detail));
    o.code = std::move(code);
    o.body = std::make_shared<const std::string>(std::move(body));
    return o;
}

// What a Django site answers when the package raises an exception it does not catch (a claim
// Python cannot convert): 500, no challenge. The engine denies the same way.
inline authn::AuthOutcome server_error() {
    authn::AuthOutcome o = authn::AuthOutcome::failure("A server error occurred.");
    o.status = 500;
    o.code = "server_error";
    return o;
}

}  // namespace authpolicy::django::ecosystem
