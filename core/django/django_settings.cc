#include "core/django/django_settings.h"

#include <filesystem>

#include "core/common/error.h"
#include "core/http/text_encoding.h"

namespace authpolicy::django {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::Config, "configuration error at " + where + ": " + what);
}

std::string string_at(const json& v, const std::string& where, bool allow_empty = false) {
    if (!v.is_string() || (!allow_empty && v.get<std::string>().empty())) fail(where, "expected a non-empty string");
    return v.get<std::string>();
}

std::vector<std::string> strings_at(const json& v, const std::string& where) {
    if (!v.is_array()) fail(where, "expected a list of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i) out.push_back(string_at(v[i], where + "[" + std::to_string(i) + "]"));
    return out;
}

int64_t seconds_at(const json& v, const std::string& where, int64_t lo) {
    if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > 100LL * 365 * 86400)
        fail(where, "expected a number of seconds >= " + std::to_string(lo));
    return v.get<int64_t>();
}

int parse_version(const json& v, const std::string& where) {
    const std::string s = v.is_string() ? v.get<std::string>() : "";
    if (s == "4.0+") return kNewestDjango;
    static const std::pair<const char*, int> known[] = {{"3.2", 32}, {"4.0", 40}, {"4.1", 41}, {"4.2", 42},
                                                        {"5.0", 50}, {"5.1", 51}, {"5.2", 52}};
    for (const auto& [name, number] : known) {
        if (s == name) return number;
    }
    fail(where,
         "expected \"3.2\", \"4.0\", \"4.1\", \"4.2\", \"5.0\", \"5.1\", \"5.2\" or \"4.0+\" (the newest rules)");
}

// CSRF_HEADER_NAME may be written as Django's META key ("HTTP_X_CSRFTOKEN") or as a header.
std::string header_from_setting(std::string s) {
    if (s.rfind("HTTP_", 0) == 0) {
        s = s.substr(5);
        for (char& c : s) {
            if (c == '_') c = '-';
        }
    }
    return s;
}

}  // namespace

SigningRules DjangoSettings::signing_rules() const {
    SigningRules r;
    r.secrets = secrets;
    r.accept_sha1 = version < 40;
    r.use_fallbacks = version >= 41;
    r.legacy_session_format = version < 40;
    return r;
}

std::string hasher_algorithm(std::string_view dotted) {
    const size_t dot = dotted.rfind('.');
    const std::string_view cls = dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
    static const std::pair<std::string_view, std::string_view> names[] = {
        {"PBKDF2PasswordHasher", "pbkdf2_sha256"},
        {"PBKDF2SHA1PasswordHasher", "pbkdf2_sha1"},
        {"Argon2PasswordHasher", "argon2"},
        {"ScryptPasswordHasher", "scrypt"},
        {"BCryptSHA256PasswordHasher", "bcrypt_sha256"},
        {"BCryptPasswordHasher", "bcrypt"},
        {"SHA1PasswordHasher", "sha1"},
        {"MD5PasswordHasher", "md5"},
        {"UnsaltedSHA1PasswordHasher", "unsalted_sha1"},
        {"UnsaltedMD5PasswordHasher", "unsalted_md5"},
        {"CryptPasswordHasher", "crypt"},
    };
    for (const auto& [c, a] : names) {
        if (c == cls) return std::string(a);
    }
    return "";
}

std::optional<DjangoSettings> parse_django_settings(const json* value, const std::string& base_dir) {
    if (value == nullptr) return std::nullopt;
    const std::string where = "$.DJANGO";
    if (!value->is_object()) fail(where, "expected an object");
    DjangoSettings d;
    std::optional<std::string> secret;
    std::vector<std::string> fallbacks;
    bool hashers_given = false;
    const json* database_options = nullptr;
    for (const auto& [key, v] : value->items()) {
        const std::string at = where + "." + http::shown_name(key);
        if (key == "DATABASE") {
            d.database = string_at(v, at);
            if (!directory::postgres::is_postgres_url(d.database) && std::filesystem::path(d.database).is_relative() &&
                !base_dir.empty())
                d.database = (std::filesystem::path(base_dir) / d.database).string();
        } else if (key == "DATABASE_OPTIONS") {
            if (!v.is_object()) fail(at, "expected an object (PostgreSQL connection settings, docs/postgresql.md)");
            if (v.contains("LISTEN_URL"))
                fail(at + ".LISTEN_URL", "a Django database is never listened to (changes are seen within CACHE.TTL)");
            database_options = &v;
        } else if (key == "USER_MODEL") {
            d.user_model = parse_user_model(&v, at);
        } else if (key == "SECRET_KEY") {
            secret = string_at(v, at);
        } else if (key == "SECRET_KEY_FALLBACKS") {
            fallbacks = strings_at(v, at);
        } else if (key == "VERSION") {
            d.version = parse_version(v, at);
        } else if (key == "AUTHENTICATION_BACKENDS") {
            d.authentication_backends = strings_at(v, at);
        } else if (key == "PASSWORD_HASHERS") {
            hashers_given = true;
            for (const auto& cls : strings_at(v, at)) {
                const std::string alg = hasher_algorithm(cls);
                if (alg.empty()) fail(at, "unknown password hasher '" + http::shown_name(cls) + "'");
                d.password_hashers.push_back(alg);
            }
        } else if (key == "USE_TZ") {
            if (!v.is_boolean()) fail(at, "expected true or false");
            d.use_tz = v.get<bool>();
        } else {
            fail(at,
                 "unknown key (DJANGO takes DATABASE, DATABASE_OPTIONS, USER_MODEL, SECRET_KEY, SECRET_KEY_FALLBACKS, "
                 "VERSION, AUTHENTICATION_BACKENDS, PASSWORD_HASHERS, USE_TZ)");
        }
    }
    if (d.database.empty())
        fail(where, "DATABASE is required (the Django project's SQLite file or PostgreSQL connection string)");
    if (directory::postgres::is_postgres_url(d.database)) {
        d.postgres = directory::postgres::parse_pg_options(d.database, database_options, where + ".DATABASE");
    } else if (database_options != nullptr) {
        fail(where + ".DATABASE_OPTIONS", "applies to PostgreSQL databases only (DATABASE names a SQLite file)");
    }
    if (!secret) fail(where, "SECRET_KEY is required");
    d.secrets.push_back(*secret);
    d.secrets.insert(d.secrets.end(), fallbacks.begin(), fallbacks.end());
    if (!hashers_given) {  // Django's default PASSWORD_HASHERS for the version
        d.password_hashers = {"pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256"};
        if (d.version >= 40) d.password_hashers.push_back("scrypt");
    }
    return d;
}

SessionSettings parse_session_settings(const json* value, const DjangoSettings* django) {
    SessionSettings s;
    int version = django ? django->version : kNewestDjango;
    bool masked_given = false;
    if (value != nullptr) {
        const std::string where = "$.SESSIONS";
        if (!value->is_object()) fail(where, "expected an object");
        for (const auto& [key, v] : value->items()) {
            const std::string at = where + "." + http::shown_name(key);
            if (key == "COOKIE_NAME") {
                s.cookie_name = string_at(v, at);
            } else if (key == "COOKIE_AGE") {
                s.cookie_age = seconds_at(v, at, 1);
            } else if (key == "IDLE_TIMEOUT") {
                s.idle_timeout = v.is_null() ? 0 : seconds_at(v, at, 1);
            } else if (key == "COOKIE_SECURE") {
                if (!v.is_boolean()) fail(at, "expected true or false");
                s.cookie_secure = v.get<bool>();
            } else if (key == "COOKIE_DOMAIN") {
                if (!v.is_null()) s.cookie_domain = string_at(v, at);
            } else if (key == "COOKIE_PATH") {
                s.cookie_path = string_at(v, at);
            } else if (key == "COOKIE_SAMESITE") {
                s.cookie_samesite = string_at(v, at);
                if (s.cookie_samesite != "Lax" && s.cookie_samesite != "Strict" && s.cookie_samesite != "None")
                    fail(at, "expected \"Lax\", \"Strict\" or \"None\"");
            } else if (key == "SECRET_KEY") {
                s.secret_key = string_at(v, at);
            } else if (key == "CSRF_COOKIE_NAME") {
                s.csrf.cookie_name = string_at(v, at);
            } else if (key == "CSRF_COOKIE_AGE") {
                s.csrf_cookie_age = seconds_at(v, at, 1);
            } else if (key == "CSRF_COOKIE_MASKED") {
                if (!v.is_boolean()) fail(at, "expected true or false");
                s.csrf_cookie_masked = v.get<bool>();
                masked_given = true;
            } else if (key == "CSRF_HEADER_NAME") {
                s.csrf.header_name = header_from_setting(string_at(v, at));
            } else if (key == "CSRF_TRUSTED_ORIGINS") {
                s.csrf.trusted_origins = strings_at(v, at);
            } else if (key == "CSRF_COOKIE_DOMAIN") {
                if (!v.is_null()) s.csrf.cookie_domain = string_at(v, at);
            } else if (key == "DJANGO_VERSION") {
                if (django) fail(at, "the version comes from DJANGO.VERSION when DJANGO is configured");
                version = parse_version(v, at);
            } else {
                fail(at,
                     "unknown key (SESSIONS takes COOKIE_NAME, COOKIE_AGE, IDLE_TIMEOUT, COOKIE_SECURE, "
                     "COOKIE_DOMAIN, COOKIE_PATH, COOKIE_SAMESITE, SECRET_KEY, CSRF_COOKIE_NAME, CSRF_COOKIE_AGE, "
                     "CSRF_COOKIE_MASKED, CSRF_HEADER_NAME, CSRF_TRUSTED_ORIGINS, CSRF_COOKIE_DOMAIN, "
                     "DJANGO_VERSION)");
            }
        }
    }
    s.csrf.django32 = version < 40;
    if (!masked_given) s.csrf_cookie_masked = version < 40;
    return s;
}

}  // namespace authpolicy::django
