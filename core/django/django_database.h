// Read-only access to a Django project's own database (docs/django.md): the user model's table
// (auth_user by default), authtoken_token, django_session and the ecosystem packages' tables.
// Two implementations, one per engine: SQLite (sqlite_django_database.h) and PostgreSQL
// (postgres_django_database.h); open_django_database chooses. Nothing here ever writes, and a
// Django database never notifies: its changes are seen when cached results expire (CACHE.TTL).
// Every store failure is Error(ErrorCode::Store) (a 503 decision) and names no password.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/django/django_settings.h"
#include "core/engine/user.h"

namespace authpolicy::django {

class DjangoDatabase {
  public:
    virtual ~DjangoDatabase() = default;
    DjangoDatabase(const DjangoDatabase&) = delete;
    DjangoDatabase& operator=(const DjangoDatabase&) = delete;

    const DjangoSettings& settings() const { return settings_; }

    // By USERNAME_FIELD / by primary key (`id`), from the configured user model's table.
    virtual UserPtr find_user(std::string_view username) const = 0;
    virtual UserPtr find_user(int64_t id) const = 0;
    // The owner of a DRF token (authtoken_token.key, plaintext), nullptr when unknown. The index
    // is searched with the key's first 8 characters only and the whole key is then compared in
    // constant time, so lookup timing says nothing about the rest of a stored key.
    virtual UserPtr find_token_user(std::string_view key) const = 0;

    struct SessionRow {
        std::string data;    // session_data as stored
        double expires = 0;  // expire_date as Unix seconds
    };
    // A django_session row whose expire_date is after `now`; same prefix rule as tokens.
    virtual std::optional<SessionRow> load_session(std::string_view key, double now) const = 0;

    // The packages of docs/django.md ("Other packages"); each reads one table, never writes.
    // oauth2_provider_accesstoken by token (plaintext in DOT 1.x; same prefix rule as tokens).
    struct DotToken {
        int64_t id = 0;
        std::optional<double> expires;  // none when NULL or unreadable (DOT: expired)
        std::string scope;
        std::optional<int64_t> application_id;
        UserPtr user;  // null for application-only tokens
    };
    virtual std::optional<DotToken> find_dot_access_token(std::string_view token) const = 0;
    // rest_framework_api_key_apikey: the unrevoked key with this prefix.
    struct ApiKey {
        std::string hashed_key;  // a Django password hash of "<prefix>.<secret>"
        std::optional<double> expiry;
    };
    virtual std::optional<ApiKey> find_api_key(std::string_view prefix) const = 0;
    // knox_authtoken rows with this token_key, each with its user.
    struct KnoxToken {
        std::string digest;  // SHA-512 hex
        std::string token_key;
        std::optional<double> expiry;
        UserPtr user;
    };
    virtual std::vector<KnoxToken> find_knox_tokens(std::string_view token_key) const = 0;
    // Throws Error(Config) naming the table when the database lacks it (checked at build time).
    virtual void require_table(const char* table) const = 0;

    // Keys longer than Django's columns cannot exist (token 40, session 40).
    static constexpr size_t kMaxKeyLength = 40;
    static constexpr size_t kLookupPrefix = 8;

  protected:
    explicit DjangoDatabase(DjangoSettings settings) : settings_(std::move(settings)) {}

  private:
    DjangoSettings settings_;
};

// The one place that chooses: PostgreSQL when settings.postgres is set, else the SQLite file.
// Checks at once that the user model's table and columns are readable (Error(Store) otherwise).
std::shared_ptr<const DjangoDatabase> open_django_database(const DjangoSettings& settings, int busy_timeout_ms);

// The error for a table the ecosystem needs and the database lacks.
[[noreturn]] void missing_table(const char* table);

}  // namespace authpolicy::django
