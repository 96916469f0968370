// Throttle state in Redis, for several machines: one round trip per check (a server-side Lua
// script), bounded connect and command timeouts, and no retry storm after a failure.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/throttle/throttle_store.h"

struct redisContext;

namespace authpolicy::throttle {

struct RedisSettings {
    std::string host = "127.0.0.1";
    int port = 6379;
    int timeout_ms = 100;        // connect and per command
    double retry_after_s = 1.0;  // after a failure, a connection is not retried sooner
    std::string prefix = "authpolicy:";
    int pool_size = 4;
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
    struct Slot;
    struct Reply;
    // Runs a script with one key; throws Error(Store) on any failure.
    Reply run_script(int script, std::string_view key, const std::vector<std::string>& args);

    RedisSettings settings_;
    std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace authpolicy::throttle
