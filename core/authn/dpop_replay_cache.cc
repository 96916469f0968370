#include "core/authn/dpop_replay_cache.h"

namespace authpolicy::authn {

void DpopReplayCache::purge(double now) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
        seen_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
    }
}

DpopReplayCache::Result DpopReplayCache::remember(std::string_view key, double expires, double now) {
    // Hashed, so that an entry's size does not depend on the client's jti.
    const crypto::Sha256 digest = crypto::sha256(key);
    const std::lock_guard<std::mutex> lock(mutex_);
    purge(now);
    if (seen_.count(digest) != 0) return Result::Replayed;
    if (seen_.size() >= max_entries_) return Result::Full;
    seen_.emplace(digest, expires);
    by_expiry_.emplace(expires, digest);
    return Result::Fresh;
}

size_t DpopReplayCache::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return seen_.size();
}

}  // namespace authpolicy::authn
