#include "core/directory/postgres/pg_schema.h"

#include <string>

#include "core/common/error.h"

namespace authpolicy::directory::postgres {
namespace {

// pg_advisory_xact_lock key for migrations: "authp_sc" as a 64-bit integer.
constexpr const char* kLock = "SELECT pg_advisory_xact_lock(7022344200346874723)";

// Step i takes the schema from version i to i + 1; steps are never edited once released.
// Booleans are BOOLEAN and times BIGINT Unix seconds.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS authp_user (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    is_staff BOOLEAN NOT NULL DEFAULT FALSE,
    is_superuser BOOLEAN NOT NULL DEFAULT FALSE,
    attributes TEXT NOT NULL DEFAULT '{}',
    date_joined BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS authp_token (
    id BIGSERIAL PRIMARY KEY,
    digest BYTEA NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    expires BIGINT
);
CREATE INDEX IF NOT EXISTS authp_token_user ON authp_token(user_id);
CREATE TABLE IF NOT EXISTS authp_oauth_token (
    id BIGSERIAL PRIMARY KEY,
    digest BYTEA NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    expires BIGINT
);
CREATE INDEX IF NOT EXISTS authp_oauth_token_user ON authp_oauth_token(user_id);
CREATE TABLE IF NOT EXISTS authp_session (
    digest BYTEA PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    auth_hash TEXT NOT NULL,
    created BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    expires BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS authp_session_user ON authp_session(user_id);
CREATE INDEX IF NOT EXISTS authp_session_expiry ON authp_session(expires);
CREATE TABLE IF NOT EXISTS authp_secret (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql",
    // 2: THROTTLE_BACKEND "postgresql" and LOGIN_FAILURES counters (core/throttle/). Keys are
    // SHA-256 digests; a row with expires_at 0 was made only to be locked and reads as empty.
    R"sql(
CREATE TABLE IF NOT EXISTS authp_throttle (
    key BYTEA PRIMARY KEY,
    history BYTEA NOT NULL DEFAULT '\x',
    tat DOUBLE PRECISION NOT NULL DEFAULT 0,
    expires_at DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS authp_throttle_expiry ON authp_throttle(expires_at);
)sql",
    // 3: the engine's own API keys (docs/api-keys.md): selector and verifier, never the key.
    R"sql(
CREATE TABLE IF NOT EXISTS authp_api_key (
    id BIGSERIAL PRIMARY KEY,
    selector TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    verifier BYTEA NOT NULL,
    user_id BIGINT NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    scopes TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    expires BIGINT,
    last_used BIGINT,
    revoked BIGINT
);
CREATE INDEX IF NOT EXISTS authp_api_key_user ON authp_api_key(user_id);
)sql",
    // 4: DPOP_REPLAY_BACKEND "postgresql" (core/authn/postgres_dpop_replay_store.cc): the
    // SHA-256 of a DPoP proof's key thumbprint and jti, and when it may be forgotten (Unix
    // seconds). UNLOGGED: a proof's commit then writes no WAL and waits for no fsync (ms → µs);
    // a crash of the server empties it, as a restart empties a Redis without persistence.
    R"sql(
CREATE UNLOGGED TABLE IF NOT EXISTS authp_dpop_jti (
    digest BYTEA PRIMARY KEY,
    expires DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS authp_dpop_jti_expiry ON authp_dpop_jti(expires);
)sql",
};
static_assert(std::size(kMigrations) == kPgSchemaVersion);

}  // namespace

int pg_schema_version(PgConnection& c) {
    PgResult exists = c.exec_script("SELECT to_regclass('authp_schema') IS NOT NULL");
    if (!exists.boolean(0, 0)) return 0;
    PgResult r = c.exec_script("SELECT coalesce(max(version), 0) FROM authp_schema");
    return static_cast<int>(r.int64(0, 0));
}

void pg_migrate(PgPool& pool) {
    // The common case, an up-to-date database, needs neither the lock nor CREATE rights.
    if (pool.read([](PgConnection& c) { return pg_schema_version(c); }) == kPgSchemaVersion) return;
    for (bool done = false; !done;) {
        done = pool.write([&](PgConnection& c) {
            c.exec_script(kLock);
            c.exec_script("CREATE TABLE IF NOT EXISTS authp_schema (version INT NOT NULL)");
            const int version = pg_schema_version(c);
            if (version > kPgSchemaVersion)
                // Worded as the SQLite backend words it (sqlite_database.cc).
                throw Error(ErrorCode::Store, "database '" + pool.target() + "' has schema version " +
                                                  std::to_string(version) + ", newer than this library's " +
                                                  std::to_string(kPgSchemaVersion));
            if (version == kPgSchemaVersion) return true;
            c.exec_script(kMigrations[version]);
            c.exec_script("DELETE FROM authp_schema");
            c.exec("INSERT INTO authp_schema (version) VALUES ($1::int)", {std::to_string(version + 1)});
            return version + 1 == kPgSchemaVersion;
        });
    }
}

void PgMigrateOnce::ensure(PgPool& pool) {
    if (done_.load(std::memory_order_acquire)) return;
    std::lock_guard lock(mutex_);
    if (done_.load(std::memory_order_relaxed)) return;
    pg_migrate(pool);
    done_.store(true, std::memory_order_release);
}

}  // namespace authpolicy::directory::postgres
