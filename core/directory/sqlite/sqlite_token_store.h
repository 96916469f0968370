// API tokens (table authp_token), stored as SHA-256 digests of their keys.
// Lookup is by digest: an attacker who controls the key does not control which bytes of the
// index are compared, so the B-tree search leaks nothing useful about stored keys.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/digest.h"
#include "core/directory/sqlite/sqlite_database.h"
#include "core/directory/token_record.h"

namespace authpolicy::directory::sqlite {

class SqliteTokenStore {
  public:
    explicit SqliteTokenStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

    // The token and its owner in one query; nullopt when unknown.
    std::optional<TokenRecord> find(const crypto::Sha256& digest) const;
    // Throws Error(NotFound) when the user does not exist.
    int64_t add(const crypto::Sha256& digest, std::string_view username, std::string_view name, int64_t created,
                std::optional<int64_t> expires);
    bool revoke(const crypto::Sha256& digest);
    // [{"id","username","name","created","expires"}]; all users when username is nullopt.
    std::string list_json(std::optional<std::string_view> username) const;

  private:
    std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace authpolicy::directory::sqlite
