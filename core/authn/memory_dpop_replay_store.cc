#include "core/authn/memory_dpop_replay_store.h"

namespace authpolicy::authn {

void MemoryDpopReplayStore::purge(double now) {
    while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
        seen_.erase(by_expiry_.begin()->second);
        by_expiry_.erase(by_expiry_.begin());
    }
}

DpopReplayStore::Result MemoryDpopReplayStore::remember(const crypto::Sha256& digest, double expires, double now) {
    const std::lock_guard<std::mutex> lock(mutex_);
    purge(now);
    if (seen_.count(digest) != 0) return Result::Replayed;
    if (seen_.size() >= max_entries_) return Result::Full;
    seen_.emplace(digest, expires);
    by_expiry_.emplace(expires, digest);
    return Result::Fresh;
}

size_t MemoryDpopReplayStore::size() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return seen_.size();
}

}  // namespace authpolicy::authn
