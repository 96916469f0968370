#include "core/authn/redis_dpop_replay_store.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/common/error.h"
#include "core/crypto/hex.h"

namespace authpolicy::authn {

RedisDpopReplayStore::RedisDpopReplayStore(RedisDpopSettings settings)
    : settings_(std::move(settings)), pool_(settings_) {}

DpopReplayStore::Result RedisDpopReplayStore::remember(const crypto::Sha256& digest, double expires, double now) {
    // Redis counts the time to live on its own clock: only the length of the window travels.
    const auto ttl_ms = static_cast<long long>(std::ceil(std::max(0.001, expires - now) * 1000));
    const std::string key = settings_.prefix + crypto::to_hex(std::string_view(
                                                   reinterpret_cast<const char*>(digest.data()), digest.size()));
    const RedisPool::Reply reply = pool_.command({"SET", key, "1", "NX", "PX", std::to_string(ttl_ms)});
    // NX: "OK" when the key was set, nil when it already existed.
    if (reply->type == REDIS_REPLY_STATUS && std::strcmp(reply->str, "OK") == 0) return Result::Fresh;
    if (reply->type == REDIS_REPLY_NIL) return Result::Replayed;
    if (reply->type == REDIS_REPLY_ERROR)
        throw Error(ErrorCode::Store, pool_.where() + " error: " + std::string(reply->str).substr(0, 200));
    throw Error(ErrorCode::Store, pool_.where() + " returned an unexpected reply to SET NX");
}

}  // namespace authpolicy::authn
