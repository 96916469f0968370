#include "core/directory/sqlite/sqlite_database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <thread>

#include "core/common/error.h"

namespace authpolicy::directory::sqlite {
namespace {

constexpr int kSchemaVersion = 5;

// Each step takes the schema from version i to i + 1; steps are never edited once released.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS authp_user (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    is_staff INTEGER NOT NULL DEFAULT 0,
    is_superuser INTEGER NOT NULL DEFAULT 0,
    attributes TEXT NOT NULL DEFAULT '{}',
    date_joined INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS authp_token (
    id INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    expires INTEGER
);
CREATE INDEX IF NOT EXISTS authp_token_user ON authp_token(user_id);
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS authp_throttle (
    key TEXT PRIMARY KEY,
    history BLOB NOT NULL DEFAULT x'',
    tat REAL NOT NULL DEFAULT 0,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS authp_throttle_expiry ON authp_throttle(expires_at);
)sql",
    // 3: OAuth 2.0 opaque access tokens (digest only), for OAuth2Authentication.
    R"sql(
CREATE TABLE IF NOT EXISTS authp_oauth_token (
    id INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    expires INTEGER
);
CREATE INDEX IF NOT EXISTS authp_oauth_token_user ON authp_oauth_token(user_id);
)sql",
    // 4: embedded sessions (SessionAuthentication) and per-database secrets.
    R"sql(
CREATE TABLE IF NOT EXISTS authp_session (
    digest BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    auth_hash TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS authp_session_user ON authp_session(user_id);
CREATE INDEX IF NOT EXISTS authp_session_expiry ON authp_session(expires);
CREATE TABLE IF NOT EXISTS authp_secret (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // 5: the engine's own API keys (docs/api-keys.md): selector and verifier, never the key.
    R"sql(
CREATE TABLE IF NOT EXISTS authp_api_key (
    id INTEGER PRIMARY KEY,
    selector TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    verifier BLOB NOT NULL,
    user_id INTEGER NOT NULL REFERENCES authp_user(id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    scopes TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    expires INTEGER,
    last_used INTEGER,
    revoked INTEGER
);
CREATE INDEX IF NOT EXISTS authp_api_key_user ON authp_api_key(user_id);
)sql",
};

}  // namespace

SqliteDatabase::SqliteDatabase(std::string path, int busy_timeout_ms)
    : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), in_memory_(path_ == ":memory:") {
    writer_ = std::make_unique<Connection>(path_, true, busy_timeout_ms_);
    protect_file();
    if (!in_memory_) {
        // WAL fails on a read-only file or directory; the database still serves reads then.
        sqlite3_exec(writer_->handle(), "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        sqlite3_exec(writer_->handle(), "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    }
    writer_->exec("PRAGMA foreign_keys=ON");
    migrate();
    const unsigned pool = in_memory_ ? 0 : std::max(2u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < pool; ++i) readers_.push_back(std::make_unique<Slot>());
}

// SQLite creates files 0644 (less the umask) and gives -wal, -shm and -journal files the mode of
// the database file: a fresh, empty database is made 0600 before anything is written (and before
// WAL creates its files), so all four stay private. An existing one is only reported.
void SqliteDatabase::protect_file() {
    const char* file = sqlite3_db_filename(writer_->handle(), "main");
    if (file == nullptr || *file == '\0') return;  // in memory or temporary
    struct stat st {};
    if (::stat(file, &st) != 0 || !S_ISREG(st.st_mode)) return;
    if (st.st_size == 0) {
        ::chmod(file, S_IRUSR | S_IWUSR);
        return;
    }
    if ((st.st_mode & (S_IRGRP | S_IROTH)) != 0)
        exposure_warning_ = "database file '" + std::string(file) +
                            "' is readable by group or others (it holds password hashes and the session "
                            "secret): chmod 600 it";
    else if (st.st_uid != ::geteuid())
        exposure_warning_ = "database file '" + std::string(file) + "' is owned by another user";
}

void SqliteDatabase::migrate() {
    int version = 0;
    {
        Statement s = writer_->prepare("PRAGMA user_version");
        if (s.step()) version = static_cast<int>(s.column_int(0));
    }
    if (version == kSchemaVersion) return;
    if (version > kSchemaVersion) {
        throw Error(ErrorCode::Store, "database '" + path_ + "' has schema version " + std::to_string(version) +
                                          ", newer than this library's " + std::to_string(kSchemaVersion));
    }
    std::lock_guard lock(writer_mutex_);
    writer_->exec("BEGIN IMMEDIATE");
    try {
        for (int v = version; v < kSchemaVersion; ++v) writer_->exec(kMigrations[v]);
        writer_->exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
        writer_->exec("COMMIT");
    } catch (...) {
        sqlite3_exec(writer_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

Connection& SqliteDatabase::writer() {
    return *writer_;
}

SqliteDatabase::Slot& SqliteDatabase::acquire() const {
    const size_t n = readers_.size();
    const size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % n;
    for (size_t k = 0; k < n; ++k) {
        Slot& s = *readers_[(start + k) % n];
        if (s.mutex.try_lock()) return s;
    }
    Slot& s = *readers_[start];
    s.mutex.lock();
    return s;
}

int SqliteDatabase::schema_version() const {
    return read([](Connection& c) {
        Statement s = c.prepare("PRAGMA user_version");
        return s.step() ? static_cast<int>(s.column_int(0)) : 0;
    });
}

int SqliteDatabase::latest_schema_version() {
    return kSchemaVersion;
}

}  // namespace authpolicy::directory::sqlite
