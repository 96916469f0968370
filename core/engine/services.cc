#include "core/engine/services.h"

#include <cmath>

#include <openssl/crypto.h>

#include "core/apikey/api_key_settings.h"
#include "core/apikey/last_used_recorder.h"
#include "core/common/error.h"
#include "core/crypto/random.h"
#include "core/directory/postgres/pg_listener.h"
#include "core/directory/postgres/pg_options.h"

namespace authpolicy {

Services::Services(std::shared_ptr<directory::Directory> directory, unsigned password_iterations, CacheSettings cache,
                   std::shared_ptr<const Clock> clock, UserLookupFn lookup, PasswordVerifyFn verify)
    : directory_(std::move(directory)),
      hashers_(password_iterations),
      clock_(std::move(clock)),
      lookup_(std::move(lookup)),
      verify_(std::move(verify)),
      cache_keyer_(crypto::random_hex(32)),
      cache_settings_(cache),
      basic_cache_(cache.ttl_seconds, cache.max_entries),
      token_cache_(cache.ttl_seconds, cache.max_entries),
      session_cache_(cache.ttl_seconds, cache.max_entries) {
    subscription_ = directory_->subscribe([this](const directory::Revocation& r) { revoke(r); });
}

Services::~Services() {
    django_listener_.reset();
    api_key_usage_.reset();  // the final batch of last-used times, while the directory is open
    directory_->unsubscribe(subscription_);
}

void Services::configure_api_keys(const apikey::ApiKeySettings& settings) {
    api_key_pepper_ = apikey::Pepper::load(settings);
    api_key_usage_ = std::make_unique<apikey::LastUsedRecorder>(
        [directory = directory_](const std::vector<directory::ApiKeyUse>& uses) {
            directory->record_api_keys_used(uses);
        },
        settings.last_used_flush_seconds, [this](const std::string& m) { log_error(m); });
}

void Services::attach_django(std::shared_ptr<const django::DjangoDatabase> store) {
    django_ = std::move(store);
    django_listener_.reset();
    if (!django_ || !django_->settings().postgres) return;
    const directory::postgres::PgOptions& o = *django_->settings().postgres;
    const std::string& conninfo = o.listen_conninfo.empty() ? o.conninfo : o.listen_conninfo;
    django_listener_ = std::make_unique<directory::postgres::PgListener>(
        conninfo, directory::postgres::redact_conninfo(conninfo), o.connect_timeout, o.statement_timeout,
        [this](const directory::Revocation& r) { revoke(r); });
}

void Services::revoke(const directory::Revocation& r) const {
    using Kind = directory::Revocation::Kind;
    const auto of_user = [id = r.user_id](const CachedCredential& c) { return c.user && c.user->id == id; };
    switch (r.kind) {
        case Kind::Token: token_cache_.invalidate(r.digest); break;
        case Kind::Session: session_cache_.invalidate(r.digest); break;
        case Kind::OAuthToken:
            // OAuth and JWT authenticators keep their own caches, stamped with the token cache's
            // generation: any drop there makes theirs stale, so this reaches them too.
            token_cache_.invalidate(r.digest);
            break;
        case Kind::User:
            basic_cache_.invalidate_if(of_user);
            token_cache_.invalidate_if(of_user);
            session_cache_.invalidate_if(of_user);
            break;
        case Kind::Everything: invalidate_caches(); break;
    }
}

double Services::now() const {
    const double t = clock_->now();
    if (!std::isfinite(t)) throw Error(ErrorCode::Callback, "the clock returned a time that is not a finite number");
    return t;
}

UserPtr Services::find_user(std::string_view username) const {
    if (lookup_) {
        if (auto found = lookup_(username, 0)) return *found;
    }
    if (django_) return django_->find_user(username);
    return directory_->find_user(username);
}

UserPtr Services::find_user(int64_t id) const {
    if (lookup_) {
        if (auto found = lookup_(std::nullopt, id)) return *found;
    }
    if (django_) return django_->find_user(id);
    return directory_->find_user(id);
}

bool Services::check_password(const User& user, std::string_view password) const {
    if (verify_) {
        if (auto verdict = verify_(user, password)) return *verdict;
    }
    if (!passwords::is_usable(user.password)) {
        run_dummy_password_check(password);  // Django ≥ 4.2.14 (CVE-2024-39329)
        return false;
    }
    const passwords::VerifyResult r = hashers_.verify(password, user.password);
    // Django's check_password(setter=…): a hash weaker than the configured one is upgraded on a
    // successful login — only in the embedded store (a host's or Django's users are read-only).
    if (r.matches && r.needs_rehash && !lookup_ && !django_ && !user.username.empty()) {
        try {
            directory_->set_password_hash(user.username, hashers_.make(password));
        } catch (const Error& e) {
            log_error(std::string("could not upgrade a password hash: ") + e.what());
        }
    }
    return r.matches;
}

void Services::run_dummy_password_check(std::string_view password) const {
    hashers_.run_dummy(password);
}

crypto::Sha256 Services::basic_cache_key(std::string_view username, std::string_view password) const {
    // Length-prefix the username so ("ab", "c") and ("a", "bc") never share a key.
    std::string input;
    input.reserve(8 + username.size() + password.size());
    const uint64_t n = username.size();
    input.append(reinterpret_cast<const char*>(&n), sizeof n);
    input.append(username);
    input.append(password);
    const crypto::Sha256 key = cache_keyer_(input);
    OPENSSL_cleanse(input.data(), input.size());
    return key;
}

std::optional<directory::TokenRecord> Services::find_token(std::string_view key, const crypto::Sha256& digest) const {
    if (!django_) return directory_->find_token(digest);
    UserPtr user = django_->find_token_user(key);
    if (!user) return std::nullopt;
    directory::TokenRecord r;
    r.user = std::move(user);
    return r;
}

cache::CredentialCache<CachedCredential>::Counts Services::cache_counts() const {
    cache::CredentialCache<CachedCredential>::Counts total;
    for (const auto* c : {&basic_cache_, &token_cache_, &session_cache_}) {
        const auto n = c->counts();
        total.hits += n.hits;
        total.misses += n.misses;
    }
    return total;
}

void Services::invalidate_caches() const {
    basic_cache_.invalidate_all();
    token_cache_.invalidate_all();
    session_cache_.invalidate_all();
}

}  // namespace authpolicy
