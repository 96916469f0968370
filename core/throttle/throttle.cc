#include "core/throttle/throttle.h"

#include <cmath>

namespace authpolicy::throttle {

Throttle::Throttle(Kind kind, std::string scope, std::optional<Rate> fixed_rate, bool rate_disabled, long burst)
    : kind_(kind), scope_(std::move(scope)), fixed_rate_(fixed_rate), rate_disabled_(rate_disabled), burst_(burst) {}

bool Throttle::cache_key(ThrottleContext& ctx, std::string_view scope, std::string& key) const {
    const User* user = ctx.user();
    const bool authenticated = user != nullptr && user->is_authenticated;
    if (kind_ == Kind::Anon && authenticated) return false;  // AnonRateThrottle leaves users alone
    key.assign("throttle_").append(scope).append("_");
    // Three disjoint key spaces: "a:<ident>" (anonymous), digits (a user's pk), "u:<username>".
    // DRF writes the ident and the pk alike, so "X-Forwarded-For: 1" could spend user 1's budget.
    if (!authenticated) {
        key.append("a:").append(ctx.ident());
    } else if (user->id) {
        key.append(std::to_string(*user->id));  // DRF keys users by pk
    } else {
        key.append("u:").append(user->username);  // a host-made user without an id
    }
    return true;
}

ThrottleOutcome Throttle::allow(ThrottleContext& ctx, const RateTable& rates, ThrottleStore& store) const {
    std::string_view scope = scope_;
    if (kind_ == Kind::Scoped) {
        scope = ctx.view_scope();
        if (scope.empty()) return {};  // a view without throttle_scope is not throttled
    }
    if (rate_disabled_) return {};
    std::optional<Rate> rate = fixed_rate_;
    if (!rate) {
        auto it = rates.find(scope);
        if (it == rates.end() || !it->second) return {};  // validated at build; null rate = off
        rate = it->second;
    }
    thread_local std::string key;
    if (!cache_key(ctx, scope, key)) return {};
    const double now = ctx.now();
    if (kind_ == Kind::Gcra) {
        const double interval = rate->duration / static_cast<double>(std::max(rate->num_requests, 1L));
        if (rate->num_requests == 0) return {false, rate->duration};
        const double tolerance = interval * static_cast<double>(std::max(burst_, 1L) - 1);
        const GcraResult g = store.gcra(key, now, interval, tolerance);
        return g.allowed ? ThrottleOutcome{} : ThrottleOutcome{false, g.wait};
    }
    const SlidingLogResult r = store.sliding_log(key, now, rate->num_requests, rate->duration);
    if (r.allowed) return {};
    // DRF's wait(), with the same floating-point steps.
    const double remaining = r.oldest ? rate->duration - (now - *r.oldest) : rate->duration;
    const long available = rate->num_requests - static_cast<long>(r.history_length) + 1;
    if (available <= 0) return {false, std::nullopt};
    return {false, remaining / static_cast<double>(available)};
}

std::string throttled_detail(std::optional<double> wait) {
    std::string detail = "Request was throttled.";
    if (wait) {
        const auto seconds = static_cast<long long>(std::ceil(*wait));
        detail += " Expected available in " + std::to_string(seconds) + (seconds == 1 ? " second." : " seconds.");
    }
    return detail;
}

}  // namespace authpolicy::throttle
