// Embedded sessions (table authp_session): keys are never stored, only their SHA-256 digests,
// so a copy of the database cannot be replayed as cookies.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/digest.h"
#include "core/directory/directory.h"
#include "core/directory/sqlite/sqlite_database.h"

namespace authpolicy::directory::sqlite {

class SqliteSessionStore {
  public:
    explicit SqliteSessionStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

    std::optional<SessionRow> find(const crypto::Sha256& digest) const;
    // Inserts the new session and, in the same transaction, deletes `replaces` (rotation on login).
    void add(const crypto::Sha256& digest, const SessionRow& row, const std::optional<crypto::Sha256>& replaces);
    bool remove(const crypto::Sha256& digest);
    int64_t remove_user(int64_t user_id);
    void touch(const crypto::Sha256& digest, int64_t now);
    int64_t purge_expired(int64_t now);
    // A random per-database key for session auth hashes, made on first use (OpenSSL RNG).
    std::string secret() const;

  private:
    std::shared_ptr<SqliteDatabase> db_;
    mutable std::once_flag secret_once_;
    mutable std::string secret_;
};

}  // namespace authpolicy::directory::sqlite
