// DRF's throttles: AnonRateThrottle, UserRateThrottle, ScopedRateThrottle (sliding log), and
// GCRARateThrottle (beyond DRF: O(1) state per client).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/engine/user.h"
#include "core/http/request.h"
#include "core/throttle/rate.h"
#include "core/throttle/throttle_store.h"

namespace authpolicy::throttle {

// What a throttle may look at. user() may run authentication (lazily) and may throw.
class ThrottleContext {
  public:
    virtual ~ThrottleContext() = default;
    virtual const User* user() = 0;
    virtual const http::Request& request() const = 0;
    virtual std::string_view view_scope() const = 0;  // the view's throttle_scope ("" = none)
    virtual const std::string& ident() = 0;           // DRF's get_ident, computed once
    virtual double now() const = 0;
};

struct ThrottleOutcome {
    bool allowed = true;
    std::optional<double> wait;  // seconds, when refused and computable (DRF's wait())
};

// Rates by scope (DEFAULT_THROTTLE_RATES); nullopt = that scope is not throttled.
using RateTable = std::map<std::string, std::optional<Rate>, std::less<>>;

class Throttle {
  public:
    enum class Kind { Anon, User, Scoped, Gcra };
    // rate: a fixed rate (the class's `rate` option) or nullopt to look it up by scope.
    Throttle(Kind kind, std::string scope, std::optional<Rate> fixed_rate, bool rate_disabled, long burst);

    // Throws Error(Store) when the store fails; the engine applies the failure mode.
    ThrottleOutcome allow(ThrottleContext& ctx, const RateTable& rates, ThrottleStore& store) const;
    Kind kind() const { return kind_; }
    const std::string& scope() const { return scope_; }

  private:
    // DRF's key "throttle_<scope>_<ident>" with anonymous idents prefixed "a:", built in a per-thread buffer (no
    // allocation per request); false when the request is not throttled by this class.
    bool cache_key(ThrottleContext& ctx, std::string_view scope, std::string& key) const;

    Kind kind_;
    std::string scope_;
    std::optional<Rate> fixed_rate_;
    bool rate_disabled_;  // an explicit "rate": null
    long burst_;          // GCRA only
};

// DRF's Throttled detail: "Request was throttled." plus "Expected available in N second(s)."
std::string throttled_detail(std::optional<double> wait);

}  // namespace authpolicy::throttle
