#include "core/directory/postgres/pg_pool.h"

#include <algorithm>
#include <cstdio>

#include "core/common/error.h"

namespace authpolicy::directory::postgres {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};

}  // namespace

PgPool::PgPool(PgOptions options) : options_(std::move(options)), target_(redact_conninfo(options_.conninfo)) {}

PgPool::Lease& PgPool::Lease::operator=(Lease&& other) noexcept {
    if (this != &other) {
        if (pool != nullptr && conn) pool->release(std::move(conn));
        pool = other.pool;
        conn = std::move(other.conn);
        reused = other.reused;
        other.pool = nullptr;
    }
    return *this;
}

PgPool::Lease::~Lease() {
    if (pool != nullptr && conn) pool->release(std::move(conn));
}

PgPool::Lease PgPool::acquire() const {
    using Clock = std::chrono::steady_clock;
    std::unique_lock lock(mutex_);
    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(options_.connect_timeout));
    while (true) {
        if (!idle_.empty()) {
            Lease lease;
            lease.pool = this;
            lease.conn = std::move(idle_.back());
            lease.reused = true;
            idle_.pop_back();
            return lease;
        }
        if (open_ < options_.pool_size) {
            if (Clock::now() < retry_at_) throw Error(ErrorCode::Store, last_error_);  // fail fast
            ++open_;
            lock.unlock();
            try {
                Lease lease;
                lease.conn = std::make_unique<PgConnection>(options_.conninfo, target_, options_.connect_timeout,
                                                            options_.statement_timeout, options_.prepared_statements);
                lease.pool = this;
                lock.lock();
                backoff_ = std::chrono::milliseconds(0);
                retry_at_ = {};
                return lease;
            } catch (const Error& e) {
                lock.lock();
                --open_;
                backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
                retry_at_ = Clock::now() + backoff_;
                last_error_ = e.what();
                freed_.notify_one();
                throw;
            }
        }
        if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            open_ >= options_.pool_size) {
            char secs[32];
            std::snprintf(secs, sizeof secs, "%g", options_.connect_timeout);
            throw Error(ErrorCode::Store, "PostgreSQL: no free connection within " + std::string(secs) + " s (all " +
                                              std::to_string(options_.pool_size) + " busy) (" + target_ + ")");
        }
    }
}

void PgPool::release(std::unique_ptr<PgConnection> conn) const {
    // A broken session, or one left inside a transaction, is never handed out again.
    const bool keep = !conn->broken() && conn->idle();
    std::unique_ptr<PgConnection> doomed;  // closed outside the lock
    {
        std::lock_guard lock(mutex_);
        if (keep) {
            idle_.push_back(std::move(conn));
        } else {
            doomed = std::move(conn);
            --open_;
        }
    }
    freed_.notify_one();
}

void PgPool::discard_idle() const {
    std::vector<std::unique_ptr<PgConnection>> doomed;
    {
        std::lock_guard lock(mutex_);
        doomed.swap(idle_);
        open_ -= doomed.size();
    }
    freed_.notify_all();
}

bool PgPool::begin(Lease& lease) {
    try {
        lease.conn->begin();
        return true;
    } catch (const Error&) {
        if (!lease.reused || !lease.conn->broken()) throw;
        return false;
    }
}

}  // namespace authpolicy::directory::postgres
