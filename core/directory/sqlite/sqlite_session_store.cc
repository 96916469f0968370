#include "core/directory/sqlite/sqlite_session_store.h"

#include "core/crypto/random.h"

namespace authpolicy::directory::sqlite {

std::optional<SessionRow> SqliteSessionStore::find(const crypto::Sha256& digest) const {
    return db_->read([&](Connection& c) -> std::optional<SessionRow> {
        Statement s =
            c.prepare("SELECT user_id, auth_hash, created, last_seen, expires FROM authp_session WHERE digest = ?");
        s.bind_blob(1, digest.data(), digest.size());
        if (!s.step()) return std::nullopt;
        return SessionRow{s.column_int(0), s.column_text(1), s.column_int(2), s.column_int(3), s.column_int(4)};
    });
}

void SqliteSessionStore::add(const crypto::Sha256& digest, const SessionRow& row,
                             const std::optional<crypto::Sha256>& replaces) {
    db_->write([&](Connection& c) {
        if (replaces) {
            Statement d = c.prepare("DELETE FROM authp_session WHERE digest = ?");
            d.bind_blob(1, replaces->data(), replaces->size());
            d.run();
        }
        Statement s = c.prepare(
            "INSERT INTO authp_session (digest, user_id, auth_hash, created, last_seen, expires) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        s.bind_blob(1, digest.data(), digest.size())
            .bind(2, row.user_id)
            .bind(3, row.auth_hash)
            .bind(4, row.created)
            .bind(5, row.last_seen)
            .bind(6, row.expires);
        s.run();
    });
}

bool SqliteSessionStore::remove(const crypto::Sha256& digest) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_session WHERE digest = ?");
        s.bind_blob(1, digest.data(), digest.size());
        s.run();
        return c.changes() > 0;
    });
}

int64_t SqliteSessionStore::remove_user(int64_t user_id) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_session WHERE user_id = ?");
        s.bind(1, user_id);
        s.run();
        return c.changes();
    });
}

void SqliteSessionStore::touch(const crypto::Sha256& digest, int64_t now) {
    db_->write([&](Connection& c) {
        Statement s = c.prepare("UPDATE authp_session SET last_seen = ? WHERE digest = ? AND last_seen < ?");
        s.bind(1, now).bind_blob(2, digest.data(), digest.size()).bind(3, now);
        s.run();
    });
}

int64_t SqliteSessionStore::purge_expired(int64_t now) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_session WHERE expires <= ?");
        s.bind(1, now);
        s.run();
        return c.changes();
    });
}

std::string SqliteSessionStore::secret() const {
    std::call_once(secret_once_, [this] {
        const std::string fresh = crypto::random_hex(32);
        secret_ = db_->write([&](Connection& c) {
            {
                Statement i = c.prepare("INSERT OR IGNORE INTO authp_secret (name, value) VALUES ('session', ?)");
                i.bind(1, fresh);
                i.run();
            }
            Statement s = c.prepare("SELECT value FROM authp_secret WHERE name = 'session'");
            s.step();
            return s.column_text(0);
        });
    });
    return secret_;
}

}  // namespace authpolicy::directory::sqlite
