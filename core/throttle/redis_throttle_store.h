// Throttle state in Redis, for several machines: one round trip per check (a server-side Lua
// script), bounded connect and command timeouts, and no retry storm after a failure.
#pragma once

#include <string>
#include <vector>

#include "core/common/redis_pool.h"
#include "core/throttle/throttle_store.h"

namespace authpolicy::throttle {

struct RedisSettings : RedisConnectionSettings {
    std::string prefix = "authpolicy:";
};

class RedisThrottleStore final : public ThrottleStore {
  public:
    explicit RedisThrottleStore(RedisSettings settings);
    ~RedisThrottleStore() override;
    SlidingLogResult sliding_log(std::string_view key, double now, long num_requests, double duration) override;
    GcraResult gcra(std::string_view key, double now, double emission_interval, double tolerance) override;
    FailureCount failures(std::string_view key, double now, double window, bool add) override;
    void forget(std::string_view key) override;
    const RedisSettings& settings() const { return settings_; }

  private:
    // Runs a script with one key; throws Error(Store) on any failure.
    RedisPool::Reply run_script(int script, std::string_view key, const std::vector<std::string>& args);

    RedisSettings settings_;
    RedisPool pool_;
};

}  // namespace authpolicy::throttle
