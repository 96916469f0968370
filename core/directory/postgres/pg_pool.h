// A bounded pool of PostgreSQL connections, made lazily. A caller waits at most CONNECT_TIMEOUT
// for a free one. After a failed connect, further attempts within a backoff window (100 ms
// doubling to 2 s) fail at once with the same error: a database that is down must not make every
// decision wait CONNECT_TIMEOUT. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "core/common/error.h"
#include "core/directory/postgres/pg_connection.h"
#include "core/directory/postgres/pg_options.h"

namespace authpolicy::directory::postgres {

class PgPool {
  public:
    explicit PgPool(PgOptions options);
    PgPool(const PgPool&) = delete;
    PgPool& operator=(const PgPool&) = delete;

    const PgOptions& options() const { return options_; }
    // The connection string with its password masked: the only form fit for a message.
    const std::string& target() const { return target_; }

    // Runs fn(PgConnection&) outside a transaction (each statement its own snapshot). A pooled
    // connection found dead (the server restarted) is dropped with its idle siblings and the
    // read is tried once more on a fresh one: a read has no effect to repeat.
    template <class F>
    auto read(F&& fn) const {
        Lease lease = acquire();
        try {
            return fn(*lease.conn);
        } catch (const Error&) {
            if (!lease.reused || !lease.conn->broken()) throw;
        }
        lease = Lease();
        discard_idle();
        Lease fresh = acquire();
        return fn(*fresh.conn);
    }

    // Runs fn(PgConnection&) as one transaction: BEGIN … COMMIT, ROLLBACK when fn throws.
    template <class F>
    auto write(F&& fn) {
        Lease lease = acquire();
        if (!begin(lease)) {  // a dead pooled connection: nothing was done yet, start again
            lease = Lease();
            discard_idle();
            lease = acquire();
            lease.conn->begin();
        }
        PgConnection& c = *lease.conn;
        try {
            if constexpr (std::is_void_v<std::invoke_result_t<F&, PgConnection&>>) {
                fn(c);
                c.commit();
            } else {
                auto result = fn(c);
                c.commit();
                return result;
            }
        } catch (...) {
            c.rollback();
            throw;
        }
    }

  private:
    struct Lease {
        const PgPool* pool = nullptr;
        std::unique_ptr<PgConnection> conn;
        bool reused = false;  // came from the idle list (may have died since)
        Lease() = default;
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&& other) noexcept;
        ~Lease();
    };
    Lease acquire() const;
    void release(std::unique_ptr<PgConnection> conn) const;
    void discard_idle() const;
    // false when a reused connection turned out dead at BEGIN.
    bool begin(Lease& lease);

    PgOptions options_;
    std::string target_;
    mutable std::mutex mutex_;
    mutable std::condition_variable freed_;
    mutable std::vector<std::unique_ptr<PgConnection>> idle_;
    mutable size_t open_ = 0;  // idle + leased + being made
    mutable std::chrono::steady_clock::time_point retry_at_{};
    mutable std::chrono::milliseconds backoff_{0};
    mutable std::string last_error_;
};

}  // namespace authpolicy::directory::postgres
