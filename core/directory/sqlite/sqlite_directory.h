// The embedded directory: one SQLite file (or ":memory:"), made and migrated on first use. No
// server; other processes on the same file see writes at once but are not told about them, so a
// revocation made elsewhere reaches this process's caches after CACHE.TTL at most.
#pragma once

#include <memory>
#include <string>

#include "core/directory/directory.h"
#include "core/directory/sqlite/sqlite_api_key_store.h"
#include "core/directory/sqlite/sqlite_database.h"
#include "core/directory/sqlite/sqlite_oauth_token_store.h"
#include "core/directory/sqlite/sqlite_session_store.h"
#include "core/directory/sqlite/sqlite_token_store.h"
#include "core/directory/sqlite/sqlite_user_store.h"

namespace authpolicy::directory::sqlite {

class SqliteDirectory final : public Directory {
  public:
    explicit SqliteDirectory(std::shared_ptr<SqliteDatabase> db);

    const std::shared_ptr<SqliteDatabase>& database() const { return db_; }

    UserPtr find_user(std::string_view username) const override { return users_.find_by_username(username); }
    UserPtr find_user(int64_t id) const override { return users_.find_by_id(id); }
    std::optional<TokenRecord> find_token(const crypto::Sha256& digest) const override { return tokens_.find(digest); }
    std::optional<SessionRow> find_session(const crypto::Sha256& digest) const override {
        return sessions_.find(digest);
    }
    std::optional<OAuthTokenRecord> find_oauth_token(const crypto::Sha256& digest) const override {
        return oauth_.find(digest);
    }
    std::optional<ApiKeyRecord> find_api_key(std::string_view selector) const override {
        return api_keys_.find(selector);
    }
    std::string session_secret() const override { return sessions_.secret(); }

    std::string describe() const override { return "sqlite:" + db_->path(); }
    std::string exposure_warning() const override { return db_->exposure_warning(); }
    // The embedded database migrates itself when opened.
    SchemaStatus schema() const override { return {db_->schema_version(), SqliteDatabase::latest_schema_version()}; }
    void migrate() override {}

    int64_t add_user(const NewUser& user, int64_t now) override { return users_.add(user, now); }
    void set_password_hash(std::string_view username, std::string_view encoded) override;
    void set_active(std::string_view username, bool active) override;
    void set_roles(std::string_view username, bool is_staff, bool is_superuser) override;
    void delete_user(std::string_view username) override;
    std::string list_users_json() const override { return users_.list_json(); }

    int64_t add_token(const crypto::Sha256& digest, std::string_view username, std::string_view name, int64_t created,
                      std::optional<int64_t> expires) override {
        return tokens_.add(digest, username, name, created, expires);
    }
    bool revoke_token(const crypto::Sha256& digest) override;
    std::string list_tokens_json(std::optional<std::string_view> username) const override {
        return tokens_.list_json(username);
    }

    void add_session(const crypto::Sha256& digest, const SessionRow& row,
                     const std::optional<crypto::Sha256>& replaces) override;
    bool remove_session(const crypto::Sha256& digest) override;
    int64_t remove_user_sessions(int64_t user_id) override;
    void touch_session(const crypto::Sha256& digest, int64_t now) override { sessions_.touch(digest, now); }
    int64_t purge_expired_sessions(int64_t now) override { return sessions_.purge_expired(now); }

    int64_t add_oauth_token(const crypto::Sha256& digest, std::string_view username, std::string_view client_id,
                            std::string_view scope, int64_t created, std::optional<int64_t> expires) override {
        return oauth_.add(digest, username, client_id, scope, created, expires);
    }
    bool revoke_oauth_token(const crypto::Sha256& digest) override;
    std::string list_oauth_tokens_json(std::optional<std::string_view> username) const override {
        return oauth_.list_json(username);
    }

    int64_t add_api_key(const NewApiKey& key) override { return api_keys_.add(key); }
    bool revoke_api_key(std::string_view selector, int64_t now) override;
    std::string list_api_keys_json(std::optional<std::string_view> username) const override {
        return api_keys_.list_json(username);
    }
    void record_api_keys_used(const std::vector<ApiKeyUse>& uses) override { api_keys_.record_used(uses); }

  private:
    void tell(const Revocation& r) const { publish(r); }

    std::shared_ptr<SqliteDatabase> db_;
    mutable SqliteUserStore users_;
    SqliteTokenStore tokens_;
    mutable SqliteSessionStore sessions_;
    SqliteOAuthTokenStore oauth_;
    SqliteApiKeyStore api_keys_;
};

}  // namespace authpolicy::directory::sqlite
