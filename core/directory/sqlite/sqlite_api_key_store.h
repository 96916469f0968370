// API keys (table authp_api_key): looked up by their public selector; the row holds the
// HMAC verifier of the secret, never the key (docs/api-keys.md).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/directory/api_key_record.h"
#include "core/directory/sqlite/sqlite_database.h"

namespace authpolicy::directory::sqlite {

class SqliteApiKeyStore {
  public:
    explicit SqliteApiKeyStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

    std::optional<ApiKeyRecord> find(std::string_view selector) const;
    int64_t add(const NewApiKey& key);
    // The verifier of the key it revoked; nullopt when unknown or already revoked.
    std::optional<crypto::Sha256> revoke(std::string_view selector, int64_t now);
    std::string list_json(std::optional<std::string_view> username) const;
    void record_used(const std::vector<ApiKeyUse>& uses);

  private:
    std::shared_ptr<SqliteDatabase> db_;
};

}  // namespace authpolicy::directory::sqlite
