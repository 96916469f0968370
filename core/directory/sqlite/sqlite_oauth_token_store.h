// OAuth 2.0 opaque access tokens (table authp_oauth_token, schema version 3): only the SHA-256
// digest of a token is stored, with its user, client id, scopes and expiry.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/digest.h"
#include "core/directory/directory.h"
#include "core/directory/sqlite/sqlite_database.h"
#include "core/engine/user.h"

namespace authpolicy::directory::sqlite {

class SqliteOAuthTokenStore {
  public:
    explicit SqliteOAuthTokenStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

    std::optional<OAuthTokenRecord> find(const crypto::Sha256& digest) const;
    // Throws Error(NotFound) when the user does not exist.
    int64_t add(const crypto::Sha256& digest, std::string_view username, std::string_view client_id,
                std::string_view scope, int64_t created, std::optional<int64_t> expires);
    bool revoke(const crypto::Sha256& digest);
    // [{"id","username","client_id","scope","created","expires"}]; all users when nullopt.
    std::string list_json(std::optional<std::string_view> username) const;

  private:
    std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace authpolicy::directory::sqlite
