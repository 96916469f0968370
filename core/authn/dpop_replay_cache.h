// The DPoP "jti" store (RFC 9449 §11.1): a proof is accepted once. Entries live until the proof
// would be refused as stale anyway (its iat + max age + leeway), so memory is bounded by the
// proofs accepted within one window, and by a hard entry cap: when full, new proofs are refused
// (fail closed) rather than forgetting a jti early, which would reopen the replay window.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "core/crypto/digest.h"

namespace authpolicy::authn {

class DpopReplayCache {
  public:
    enum class Result { Fresh, Replayed, Full };

    explicit DpopReplayCache(size_t max_entries) : max_entries_(max_entries) {}
    // Records `key` (the proof key's thumbprint and the jti, hashed) until `expires`. Thread-safe.
    Result remember(std::string_view key, double expires, double now);
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
