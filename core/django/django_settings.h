// The "DJANGO" and "SESSIONS" configuration objects (docs/django.md, docs/sessions.md),
// validated once when the engine is built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/directory/postgres/pg_options.h"
#include "core/django/csrf.h"
#include "core/django/signing.h"
#include "core/django/user_model.h"

namespace authpolicy::django {

// The Django generation whose behaviour to follow, as major * 10 + minor ("4.0+" = newest).
inline constexpr int kNewestDjango = 1000;

struct DjangoSettings {
    std::string database;  // the Django project's SQLite file, or a PostgreSQL connection string (secret)
    // Set when `database` is a PostgreSQL URL / key=value string (with DJANGO.DATABASE_OPTIONS).
    std::optional<directory::postgres::PgOptions> postgres;
    UserModel user_model;              // DJANGO.USER_MODEL (default: auth_user, username)
    std::vector<std::string> secrets;  // SECRET_KEY, then SECRET_KEY_FALLBACKS
    int version = kNewestDjango;       // 32 for "3.2", 40, 41, 42, 50, …
    std::vector<std::string> authentication_backends{"django.contrib.auth.backends.ModelBackend"};
    std::vector<std::string> password_hashers;  // algorithm names, preferred first
    bool use_tz = true;                         // expire_date in UTC (else the process's local time)

    SigningRules signing_rules() const;
};

struct SessionSettings {
    std::string cookie_name = "sessionid";
    int64_t cookie_age = 1209600;  // SESSION_COOKIE_AGE: absolute lifetime in seconds
    int64_t idle_timeout = 0;      // embedded store: seconds without use before a session ends; 0 = none
    bool cookie_secure = false;
    std::optional<std::string> cookie_domain;
    std::string cookie_path = "/";
    std::string cookie_samesite = "Lax";
    int64_t csrf_cookie_age = 31449600;
    bool csrf_cookie_masked = false;        // issue 64-character masked tokens (Django ≤ 3.2 did)
    std::optional<std::string> secret_key;  // embedded store's session auth hash key; default: per database
    CsrfSettings csrf;
};

// nullopt when there is no "DJANGO" key. Throws Error(Config) naming the bad key.
std::optional<DjangoSettings> parse_django_settings(const nlohmann::json* value, const std::string& base_dir);
SessionSettings parse_session_settings(const nlohmann::json* value, const DjangoSettings* django);

// "django.contrib.auth.hashers.Argon2PasswordHasher" → "argon2"; "" for an unknown class.
std::string hasher_algorithm(std::string_view dotted_class);

}  // namespace authpolicy::django
