// A bounded, lock-striped cache of verified credentials keyed by a 32-byte digest.
// Entries expire after a TTL. A revocation drops exactly the entries it concerns (one key, or
// those a predicate picks, such as every credential of one user); "drop everything" bumps a
// floor that every older entry falls below. Each drop also bumps an epoch, and a value read
// from the store before a drop is never stored afterwards (put compares the epoch it saw).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/crypto/digest.h"

namespace authpolicy::cache {

struct DigestHash {
    size_t operator()(const crypto::Sha256& d) const noexcept {
        size_t h;
        std::memcpy(&h, d.data(), sizeof h);  // the key is already a uniform digest
        return h;
    }
};

template <class Value>
class CredentialCache {
  public:
    CredentialCache(double ttl_seconds, size_t max_entries)
        : ttl_(ttl_seconds), per_shard_(max_entries / kShards + 1), enabled_(ttl_seconds > 0 && max_entries > 0) {}

    bool enabled() const { return enabled_; }

    std::optional<Value> get(const crypto::Sha256& key, double now) const {
        if (!enabled_) return std::nullopt;
        const uint64_t floor = floor_.load(std::memory_order_acquire);
        Shard& shard = shard_for(key);
        std::lock_guard lock(shard.mutex);
        auto it = shard.map.find(key);
        if (it == shard.map.end()) {
            ++shard.misses;
            return std::nullopt;
        }
        if (it->second.generation < floor || now >= it->second.stored_at + ttl_ || now < it->second.stored_at) {
            shard.map.erase(it);
            ++shard.misses;
            return std::nullopt;
        }
        ++shard.hits;
        return it->second.value;
    }

    // Lookups answered from the cache and not, since it was built (counted under the shard locks
    // get() already takes; a disabled cache counts nothing).
    struct Counts {
        uint64_t hits = 0;
        uint64_t misses = 0;
    };
    Counts counts() const {
        Counts c;
        for (Shard& shard : shards_) {
            std::lock_guard lock(shard.mutex);
            c.hits += shard.hits;
            c.misses += shard.misses;
        }
        return c;
    }

    // `generation_seen` is generation() read before the value was fetched from the store: if
    // any drop happened since, the value may be stale and is not stored. Checked under the
    // shard lock, which a drop takes after bumping the epoch, so no stale value survives.
    void put(const crypto::Sha256& key, Value value, double now, uint64_t generation_seen) {
        if (!enabled_) return;
        Shard& shard = shard_for(key);
        std::lock_guard lock(shard.mutex);
        if (epoch_.load(std::memory_order_acquire) != generation_seen) return;
        if (shard.map.size() >= per_shard_) evict(shard, now);
        shard.map.insert_or_assign(key, Entry{std::move(value), now, generation_seen});
    }

    uint64_t generation() const { return epoch_.load(std::memory_order_acquire); }
    void invalidate_all() {
        floor_.store(epoch_.fetch_add(1, std::memory_order_acq_rel) + 1, std::memory_order_release);
    }
    void invalidate(const crypto::Sha256& key) {
        epoch_.fetch_add(1, std::memory_order_acq_rel);
        Shard& shard = shard_for(key);
        std::lock_guard lock(shard.mutex);
        shard.map.erase(key);
    }
    // Drops every entry whose value `pick` selects (a walk over all shards: for the rare
    // revocations that name a user rather than a key).
    template <class Pick>
    void invalidate_if(Pick&& pick) {
        epoch_.fetch_add(1, std::memory_order_acq_rel);
        for (Shard& shard : shards_) {
            std::lock_guard lock(shard.mutex);
            for (auto it = shard.map.begin(); it != shard.map.end();) {
                it = pick(it->second.value) ? shard.map.erase(it) : std::next(it);
            }
        }
    }
    double ttl() const { return ttl_; }

  private:
    static constexpr size_t kShards = 64;
    struct Entry {
        Value value;
        double stored_at;
        uint64_t generation;
    };
    struct alignas(64) Shard {
        std::mutex mutex;
        std::unordered_map<crypto::Sha256, Entry, DigestHash> map;
        uint64_t hits = 0;
        uint64_t misses = 0;
    };

    Shard& shard_for(const crypto::Sha256& key) const { return shards_[key[31] % kShards]; }

    void evict(Shard& shard, double now) {
        const uint64_t floor = floor_.load(std::memory_order_acquire);
        for (auto it = shard.map.begin(); it != shard.map.end();) {
            if (it->second.generation < floor || now >= it->second.stored_at + ttl_) {
                it = shard.map.erase(it);
            } else {
                ++it;
            }
        }
        if (shard.map.size() >= per_shard_) shard.map.erase(shard.map.begin());  // still full: drop one
    }

    double ttl_;
    size_t per_shard_;
    bool enabled_;
    std::atomic<uint64_t> epoch_{0};  // bumped by every drop
    std::atomic<uint64_t> floor_{0};  // entries stored before the last invalidate_all are below it
    mutable std::array<Shard, kShards> shards_;
};

}  // namespace authpolicy::cache
