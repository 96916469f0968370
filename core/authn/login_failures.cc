#include "core/authn/login_failures.h"

#include <cmath>

#include "core/common/error.h"
#include "core/crypto/digest.h"
#include "core/crypto/hex.h"
#include "core/http/text_encoding.h"

namespace authpolicy::authn {

LoginFailureGuard::LoginFailureGuard(LoginFailureSettings settings, throttle::ClientIdentitySettings identity,
                                     std::shared_ptr<throttle::ThrottleStore> store, bool fail_open,
                                     std::function<void(const std::string&)> warn)
    : settings_(settings),
      identity_(std::move(identity)),
      store_(std::move(store)),
      fail_open_(fail_open),
      warn_(std::move(warn)) {}

template <class F>
auto LoginFailureGuard::guarded(F&& fn, decltype(fn()) fallback) const {
    try {
        return fn();
    } catch (const Error& e) {
        if (e.code() != ErrorCode::Store || !fail_open_) throw;
        return fallback;  // the throttle path logs the outage once; logins go on unguarded
    }
}

LoginAttempt LoginFailureGuard::attempt(std::string_view username, const http::Request& request) const {
    LoginAttempt a;
    a.client = throttle::client_ident(request, identity_);
    // A digest keeps keys short and unambiguous whatever the username holds (up to 8 KiB, NUL).
    const std::string pair = std::to_string(username.size()) + ":" + std::string(username) + a.client;
    a.pair_key = "login_pair_" + crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha256, pair));
    a.client_key = "login_client_" + crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha256, a.client));
    return a;
}

std::optional<double> LoginFailureGuard::unlock_at(const throttle::FailureCount& f, long limit) const {
    if (f.count < limit) return std::nullopt;
    const double backoff =
        std::min(settings_.window, std::ldexp(1.0, static_cast<int>(std::min(f.count - limit, 62L))));
    return f.last + backoff;
}

std::optional<long long> LoginFailureGuard::refused_for(LoginAttempt& a, double now) const {
    return guarded(
        [&]() -> std::optional<long long> {
            const throttle::FailureCount pair = store_->failures(a.pair_key, now, settings_.window, false);
            a.pair_has_failures = pair.count > 0;
            std::optional<double> until = unlock_at(pair, settings_.limit);
            if (const auto c =
                    unlock_at(store_->failures(a.client_key, now, settings_.window, false), settings_.client_limit))
                until = until ? std::max(*until, *c) : *c;
            if (!until || *until <= now) return std::nullopt;
            return std::max(1LL, static_cast<long long>(std::ceil(*until - now)));
        },
        std::nullopt);
}

void LoginFailureGuard::failed(const LoginAttempt& a, std::string_view username, double now) const {
    const auto [pair, client] = guarded(
        [&] {
            return std::pair{store_->failures(a.pair_key, now, settings_.window, true),
                             store_->failures(a.client_key, now, settings_.window, true)};
        },
        std::pair{throttle::FailureCount{}, throttle::FailureCount{}});
    if (!warn_) return;
    std::string line = "failed login for user '" + http::quoted_excerpt(username, 150) + "' from client '" +
                       http::quoted_excerpt(a.client, 100) + "' (" + std::to_string(pair.count) + " in a row";
    if (pair.count >= settings_.limit) line += "; this pair is now refused";
    if (client.count >= settings_.client_limit) line += "; this client is now refused";
    warn_(line + ")");
}

void LoginFailureGuard::succeeded(const LoginAttempt& a) const {
    if (!a.pair_has_failures) return;  // nothing to reset: no write on the usual login
    guarded(
        [&] {
            store_->forget(a.pair_key);
            return 0;
        },
        0);
}

}  // namespace authpolicy::authn
