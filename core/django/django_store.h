// Read-only access to a Django project's SQLite database: auth_user, authtoken_token and
// django_session. Opened with SQLite's mode=ro; nothing here ever writes.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/directory/sqlite/sqlite_connection.h"
#include "core/django/django_settings.h"
#include "core/engine/user.h"

namespace authpolicy::django {

class DjangoStore {
  public:
    DjangoStore(DjangoSettings settings, int busy_timeout_ms);

    const DjangoSettings& settings() const { return settings_; }
    UserPtr find_user(std::string_view username) const;
    UserPtr find_user(int64_t id) const;
    // The owner of a DRF token (authtoken_token.key, plaintext), nullptr when unknown. The index
    // is searched with the key's first 8 characters only and the whole key is then compared in
    // constant time, so lookup timing says nothing about the rest of a stored key.
    UserPtr find_token_user(std::string_view key) const;

    struct SessionRow {
        std::string data;    // session_data as stored
        double expires = 0;  // expire_date as Unix seconds
    };
    // A django_session row whose expire_date is after `now`; same prefix rule as tokens.
    std::optional<SessionRow> load_session(std::string_view key, double now) const;

    // The packages of docs/django.md ("Other packages"); each reads one table, never writes.
    // oauth2_provider_accesstoken by token (plaintext in DOT 1.x; same prefix rule as tokens).
    struct DotToken {
        int64_t id = 0;
        std::optional<double> expires;  // none when NULL or unreadable (DOT: expired)
        std::string scope;
        std::optional<int64_t> application_id;
        UserPtr user;  // null for application-only tokens
    };
    std::optional<DotToken> find_dot_access_token(std::string_view token) const;
    // rest_framework_api_key_apikey: the unrevoked key with this prefix.
    struct ApiKey {
        std::string hashed_key;  // a Django password hash of "<prefix>.<secret>"
        std::optional<double> expiry;
    };
    std::optional<ApiKey> find_api_key(std::string_view prefix) const;
    // knox_authtoken rows with this token_key, each with its user.
    struct KnoxToken {
        std::string digest;  // SHA-512 hex
        std::string token_key;
        std::optional<double> expiry;
        UserPtr user;
    };
    std::vector<KnoxToken> find_knox_tokens(std::string_view token_key) const;
    // Throws Error(Store) naming the table when the database lacks it (checked at build time).
    void require_table(const char* table) const;

    // Keys longer than Django's columns cannot exist (token 40, session 40).
    static constexpr size_t kMaxKeyLength = 40;
    static constexpr size_t kLookupPrefix = 8;

  private:
    template <class F>
    auto read(F&& fn) const;
    std::optional<SessionRow> lookup_session(std::string_view key, double now) const;

    DjangoSettings settings_;
    std::string uri_;
    int busy_timeout_ms_;
    struct Slot {
        std::mutex mutex;
        std::unique_ptr<directory::sqlite::Connection> connection;
    };
    mutable std::vector<std::unique_ptr<Slot>> slots_;
};

// "2024-01-02 03:04:05.678901" (Django's SQLite datetime text) → Unix seconds; nullopt if malformed.
std::optional<double> parse_django_datetime(std::string_view text, bool utc);

}  // namespace authpolicy::django
