// What authenticators share inside one engine: where users come from (the host's lookup, a
// Django database, the directory), how passwords are checked, the clock and the credential
// caches, which revocations from the directory keep honest (docs/directory.md).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "core/cache/credential_cache.h"
#include "core/directory/directory.h"
#include "core/django/django_database.h"
#include "core/engine/clock.h"
#include "core/engine/user.h"
#include "core/passwords/password_hasher.h"

namespace authpolicy {
namespace authn {
class DpopReplayStore;
}
namespace django::ecosystem {
struct EcosystemSettings;
}
namespace directory::postgres {
class PgListener;
}
namespace apikey {
class LastUsedRecorder;
class Pepper;
struct ApiKeySettings;
}  // namespace apikey

// The host's user lookup. Returns the user, nullptr for "no such user", or nullopt to pass
// the question on to the built-in directory. Throws Error(User | Callback) on failure.
using UserLookupFn = std::function<std::optional<UserPtr>(std::optional<std::string_view> username, int64_t id)>;
// The host's password check: true/false, or nullopt to let the engine check the hash.
using PasswordVerifyFn = std::function<std::optional<bool>(const User& user, std::string_view password)>;

// A verified credential: who it is and what `auth` it carries.
struct CachedCredential {
    UserPtr user;
    AuthValue auth;
    std::optional<int64_t> expires;  // tokens only
};

struct CacheSettings {
    double ttl_seconds = 5.0;
    size_t max_entries = 100000;
};

class Services {
  public:
    // Subscribes to the directory's revocations: Services must outlive no engine that uses it,
    // and the directory calls back into it until ~Services unsubscribes.
    Services(std::shared_ptr<directory::Directory> directory, unsigned password_iterations, CacheSettings cache,
             std::shared_ptr<const Clock> clock, UserLookupFn lookup, PasswordVerifyFn verify);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    // The clock, checked: NaN or ±inf would make every expiry comparison false (and a cast to
    // int64 undefined), so a non-finite time is a callback error (the safe 503 denial).
    double now() const;
    UserPtr find_user(std::string_view username) const;
    UserPtr find_user(int64_t id) const;
    bool check_password(const User& user, std::string_view password) const;
    // Spends one hash verification's time (unknown users; Django's timing equalisation).
    void run_dummy_password_check(std::string_view password) const;
    const passwords::PasswordHashers& hashers() const { return hashers_; }

    // The directory, for reading (authenticators) and for the few writes a decision or a
    // login makes (a session's last_seen, a weak hash upgraded, RemoteUser's auto-creation).
    // Administration goes through directory::DirectoryAdmin, never through the engine.
    const std::shared_ptr<directory::Directory>& directory() const { return directory_; }
    // Applies a revocation to the caches (called by the directory's watcher).
    void revoke(const directory::Revocation& r) const;

    // Sessions and the Django-compatible stores (docs/sessions.md, docs/django.md). With a
    // Django store attached, users and tokens come from the Django database (after the host's
    // lookup), read-only.
    // A Django database on PostgreSQL is listened to (channel authp_revocation): once
    // `authpolicy django install-notify` has added its triggers, Django's own changes reach the
    // caches at once; without them nothing arrives and CACHE.TTL is the bound.
    void attach_django(std::shared_ptr<const django::DjangoDatabase> store);
    const django::DjangoDatabase* django() const { return django_.get(); }
    // SIMPLE_JWT, OAUTH2_PROVIDER, REST_KNOX, API_KEY_CUSTOM_HEADER (core/django/ecosystem/).
    void set_ecosystem(std::shared_ptr<const django::ecosystem::EcosystemSettings> s) { ecosystem_ = std::move(s); }
    const django::ecosystem::EcosystemSettings* ecosystem() const { return ecosystem_.get(); }
    // A token from authtoken_token (DJANGO) or from authp_token; nullopt when unknown.
    std::optional<directory::TokenRecord> find_token(std::string_view key, const crypto::Sha256& digest) const;
    const django::SessionSettings& session_settings() const { return session_settings_; }
    void set_session_settings(django::SessionSettings s) { session_settings_ = std::move(s); }
    cache::CredentialCache<CachedCredential>& session_cache() const { return session_cache_; }
    // Where errors of the machinery go (an unsupported password hasher); set by the engine.
    void set_error_log(std::function<void(const std::string&)> fn) { error_log_ = std::move(fn); }
    void log_error(const std::string& message) const {
        if (error_log_) error_log_(message);
    }
    // DPOP_REPLAY_BACKEND's store, shared by every DPoP-enabled class; null when the key is absent
    // (each class then keeps its own memory store). Set by the engine before classes are built.
    void set_dpop_replay_store(std::shared_ptr<authn::DpopReplayStore> s) { dpop_replay_store_ = std::move(s); }
    const std::shared_ptr<authn::DpopReplayStore>& dpop_replay_store() const { return dpop_replay_store_; }
    // The CACHE settings, for authenticators that keep their own verified-credential caches.
    const CacheSettings& cache_settings() const { return cache_settings_; }

    cache::CredentialCache<CachedCredential>& basic_cache() const { return basic_cache_; }
    cache::CredentialCache<CachedCredential>& token_cache() const { return token_cache_; }
    // Keys the Basic cache: HMAC under a per-process random key, never the plain password.
    crypto::Sha256 basic_cache_key(std::string_view username, std::string_view password) const;
    void invalidate_caches() const;

    // API_KEYS (docs/api-keys.md), set once when the services are made: loads the pepper
    // (Error(Config) when missing or short) and starts the last-used recorder, whose background
    // thread writes every LAST_USED_FLUSH_SECONDS and once more at ~Services. Both null otherwise.
    void configure_api_keys(const apikey::ApiKeySettings& settings);
    const std::shared_ptr<const apikey::Pepper>& api_key_pepper() const { return api_key_pepper_; }
    apikey::LastUsedRecorder* api_key_usage() const { return api_key_usage_.get(); }
    // Hits and misses of the Basic, Token and Session credential caches together.
    cache::CredentialCache<CachedCredential>::Counts cache_counts() const;

  private:
    std::shared_ptr<directory::Directory> directory_;
    uint64_t subscription_ = 0;
    passwords::PasswordHashers hashers_;
    std::shared_ptr<const Clock> clock_;
    UserLookupFn lookup_;
    PasswordVerifyFn verify_;
    crypto::KeyedHasher cache_keyer_;
    CacheSettings cache_settings_;
    mutable cache::CredentialCache<CachedCredential> basic_cache_;
    mutable cache::CredentialCache<CachedCredential> token_cache_;
    std::shared_ptr<const django::DjangoDatabase> django_;
    std::shared_ptr<const django::ecosystem::EcosystemSettings> ecosystem_;
    django::SessionSettings session_settings_;
    mutable cache::CredentialCache<CachedCredential> session_cache_;
    std::function<void(const std::string&)> error_log_;
    std::shared_ptr<authn::DpopReplayStore> dpop_replay_store_;
    std::shared_ptr<const apikey::Pepper> api_key_pepper_;
    // Last, so that they stop (and join their threads) before anything they call into is destroyed.
    std::unique_ptr<apikey::LastUsedRecorder> api_key_usage_;
    std::unique_ptr<directory::postgres::PgListener> django_listener_;
};

}  // namespace authpolicy
