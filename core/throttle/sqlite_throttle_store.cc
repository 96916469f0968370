#include "core/throttle/sqlite_throttle_store.h"

#include "core/throttle/packed_history.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace authpolicy::throttle {
namespace {

using directory::sqlite::Connection;
using directory::sqlite::Statement;

constexpr unsigned kPurgeEvery = 1024;  // expired rows are deleted every this many writes

}  // namespace

void SqliteThrottleStore::purge_expired(Connection& c, double now) {
    if (writes_.fetch_add(1, std::memory_order_relaxed) % kPurgeEvery != 0) return;
    Statement s = c.prepare("DELETE FROM authp_throttle WHERE expires_at <= ?");
    sqlite3_bind_double(s.raw(), 1, now);
    s.run();
}

SlidingLogResult SqliteThrottleStore::sliding_log(std::string_view key, double now, long num_requests,
                                                  double duration) {
    return db_->write([&](Connection& c) {
        std::vector<double> history;  // oldest first
        {
            Statement s = c.prepare("SELECT history, expires_at FROM authp_throttle WHERE key = ?");
            s.bind(1, key);
            if (s.step() && sqlite3_column_double(s.raw(), 1) > now) history = unpack_history(s.column_text(0));
        }
        const SlidingLogResult r = slide(history, now, num_requests, duration);
        if (!r.allowed) return r;
        Statement s = c.prepare(
            "INSERT INTO authp_throttle (key, history, expires_at) VALUES (?1, ?2, ?3) "
            "ON CONFLICT(key) DO UPDATE SET history = ?2, expires_at = ?3");
        s.bind(1, key).bind_blob(2, history.data(), history.size() * sizeof(double));
        sqlite3_bind_double(s.raw(), 3, now + duration);
        s.run();
        purge_expired(c, now);
        return r;
    });
}

GcraResult SqliteThrottleStore::gcra(std::string_view key, double now, double emission_interval, double tolerance) {
    return db_->write([&](Connection& c) {
        double tat = now;
        {
            Statement s = c.prepare("SELECT tat FROM authp_throttle WHERE key = ?");
            s.bind(1, key);
            if (s.step()) tat = std::max(tat, sqlite3_column_double(s.raw(), 0));
        }
        if (tat - now > tolerance) return GcraResult{false, tat - tolerance - now};
        Statement s = c.prepare(
            "INSERT INTO authp_throttle (key, tat, expires_at) VALUES (?1, ?2, ?2) "
            "ON CONFLICT(key) DO UPDATE SET tat = ?2, expires_at = ?2");
        s.bind(1, key);
        sqlite3_bind_double(s.raw(), 2, tat + emission_interval);
        s.run();
        purge_expired(c, now);
        return GcraResult{true, 0};
    });
}

// Failure counters share authp_throttle (no schema change): tat = the last failure, history =
// the count as one double, expires_at = when the count lapses.
FailureCount SqliteThrottleStore::failures(std::string_view key, double now, double window, bool add) {
    const auto read = [&](Connection& c) {
        FailureCount f;
        Statement s = c.prepare("SELECT history, tat, expires_at FROM authp_throttle WHERE key = ?");
        s.bind(1, key);
        if (s.step() && sqlite3_column_double(s.raw(), 2) > now) {
            const std::vector<double> count = unpack_history(s.column_text(0));
            f.count = count.empty() ? 0 : static_cast<long>(count.front());
            f.last = sqlite3_column_double(s.raw(), 1);
        }
        return f;
    };
    if (!add) return db_->read([&](Connection& c) { return read(c); });
    return db_->write([&](Connection& c) {
        FailureCount f = read(c);
        f.count += 1;
        f.last = now;
        const double count = static_cast<double>(f.count);
        Statement s = c.prepare(
            "INSERT INTO authp_throttle (key, history, tat, expires_at) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT(key) DO UPDATE SET history = ?2, tat = ?3, expires_at = ?4");
        s.bind(1, key).bind_blob(2, &count, sizeof count);
        sqlite3_bind_double(s.raw(), 3, now);
        sqlite3_bind_double(s.raw(), 4, now + window);
        s.run();
        purge_expired(c, now);
        return f;
    });
}

void SqliteThrottleStore::forget(std::string_view key) {
    db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_throttle WHERE key = ?");
        s.bind(1, key);
        s.run();
        return 0;
    });
}

}  // namespace authpolicy::throttle
