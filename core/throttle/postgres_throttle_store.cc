#include "core/throttle/postgres_throttle_store.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/crypto/digest.h"
#include "core/crypto/hex.h"
#include "core/directory/postgres/pg_schema.h"
#include "core/throttle/packed_history.h"

namespace authpolicy::throttle {
namespace {

using directory::postgres::PgConnection;
using directory::postgres::PgPool;
using directory::postgres::PgResult;

constexpr unsigned kPurgeEvery = 1024;  // expired rows are deleted every this many writes

std::string key_param(std::string_view key) {
    const crypto::Sha256 d = crypto::sha256(key);
    return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// Exact: 17 significant digits round-trip a double.
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

double number_of(const PgResult& r, int col) {
    return std::stod(r.text(0, col));
}

std::string hex_of(const std::string& bytes) {
    return crypto::to_hex(bytes);
}

std::string bytes_of_hex(const std::string& hex) {
    std::string out(hex.size() / 2, '\0');
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return out;
}

}  // namespace

PostgresThrottleStore::PostgresThrottleStore(directory::postgres::PgOptions options) : pool_(std::move(options)) {}

PgPool& PostgresThrottleStore::use() {
    migration_.ensure(pool_);
    return pool_;
}

// A row that does not exist yet cannot be locked, so it is made first (expired: reads as empty);
// ON CONFLICT DO NOTHING keeps concurrent first requests from failing, and FOR UPDATE then
// serialises them on the one row.
PostgresThrottleStore::Row PostgresThrottleStore::lock_row(PgConnection& c, const std::string& key) {
    c.exec("INSERT INTO authp_throttle (key) VALUES (decode($1::text, 'hex')) ON CONFLICT (key) DO NOTHING", {key});
    PgResult r = c.exec(
        "SELECT encode(history, 'hex'), tat, expires_at FROM authp_throttle WHERE key = decode($1::text, 'hex') "
        "FOR UPDATE",
        {key});
    Row row;
    row.history = bytes_of_hex(r.text(0, 0));
    row.tat = number_of(r, 1);
    row.expires_at = number_of(r, 2);
    return row;
}

void PostgresThrottleStore::store_row(PgConnection& c, const std::string& key, const Row& row) {
    c.exec(
        "UPDATE authp_throttle SET history = decode($2::text, 'hex'), tat = $3::float8, expires_at = $4::float8 "
        "WHERE key = decode($1::text, 'hex')",
        {key, hex_of(row.history), number(row.tat), number(row.expires_at)});
}

void PostgresThrottleStore::purge_expired(PgConnection& c, double now) {
    if (writes_.fetch_add(1, std::memory_order_relaxed) % kPurgeEvery != 0) return;
    c.exec("DELETE FROM authp_throttle WHERE expires_at <= $1::float8 AND expires_at > 0", {number(now)});
}

SlidingLogResult PostgresThrottleStore::sliding_log(std::string_view key, double now, long num_requests,
                                                    double duration) {
    const std::string k = key_param(key);
    return use().write([&](PgConnection& c) {
        Row row = lock_row(c, k);
        std::vector<double> history = row.expires_at > now ? unpack_history(row.history) : std::vector<double>{};
        const SlidingLogResult r = slide(history, now, num_requests, duration);
        if (!r.allowed) return r;
        row.history = pack_history(history);
        row.expires_at = now + duration;
        store_row(c, k, row);
        purge_expired(c, now);
        return r;
    });
}

GcraResult PostgresThrottleStore::gcra(std::string_view key, double now, double emission_interval, double tolerance) {
    const std::string k = key_param(key);
    return use().write([&](PgConnection& c) {
        Row row = lock_row(c, k);
        const double tat = std::max(now, row.expires_at > 0 ? row.tat : now);
        if (tat - now > tolerance) return GcraResult{false, tat - tolerance - now};
        row.tat = tat + emission_interval;
        row.expires_at = row.tat;
        store_row(c, k, row);
        purge_expired(c, now);
        return GcraResult{true, 0};
    });
}

// As in the SQLite store: tat = the last failure, history = the count as one double,
// expires_at = when the count lapses.
FailureCount PostgresThrottleStore::failures(std::string_view key, double now, double window, bool add) {
    const std::string k = key_param(key);
    if (!add) {
        return use().read([&](PgConnection& c) {
            FailureCount f;
            PgResult r = c.exec(
                "SELECT encode(history, 'hex'), tat, expires_at FROM authp_throttle "
                "WHERE key = decode($1::text, 'hex') AND expires_at > $2::float8",
                {k, number(now)});
            if (r.rows() > 0) {
                const std::vector<double> count = unpack_history(bytes_of_hex(r.text(0, 0)));
                f.count = count.empty() ? 0 : static_cast<long>(count.front());
                f.last = number_of(r, 1);
            }
            return f;
        });
    }
    return use().write([&](PgConnection& c) {
        Row row = lock_row(c, k);
        FailureCount f;
        if (row.expires_at > now) {
            const std::vector<double> count = unpack_history(row.history);
            f.count = count.empty() ? 0 : static_cast<long>(count.front());
        }
        f.count += 1;
        f.last = now;
        row.history = pack_history({static_cast<double>(f.count)});
        row.tat = now;
        row.expires_at = now + window;
        store_row(c, k, row);
        purge_expired(c, now);
        return f;
    });
}

void PostgresThrottleStore::forget(std::string_view key) {
    const std::string k = key_param(key);
    use().write(
        [&](PgConnection& c) { c.exec("DELETE FROM authp_throttle WHERE key = decode($1::text, 'hex')", {k}); });
}

}  // namespace authpolicy::throttle
