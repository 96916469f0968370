#include "core/throttle/redis_throttle_store.h"

#include <hiredis/hiredis.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>

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

double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct RedisThrottleStore::Slot {
    std::mutex mutex;
    redisContext* ctx = nullptr;
    double retry_at = 0;  // monotonic time before which no reconnect is tried
    ~Slot() {
        if (ctx) redisFree(ctx);
    }
};

struct RedisThrottleStore::Reply {
    redisReply* r = nullptr;
    ~Reply() {
        if (r) freeReplyObject(r);
    }
    Reply() = default;
    Reply(Reply&& o) noexcept : r(o.r) { o.r = nullptr; }
    Reply& operator=(Reply&& o) noexcept {
        std::swap(r, o.r);
        return *this;
    }
};

RedisThrottleStore::RedisThrottleStore(RedisSettings settings) : settings_(std::move(settings)) {
    for (int i = 0; i < std::max(1, settings_.pool_size); ++i) slots_.push_back(std::make_unique<Slot>());
}

RedisThrottleStore::~RedisThrottleStore() = default;

RedisThrottleStore::Reply RedisThrottleStore::run_script(int script, std::string_view key,
                                                         const std::vector<std::string>& args) {
    const size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % slots_.size();
    Slot& slot = *slots_[start];
    std::lock_guard lock(slot.mutex);
    const std::string where = settings_.host + ":" + std::to_string(settings_.port);
    const timeval tv{settings_.timeout_ms / 1000, (settings_.timeout_ms % 1000) * 1000};
    if (slot.ctx == nullptr) {
        if (monotonic_seconds() < slot.retry_at)
            throw Error(ErrorCode::Store, "redis " + where + " unavailable (waiting before reconnecting)");
        slot.ctx = redisConnectWithTimeout(settings_.host.c_str(), settings_.port, tv);
        if (slot.ctx == nullptr || slot.ctx->err) {
            const std::string why = slot.ctx ? slot.ctx->errstr : "out of memory";
            if (slot.ctx) redisFree(slot.ctx);
            slot.ctx = nullptr;
            slot.retry_at = monotonic_seconds() + settings_.retry_after_s;
            throw Error(ErrorCode::Store, "redis " + where + " unavailable: " + why);
        }
        redisSetTimeout(slot.ctx, tv);
    }
    // EVALSHA first (the script is cached by the server); EVAL once if the server lost it.
    static const char* const bodies[4] = {kSlidingLog, kGcra, kForget, kFailures};
    const char* body = bodies[script];
    static const std::string shas[4] = {crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kSlidingLog)),
                                        crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kGcra)),
                                        crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kForget)),
                                        crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha1, kFailures))};
    const std::string full_key = settings_.prefix + std::string(key);
    std::vector<const char*> argv{"EVALSHA", shas[script].c_str(), "1", full_key.c_str()};
    std::vector<size_t> lens{7, shas[script].size(), 1, full_key.size()};
    for (const auto& a : args) {
        argv.push_back(a.c_str());
        lens.push_back(a.size());
    }
    Reply reply;
    const auto send = [&] {
        reply = Reply();
        reply.r = static_cast<redisReply*>(
            redisCommandArgv(slot.ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
    };
    send();
    if (reply.r != nullptr && reply.r->type == REDIS_REPLY_ERROR && std::strncmp(reply.r->str, "NOSCRIPT", 8) == 0) {
        argv[0] = "EVAL";
        lens[0] = 4;
        argv[1] = body;
        lens[1] = std::strlen(body);
        send();
    }
    if (reply.r == nullptr) {
        const std::string why = slot.ctx->errstr;
        redisFree(slot.ctx);
        slot.ctx = nullptr;
        slot.retry_at = monotonic_seconds() + settings_.retry_after_s;
        throw Error(ErrorCode::Store, "redis " + where + " unavailable: " + why);
    }
    if (reply.r->type == REDIS_REPLY_ERROR) throw Error(ErrorCode::Store, "redis " + where + " error: " + reply.r->str);
    if (reply.r->type != REDIS_REPLY_ARRAY || reply.r->elements < 2)
        throw Error(ErrorCode::Store, "redis " + where + " returned an unexpected reply");
    return reply;
}

SlidingLogResult RedisThrottleStore::sliding_log(std::string_view key, double now, long num_requests, double duration) {
    const auto ttl_ms = static_cast<long long>(std::ceil(duration * 1000));
    Reply reply =
        run_script(0, key, {number(now), std::to_string(num_requests), number(duration), std::to_string(ttl_ms)});
    SlidingLogResult r;
    r.allowed = reply.r->element[0]->integer == 1;
    r.history_length = static_cast<size_t>(reply.r->element[1]->integer);
    if (reply.r->elements > 2 && reply.r->element[2]->type == REDIS_REPLY_STRING)
        r.oldest = std::strtod(reply.r->element[2]->str, nullptr);
    return r;
}

GcraResult RedisThrottleStore::gcra(std::string_view key, double now, double emission_interval, double tolerance) {
    Reply reply = run_script(1, key, {number(now), number(emission_interval), number(tolerance)});
    GcraResult g;
    g.allowed = reply.r->element[0]->integer == 1;
    if (reply.r->element[1]->type == REDIS_REPLY_STRING) g.wait = std::strtod(reply.r->element[1]->str, nullptr);
    return g;
}

FailureCount RedisThrottleStore::failures(std::string_view key, double now, double window, bool add) {
    const auto ttl_ms = static_cast<long long>(std::ceil(window * 1000));
    Reply reply = run_script(3, key, {number(now), add ? "1" : "0", std::to_string(std::max(1LL, ttl_ms))});
    FailureCount f;
    f.count = static_cast<long>(reply.r->element[0]->integer);
    if (reply.r->element[1]->type == REDIS_REPLY_STRING) f.last = std::strtod(reply.r->element[1]->str, nullptr);
    return f;
}

void RedisThrottleStore::forget(std::string_view key) {
    run_script(2, key, {});
}

}  // namespace authpolicy::throttle
