#include "core/common/redis_pool.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include "core/common/error.h"

namespace authpolicy {
namespace {

double monotonic_seconds() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct RedisPool::Slot {
    std::mutex mutex;
    redisContext* ctx = nullptr;
    double retry_at = 0;  // monotonic time before which no reconnect is tried
    ~Slot() {
        if (ctx) redisFree(ctx);
    }
};

RedisPool::Reply& RedisPool::Reply::operator=(Reply&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
}

RedisPool::Reply::~Reply() {
    if (r_) freeReplyObject(r_);
}

RedisPool::RedisPool(RedisConnectionSettings settings)
    : settings_(std::move(settings)), where_("redis " + settings_.host + ":" + std::to_string(settings_.port)) {
    for (int i = 0; i < std::max(1, settings_.pool_size); ++i) slots_.push_back(std::make_unique<Slot>());
}

RedisPool::~RedisPool() = default;

RedisPool::Reply RedisPool::command(const std::vector<std::string>& args) {
    const size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % slots_.size();
    Slot& slot = *slots_[start];
    std::lock_guard lock(slot.mutex);
    const timeval tv{settings_.timeout_ms / 1000, (settings_.timeout_ms % 1000) * 1000};
    if (slot.ctx == nullptr) {
        if (monotonic_seconds() < slot.retry_at)
            throw Error(ErrorCode::Store, where_ + " unavailable (waiting before reconnecting)");
        slot.ctx = redisConnectWithTimeout(settings_.host.c_str(), settings_.port, tv);
        if (slot.ctx == nullptr || slot.ctx->err) {
            const std::string why = slot.ctx ? slot.ctx->errstr : "out of memory";
            if (slot.ctx) redisFree(slot.ctx);
            slot.ctx = nullptr;
            slot.retry_at = monotonic_seconds() + settings_.retry_after_s;
            throw Error(ErrorCode::Store, where_ + " unavailable: " + why);
        }
        redisSetTimeout(slot.ctx, tv);
    }
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    Reply reply(
        static_cast<redisReply*>(redisCommandArgv(slot.ctx, static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (reply.get() == nullptr) {
        const std::string why = slot.ctx->errstr;
        redisFree(slot.ctx);
        slot.ctx = nullptr;
        slot.retry_at = monotonic_seconds() + settings_.retry_after_s;
        throw Error(ErrorCode::Store, where_ + " unavailable: " + why);
    }
    return reply;
}

}  // namespace authpolicy
