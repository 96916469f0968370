#include "core/throttle/redis_throttle_store.h"

#include <hiredis/hiredis.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/common/error.h"
#include "core/crypto/digest.h"
#include "core/crypto/hex.h"

namespace authpolicy::throttle {
namespace {

// DRF's sliding log on a Redis list, newest first, exactly as SimpleRateThrottle keeps it.
// Numbers go back as strings: Redis would truncate Lua numbers to integers.
constexpr const char* kSlidingLog = R"lua(
local key = KEYS[1]
local now = tonumber(ARGV[1])
local num = tonumber(ARGV[2])
local duration = tonumber(ARGV[3])
while true do
  local oldest = redis.call('LINDEX', key, -1)
  if not oldest then break end
  if tonumber(oldest) <= now - duration then redis.call('RPOP', key) else break end
end
local len = redis.call('LLEN', key)
local oldest = redis.call('LINDEX', key, -1)
if len >= num then return {0, len, oldest or false} end
redis.call('LPUSH', key, ARGV[1])
redis.call('PEXPIRE', key, ARGV[4])
return {1, len, oldest or false}
)lua";

constexpr const char* kGcra = R"lua(
local key = KEYS[1]
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', key) or '0')
if tat < now then tat = now end
if tat - now > tolerance then return {0, string.format('%.17g', tat - tolerance - now)} end
local new = tat + interval
redis.call('SET', key, string.format('%.17g', new), 'PX', math.max(1, math.ceil((new - now) * 1000)))
return {1, '0'}
)lua";

// LOGIN_FAILURES: a hash {c = count, l = last failure}, expiring `window` after the last failure.
constexpr const char* kFailures = R"lua(
local key = KEYS[1]
local v = redis.call('HMGET', key, 'c', 'l')
local count = tonumber(v[1] or '0')
local last = v[2] or '0'
if ARGV[2] == '1' then
  count = count + 1
  last = ARGV[1]
  redis.call('HSET', key, 'c', count, 'l', last)
  redis.call('PEXPIRE', key, ARGV[3])
end
return {count, last}
)lua";

constexpr const char* kForget = R"lua(
redis.call('DEL', KEYS[1])
return {1, 0}
)lua";

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

RedisThrottleStore::RedisThrottleStore(RedisSettings settings) : settings_(std::move(settings)), pool_(settings_) {}

RedisThrottleStore::~RedisThrottleStore() = default;

RedisPool::Reply RedisThrottleStore::run_script(int script, std::string_view key,
                                                const std::vector<std::string>& args) {
    // EVALSHA first (the script is cached by the server); EVAL once if the server lost it.
    static const char* const bodies[4] = {kSlidingLog, kGcra, kForget, kFailures};
    static const std::string shas[4] = {crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kSlidingLog)),
                                        crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kGcra)),
                                        crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kForget)),
                                        crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kFailures))};
    std::vector<std::string> argv{"EVALSHA", shas[script], "1", settings_.prefix + std::string(key)};
    argv.insert(argv.end(), args.begin(), args.end());
    RedisPool::Reply reply = pool_.command(argv);
    if (reply->type == REDIS_REPLY_ERROR && std::strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        argv[0] = "EVAL";
        argv[1] = bodies[script];
        reply = pool_.command(argv);
    }
    const std::string& where = pool_.where();
    if (reply->type == REDIS_REPLY_ERROR) throw Error(ErrorCode::Store, where + " error: " + reply->str);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2)
        throw Error(ErrorCode::Store, where + " returned an unexpected reply");
    return reply;
}

SlidingLogResult RedisThrottleStore::sliding_log(std::string_view key, double now, long num_requests, double duration) {
    const auto ttl_ms = static_cast<long long>(std::ceil(duration * 1000));
    RedisPool::Reply reply =
        run_script(0, key, {number(now), std::to_string(num_requests), number(duration), std::to_string(ttl_ms)});
    SlidingLogResult r;
    r.allowed = reply->element[0]->integer == 1;
    r.history_length = static_cast<size_t>(reply->element[1]->integer);
    if (reply->elements > 2 && reply->element[2]->type == REDIS_REPLY_STRING)
        r.oldest = std::strtod(reply->element[2]->str, nullptr);
    return r;
}

GcraResult RedisThrottleStore::gcra(std::string_view key, double now, double emission_interval, double tolerance) {
    RedisPool::Reply reply = run_script(1, key, {number(now), number(emission_interval), number(tolerance)});
    GcraResult g;
    g.allowed = reply->element[0]->integer == 1;
    if (reply->element[1]->type == REDIS_REPLY_STRING) g.wait = std::strtod(reply->element[1]->str, nullptr);
    return g;
}

FailureCount RedisThrottleStore::failures(std::string_view key, double now, double window, bool add) {
    const auto ttl_ms = static_cast<long long>(std::ceil(window * 1000));
    RedisPool::Reply reply = run_script(3, key, {number(now), add ? "1" : "0", std::to_string(std::max(1LL, ttl_ms))});
    FailureCount f;
    f.count = static_cast<long>(reply->element[0]->integer);
    if (reply->element[1]->type == REDIS_REPLY_STRING) f.last = std::strtod(reply->element[1]->str, nullptr);
    return f;
}

void RedisThrottleStore::forget(std::string_view key) {
    run_script(2, key, {});
}

}  // namespace authpolicy::throttle
