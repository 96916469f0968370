// DPOP_REPLAY_BACKEND "memory" (the default): the jti store of one process. Entries live until
// the proof would be refused as stale anyway (its iat + max age + leeway), so memory is bounded
// by the proofs accepted within one window, and by a hard entry cap: when full, new proofs are
// refused (fail closed) rather than forgetting a jti early, which would reopen the replay window.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/authn/dpop_replay_store.h"

namespace authpolicy::authn {

class MemoryDpopReplayStore final : public DpopReplayStore {
  public:
    explicit MemoryDpopReplayStore(size_t max_entries) : max_entries_(max_entries) {}
    Result remember(const crypto::Sha256& digest, double expires, double now) override;
    size_t size() const;

  private:
    struct DigestHash {
        size_t operator()(const crypto::Sha256& d) const {
            size_t h = 0;
            for (size_t i = 0; i < sizeof h; ++i) h = (h << 8) | d[i];  // already uniform
            return h;
        }
    };
    void purge(double now);

    const size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<crypto::Sha256, double, DigestHash> seen_;  // digest → expiry
    std::multimap<double, crypto::Sha256> by_expiry_;              // for purging in order
};

}  // namespace authpolicy::authn
