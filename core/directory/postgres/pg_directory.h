// The PostgreSQL directory: users, tokens, sessions and OAuth tokens shared by every process on
// one database. The constructor never connects (a service must start while the database is
// down); the first use connects and migrates. Every write that takes something away notifies
// authp_revocation in its own transaction, so listeners learn of it exactly when it commits.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "core/directory/directory.h"
#include "core/directory/postgres/pg_listener.h"
#include "core/directory/postgres/pg_options.h"
#include "core/directory/postgres/pg_pool.h"
#include "core/directory/postgres/pg_schema.h"

namespace authpolicy::directory::postgres {

class PgDirectory final : public Directory {
  public:
    explicit PgDirectory(PgOptions options);
    ~PgDirectory() override;

    UserPtr find_user(std::string_view username) const override;
    UserPtr find_user(int64_t id) const override;
    std::optional<TokenRecord> find_token(const crypto::Sha256& digest) const override;
    std::optional<SessionRow> find_session(const crypto::Sha256& digest) const override;
    std::optional<OAuthTokenRecord> find_oauth_token(const crypto::Sha256& digest) const override;
    std::optional<ApiKeyRecord> find_api_key(std::string_view selector) const override;
    std::string session_secret() const override;

    std::string describe() const override { return pool_->target(); }

    int64_t add_user(const NewUser& user, int64_t now) override;
    void set_password_hash(std::string_view username, std::string_view encoded) override;
    void set_active(std::string_view username, bool active) override;
    void set_roles(std::string_view username, bool is_staff, bool is_superuser) override;
    void delete_user(std::string_view username) override;
    std::string list_users_json() const override;

    int64_t add_token(const crypto::Sha256& digest, std::string_view username, std::string_view name, int64_t created,
                      std::optional<int64_t> expires) override;
    bool revoke_token(const crypto::Sha256& digest) override;
    std::string list_tokens_json(std::optional<std::string_view> username) const override;

    void add_session(const crypto::Sha256& digest, const SessionRow& row,
                     const std::optional<crypto::Sha256>& replaces) override;
    bool remove_session(const crypto::Sha256& digest) override;
    int64_t remove_user_sessions(int64_t user_id) override;
    void touch_session(const crypto::Sha256& digest, int64_t now) override;
    int64_t purge_expired_sessions(int64_t now) override;

    int64_t add_oauth_token(const crypto::Sha256& digest, std::string_view username, std::string_view client_id,
                            std::string_view scope, int64_t created, std::optional<int64_t> expires) override;
    bool revoke_oauth_token(const crypto::Sha256& digest) override;
    std::string list_oauth_tokens_json(std::optional<std::string_view> username) const override;

    int64_t add_api_key(const NewApiKey& key) override;
    bool revoke_api_key(std::string_view selector, int64_t now) override;
    std::string list_api_keys_json(std::optional<std::string_view> username) const override;
    void record_api_keys_used(const std::vector<ApiKeyUse>& uses) override;

    SchemaStatus schema() const override;
    void migrate() override;  // connects and migrates now rather than on first use
    bool revocations_live() const override;

    // The pool, for tests and tools; use() first so the schema is in place.
    PgPool& pool() const { return *pool_; }

  private:
    void start_watching() override;  // the listener, at the first subscription
    // Connects and migrates on first use (once, thread-safe; retried after a failure).
    PgPool& use() const;
    int64_t update_user(const char* sql, std::vector<PgParam> params);

    PgOptions options_;
    std::unique_ptr<PgPool> pool_;
    mutable PgMigrateOnce migration_;
    mutable std::mutex secret_mutex_;
    mutable std::string secret_;
    std::mutex listener_mutex_;
    std::unique_ptr<PgListener> listener_;
    std::atomic<const PgListener*> live_listener_{nullptr};
};

}  // namespace authpolicy::directory::postgres
