// DPOP_REPLAY_BACKEND "redis": one jti store for every server on the Redis server. Each proof
// is one atomic SET <prefix><hex digest> 1 NX PX <ttl>: of two servers receiving one proof, one
// sets the key and the other finds it. Redis expires the keys itself.
#pragma once

#include <string>

#include "core/authn/dpop_replay_store.h"
#include "core/common/redis_pool.h"

namespace authpolicy::authn {

struct RedisDpopSettings : RedisConnectionSettings {
    std::string prefix = "authp:dpop:";
};

class RedisDpopReplayStore final : public DpopReplayStore {
  public:
    // Does not connect: the first proof does.
    explicit RedisDpopReplayStore(RedisDpopSettings settings);
    Result remember(const crypto::Sha256& digest, double expires, double now) override;
    const std::string& where() const { return pool_.where(); }

  private:
    RedisDpopSettings settings_;
    RedisPool pool_;
};

}  // namespace authpolicy::authn
