#include "core/throttle/memory_throttle_store.h"

#include <algorithm>
#include <functional>

namespace authpolicy::throttle {

MemoryThrottleStore::Shard& MemoryThrottleStore::shard_for(std::string_view key) {
    return shards_[KeyHash{}(key) % kShards];
}

MemoryThrottleStore::Entry& MemoryThrottleStore::entry_for(Shard& shard, std::string_view key, double now) {
    auto it = shard.map.find(key);
    if (it != shard.map.end()) return it->second;
    if (shard.map.size() >= per_shard_) {
        std::erase_if(shard.map, [now](const auto& kv) { return kv.second.expires_at <= now; });
        if (shard.map.size() >= per_shard_) {
            auto victim = std::min_element(shard.map.begin(), shard.map.end(), [](const auto& a, const auto& b) {
                return a.second.expires_at < b.second.expires_at;
            });
            shard.map.erase(victim);
        }
    }
    return shard.map.emplace(std::string(key), Entry{}).first->second;
}

SlidingLogResult MemoryThrottleStore::sliding_log(std::string_view key, double now, long num_requests,
                                                  double duration) {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    Entry& e = entry_for(shard, key, now);
    // An expired entry is gone, as a cache entry past its TTL would be.
    if (e.expires_at <= now) e.history.clear();
    while (!e.history.empty() && e.history.front() <= now - duration) e.history.pop_front();
    SlidingLogResult r;
    r.history_length = e.history.size();
    if (!e.history.empty()) r.oldest = e.history.front();
    if (static_cast<long>(e.history.size()) >= num_requests) return r;
    e.history.push_back(now);
    e.expires_at = now + duration;  // DRF: cache.set(key, history, duration)
    r.allowed = true;
    return r;
}

GcraResult MemoryThrottleStore::gcra(std::string_view key, double now, double emission_interval, double tolerance) {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    Entry& e = entry_for(shard, key, now);
    const double tat = std::max(e.tat, now);
    if (tat - now > tolerance) return {false, tat - tolerance - now};
    e.tat = tat + emission_interval;
    e.expires_at = e.tat;
    return {true, 0};
}

FailureCount MemoryThrottleStore::failures(std::string_view key, double now, double window, bool add) {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    if (!add) {  // a read creates no entry
        const auto it = shard.map.find(key);
        if (it == shard.map.end() || it->second.expires_at <= now) return {};
        return it->second.failures;
    }
    Entry& e = entry_for(shard, key, now);
    if (e.expires_at <= now) e.failures = {};
    e.failures.count += 1;
    e.failures.last = now;
    e.expires_at = now + window;
    return e.failures;
}

void MemoryThrottleStore::forget(std::string_view key) {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.map.find(key); it != shard.map.end()) shard.map.erase(it);
}

size_t MemoryThrottleStore::size() const {
    size_t n = 0;
    for (const auto& s : shards_) {
        std::lock_guard lock(s.mutex);
        n += s.map.size();
    }
    return n;
}

}  // namespace authpolicy::throttle
