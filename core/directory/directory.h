// The directory: where users, API tokens, sessions and OAuth access tokens live, behind one
// interface whatever the backend (SQLite embedded, PostgreSQL shared; docs/directory.md).
// Authenticators read through DirectoryReader. Writes go through Directory and only ever from
// DirectoryAdmin (core/directory/directory_admin.h), which holds the business rules: usernames,
// token minting and expiry, password hashing. A backend stores and finds; it decides nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/digest.h"
#include "core/directory/api_key_record.h"
#include "core/directory/token_record.h"
#include "core/engine/user.h"

namespace authpolicy::directory {

struct NewUser {
    std::string_view username;  // already normalised by DirectoryAdmin
    std::string password_hash;  // encoded; unusable ("!…") when the user has no password
    bool is_active = true;
    bool is_staff = false;
    bool is_superuser = false;
};

struct SessionRow {
    int64_t user_id = 0;
    std::string auth_hash;  // the user's session auth hash at login
    int64_t created = 0;
    int64_t last_seen = 0;
    int64_t expires = 0;  // absolute expiry, Unix seconds
};

struct OAuthTokenRecord {
    int64_t id = 0;
    std::string client_id;
    std::string scope;  // space-delimited (RFC 6749 §3.3)
    int64_t created = 0;
    std::optional<int64_t> expires;
    UserPtr user;
};

// What a write took away. Every engine that sees it drops exactly the affected cache entries;
// `Everything` means "a notice may have been missed": drop all.
struct Revocation {
    enum class Kind { Token, OAuthToken, Session, User, Everything };
    Kind kind = Kind::Everything;
    crypto::Sha256 digest{};  // Token, OAuthToken, Session: the key's SHA-256
    int64_t user_id = 0;      // User: deactivated, deleted, password or roles changed
};
using RevocationSink = std::function<void(const Revocation&)>;

// The subscribers to one directory's revocations.
class RevocationFeed {
  public:
    uint64_t subscribe(RevocationSink sink, const std::function<void()>& on_first);
    void unsubscribe(uint64_t id);
    // Runs every sink under the lock, so unsubscribe waits for a publication in flight.
    void publish(const Revocation& r) const;

  private:
    mutable std::mutex mutex_;
    std::map<uint64_t, RevocationSink> sinks_;
    uint64_t next_id_ = 1;
    bool started_ = false;
};

class DirectoryReader {
  public:
    virtual ~DirectoryReader() = default;
    // Each returns nothing for "no such row" and throws Error(Store) when the backend fails.
    virtual UserPtr find_user(std::string_view username) const = 0;
    virtual UserPtr find_user(int64_t id) const = 0;
    // The token and its owner in one query.
    virtual std::optional<directory::TokenRecord> find_token(const crypto::Sha256& digest) const = 0;
    virtual std::optional<SessionRow> find_session(const crypto::Sha256& digest) const = 0;
    virtual std::optional<OAuthTokenRecord> find_oauth_token(const crypto::Sha256& digest) const = 0;
    // The API key with this selector and its owner in one query, revoked or not (the
    // authenticator decides); docs/api-keys.md.
    virtual std::optional<ApiKeyRecord> find_api_key(std::string_view selector) const = 0;
    // A random key for session auth hashes, made once per directory and shared by every engine
    // on it (so a session made by one server verifies on another).
    virtual std::string session_secret() const = 0;
};

class Directory : public DirectoryReader {
  public:
    // "sqlite:/path" or the PostgreSQL URL with its password redacted: safe in any message.
    virtual std::string describe() const = 0;
    // Set when the backend's storage is exposed (a group-readable SQLite file); logged at start.
    virtual std::string exposure_warning() const { return {}; }

    // Schema versions: in the database, and the newest this library knows. A newer schema in
    // the database is refused by every call with Error(Store). migrate() brings it up to date
    // (each step one transaction; concurrent migrations are safe).
    struct SchemaStatus {
        int current = 0;
        int latest = 0;
    };
    virtual SchemaStatus schema() const = 0;
    virtual void migrate() = 0;

    // Users. Each throws Error(NotFound) for an unknown username, Error(Exists) for a taken one.
    virtual int64_t add_user(const NewUser& user, int64_t now) = 0;
    virtual void set_password_hash(std::string_view username, std::string_view encoded) = 0;
    virtual void set_active(std::string_view username, bool active) = 0;
    virtual void set_roles(std::string_view username, bool is_staff, bool is_superuser) = 0;
    // Deletes the user with its tokens, OAuth tokens and sessions.
    virtual void delete_user(std::string_view username) = 0;
    // [{"id","username","is_active","is_staff","is_superuser","date_joined"}]
    virtual std::string list_users_json() const = 0;

    // API tokens, stored as SHA-256 digests of their keys.
    virtual int64_t add_token(const crypto::Sha256& digest, std::string_view username, std::string_view name,
                              int64_t created, std::optional<int64_t> expires) = 0;
    virtual bool revoke_token(const crypto::Sha256& digest) = 0;
    // [{"id","username","name","created","expires"}]; all users when username is nullopt.
    virtual std::string list_tokens_json(std::optional<std::string_view> username) const = 0;

    // Sessions. add_session deletes `replaces` in the same transaction (rotation on login).
    virtual void add_session(const crypto::Sha256& digest, const SessionRow& row,
                             const std::optional<crypto::Sha256>& replaces) = 0;
    virtual bool remove_session(const crypto::Sha256& digest) = 0;
    virtual int64_t remove_user_sessions(int64_t user_id) = 0;
    virtual void touch_session(const crypto::Sha256& digest, int64_t now) = 0;
    virtual int64_t purge_expired_sessions(int64_t now) = 0;

    // OAuth 2.0 opaque access tokens, stored as SHA-256 digests.
    virtual int64_t add_oauth_token(const crypto::Sha256& digest, std::string_view username, std::string_view client_id,
                                    std::string_view scope, int64_t created, std::optional<int64_t> expires) = 0;
    virtual bool revoke_oauth_token(const crypto::Sha256& digest) = 0;
    // [{"id","username","client_id","scope","created","expires"}]; all users when nullopt.
    virtual std::string list_oauth_tokens_json(std::optional<std::string_view> username) const = 0;

    // The engine's own API keys (docs/api-keys.md): a selector and a verifier, never the key.
    // add_api_key throws Error(NotFound) for an unknown user, Error(Exists) for a taken selector.
    virtual int64_t add_api_key(const NewApiKey& key) = 0;
    // Marks the key revoked (it stays listed) and publishes a Token revocation carrying its
    // verifier, which is what the caches key API keys by. False when unknown or already revoked.
    virtual bool revoke_api_key(std::string_view selector, int64_t now) = 0;
    // [{"id","selector","prefix","username","name","scopes","created","expires","last_used","revoked"}];
    // all users when username is nullopt.
    virtual std::string list_api_keys_json(std::optional<std::string_view> username) const = 0;
    // One transaction for the whole batch; a time never moves backwards; unknown selectors are skipped.
    virtual void record_api_keys_used(const std::vector<ApiKeyUse>& uses) = 0;

    // Revocations made by this handle and, where the backend can tell (PostgreSQL's
    // LISTEN/NOTIFY), by every other process on the same database. A sink may run on a backend
    // thread; once unsubscribe returns it never runs again. Several engines (a reload keeps the
    // directory) may subscribe to one directory.
    uint64_t subscribe(RevocationSink sink) {
        return feed_.subscribe(std::move(sink), [this] { start_watching(); });
    }
    void unsubscribe(uint64_t id) { feed_.unsubscribe(id); }
    // False while revocations from other processes could be missed (SQLite always; PostgreSQL
    // while its listener reconnects): caches then hold entries for CACHE.TTL at most.
    virtual bool revocations_live() const { return false; }

  protected:
    void publish(const Revocation& r) const { feed_.publish(r); }
    // Called once, at the first subscription (PostgreSQL starts its listener).
    virtual void start_watching() {}

  private:
    RevocationFeed feed_;
};

}  // namespace authpolicy::directory
