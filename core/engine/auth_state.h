// DRF's Request._authenticate result, computed lazily and at most once per request.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/authn/authenticator.h"

namespace authpolicy {

struct AuthState {
    enum class Status { NotRun, Authenticated, Anonymous, Failed };
    Status status = Status::NotRun;
    UserPtr user;  // the unauthenticated user (possibly null) unless Authenticated
    AuthValue auth;
    const authn::Authenticator* authenticator = nullptr;  // the one that succeeded or failed
    std::string failure_detail;
    std::optional<int> failure_status;  // see AuthOutcome: forced status, code and challenge
    std::string failure_code;
    std::optional<std::string> failure_challenge;
    std::optional<long long> failure_retry_after;     // AuthOutcome::retry_after (LOGIN_FAILURES)
    std::shared_ptr<const std::string> failure_body;  // AuthOutcome::body
    std::shared_ptr<const std::vector<std::pair<std::string, std::string>>> failure_headers;  // AuthOutcome::headers
    std::shared_ptr<const std::string> deferred_challenge;  // the first authenticator's, from a NotApplicable
    bool running = false;                                   // guards against a callback re-entering authentication

    void reset() { *this = AuthState{}; }
};

}  // namespace authpolicy
