// The default throttle store: in process, lock-striped, with a bound on the number of keys
// (idle keys are evicted first, then the ones that expire soonest).
#pragma once

#include <array>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/throttle/throttle_store.h"

namespace authpolicy::throttle {

class MemoryThrottleStore final : public ThrottleStore {
  public:
    explicit MemoryThrottleStore(size_t max_keys = 100000) : per_shard_(max_keys / kShards + 1) {}
    SlidingLogResult sliding_log(std::string_view key, double now, long num_requests, double duration) override;
    GcraResult gcra(std::string_view key, double now, double emission_interval, double tolerance) override;
    FailureCount failures(std::string_view key, double now, double window, bool add) override;
    void forget(std::string_view key) override;
    size_t size() const;

  private:
    static constexpr size_t kShards = 32;
    struct Entry {
        std::deque<double> history;  // oldest first here (DRF keeps it newest first): O(1) pruning
        double tat = 0;              // GCRA theoretical arrival time
        FailureCount failures;       // LOGIN_FAILURES
        double expires_at = 0;       // when the entry is idle and may go
    };
    // Transparent hashing: look keys up by string_view without building a std::string.
    struct KeyHash {
        using is_transparent = void;
        size_t operator()(std::string_view k) const noexcept { return std::hash<std::string_view>{}(k); }
    };
    struct alignas(64) Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> map;
    };
    Shard& shard_for(std::string_view key);
    Entry& entry_for(Shard& shard, std::string_view key, double now);

    size_t per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace authpolicy::throttle
