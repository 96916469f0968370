#include "core/authn/postgres_dpop_replay_store.h"

#include <cstdio>
#include <string>

#include "core/common/error.h"
#include "core/directory/postgres/pg_schema.h"

namespace authpolicy::authn {
namespace {

using directory::postgres::PgConnection;
using directory::postgres::PgResult;

// Exact: 17 significant digits round-trip a double.
std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

PostgresDpopReplayStore::PostgresDpopReplayStore(directory::postgres::PgOptions options) : pool_(std::move(options)) {}

directory::postgres::PgPool& PostgresDpopReplayStore::use() {
    migration_.ensure(pool_);
    return pool_;
}

DpopReplayStore::Result PostgresDpopReplayStore::remember(const crypto::Sha256& digest, double expires, double now) {
    directory::postgres::PgPool& pool = use();
    // One autocommit statement (no BEGIN/COMMIT round trips). A row left expired but not yet
    // purged is taken over; a live one is left alone and no row comes back. PgPool::read runs it
    // again once if a pooled connection turns out dead: a retry can only find its own first
    // attempt's row and answer Replayed, a refusal, never a second acceptance.
    const bool fresh = pool.read([&](PgConnection& c) {
        PgResult r = c.exec(
            "INSERT INTO authp_dpop_jti (digest, expires) VALUES ($1::bytea, $2::float8) "
            "ON CONFLICT (digest) DO UPDATE SET expires = EXCLUDED.expires "
            "WHERE authp_dpop_jti.expires <= $3::float8 RETURNING 1",
            {directory::postgres::bytea_param(digest), number(expires), number(now)});
        return r.rows() == 1;
    });
    if (inserts_.fetch_add(1, std::memory_order_relaxed) % kPurgeEvery == kPurgeEvery - 1) {
        // Housekeeping: the jti is recorded, so a failed purge must not refuse the proof.
        try {
            purge(now);
        } catch (const Error&) {
        }
    }
    return fresh ? Result::Fresh : Result::Replayed;
}

long PostgresDpopReplayStore::purge(double now) {
    // Bounded: a backlog is worked off over several purges, never in one long statement.
    return use().read([&](PgConnection& c) {
        PgResult r = c.exec(
            "DELETE FROM authp_dpop_jti WHERE digest IN "
            "(SELECT digest FROM authp_dpop_jti WHERE expires <= $1::float8 LIMIT " +
                std::to_string(kPurgeBatch) + ")",
            {number(now)});
        return static_cast<long>(r.affected());
    });
}

}  // namespace authpolicy::authn
