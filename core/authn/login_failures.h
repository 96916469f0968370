// LOGIN_FAILURES (issue 22 finding 13, beyond DRF): brute-force protection for password logins.
// DRF's throttles run after authentication, so failed Basic logins are never counted and each
// one costs a full PBKDF2. Here, after LIMIT failures of one (username, client) pair within
// WINDOW seconds, that pair is refused with 429 and Retry-After, without running the hasher,
// for 2^(failures - LIMIT) seconds (at most WINDOW) after its last failure; CLIENT_LIMIT failures
// of one client across usernames lock the client the same way. The key always includes the
// client, so nobody elsewhere can lock a user out; a success resets its pair (not the client).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/http/request.h"
#include "core/throttle/client_ident.h"
#include "core/throttle/throttle_store.h"

namespace authpolicy::authn {

struct LoginFailureSettings {
    long limit = 10;
    double window = 900;
    long client_limit = 100;
};

// The keys of one login attempt, computed once.
struct LoginAttempt {
    std::string client;  // the throttles' client identity
    std::string pair_key;
    std::string client_key;
    bool pair_has_failures = false;  // seen by refused_for: only then does a success write
};

class LoginFailureGuard {
  public:
    // warn(message): a failure or a lockout, for the host's logger. fail_open: when the store
    // cannot answer, let the attempt through (true) or throw Error(Store) (false), as
    // THROTTLE_BACKEND's FAILURE_MODE says.
    LoginFailureGuard(LoginFailureSettings settings, throttle::ClientIdentitySettings identity,
                      std::shared_ptr<throttle::ThrottleStore> store, bool fail_open,
                      std::function<void(const std::string&)> warn);

    LoginAttempt attempt(std::string_view username, const http::Request& request) const;
    // Seconds to wait when this attempt must be refused now; nullopt to go on and check it.
    std::optional<long long> refused_for(LoginAttempt& a, double now) const;
    void failed(const LoginAttempt& a, std::string_view username, double now) const;
    void succeeded(const LoginAttempt& a) const;

  private:
    std::optional<double> unlock_at(const throttle::FailureCount& f, long limit) const;
    template <class F>
    auto guarded(F&& fn, decltype(fn()) fallback) const;

    LoginFailureSettings settings_;
    throttle::ClientIdentitySettings identity_;
    std::shared_ptr<throttle::ThrottleStore> store_;
    bool fail_open_;
    std::function<void(const std::string&)> warn_;
};

}  // namespace authpolicy::authn
