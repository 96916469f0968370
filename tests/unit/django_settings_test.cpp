// DJANGO.DATABASE (SQLite path or PostgreSQL connection string), DJANGO.DATABASE_OPTIONS and
// DJANGO.USER_MODEL (docs/django.md): validated once, at configuration time.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/django/django_settings.h"
#include "core/django/postgres_django_database.h"
#include "core/django/user_model.h"

using namespace authpolicy;
using nlohmann::json;

namespace {

django::DjangoSettings parse(const std::string& text, const std::string& base_dir = "/srv/app") {
    const json value = json::parse(text);
    auto settings = django::parse_django_settings(&value, base_dir);
    REQUIRE(settings);
    return *settings;
}

django::DjangoSettings with(const std::string& extra, const std::string& database = "db.sqlite3") {
    return parse(R"({"DATABASE": ")" + database + R"(", "SECRET_KEY": "k")" + (extra.empty() ? "" : ", " + extra) +
                 "}");
}

#define CHECK_CONFIG_ERROR(expr, text) CHECK_THROWS_WITH_AS(expr, doctest::Contains(text), authpolicy::Error)

}  // namespace

TEST_CASE("django settings: DATABASE is a SQLite file (relative to the configuration) or PostgreSQL") {
    auto s = with("");
    CHECK(s.database == "/srv/app/db.sqlite3");
    CHECK_FALSE(s.postgres);

    s = with("", "postgresql://dj:s3cret@127.0.0.1:5432/site");
    CHECK(s.database == "postgresql://dj:s3cret@127.0.0.1:5432/site");  // not made relative to base_dir
    REQUIRE(s.postgres);
    CHECK(s.postgres->conninfo == s.database);
    CHECK(s.postgres->pool_size == 4);  // the top-level defaults

    s = with("", "host=/run/postgresql dbname=site");
    REQUIRE(s.postgres);
    CHECK(s.database == "host=/run/postgresql dbname=site");
}

TEST_CASE("django settings: DATABASE_OPTIONS takes the top-level keys, for PostgreSQL only") {
    auto s = with(R"("DATABASE_OPTIONS": {"POOL_SIZE": 9, "CONNECT_TIMEOUT": 0.5, "STATEMENT_TIMEOUT": 3,
                                          "PREPARED_STATEMENTS": false})",
                  "postgresql://dj@db/site");
    REQUIRE(s.postgres);
    CHECK(s.postgres->pool_size == 9);
    CHECK(s.postgres->connect_timeout == 0.5);
    CHECK(s.postgres->statement_timeout == 3);
    CHECK_FALSE(s.postgres->prepared_statements);

    CHECK_CONFIG_ERROR(with(R"("DATABASE_OPTIONS": {"POOL_SIZE": 0})", "postgresql://dj@db/site"),
                       "configuration error at $.DJANGO.DATABASE_OPTIONS.POOL_SIZE");
    CHECK_CONFIG_ERROR(with(R"("DATABASE_OPTIONS": {"NOPE": 1})", "postgresql://dj@db/site"),
                       "$.DJANGO.DATABASE_OPTIONS.NOPE: unknown key");
    CHECK_CONFIG_ERROR(with(R"("DATABASE_OPTIONS": [])", "postgresql://dj@db/site"), "$.DJANGO.DATABASE_OPTIONS");
    CHECK_CONFIG_ERROR(
        with(R"("DATABASE_OPTIONS": {"LISTEN_URL": "postgresql://dj@db/site"})", "postgresql://dj@db/site"),
        "$.DJANGO.DATABASE_OPTIONS.LISTEN_URL: a Django database is never listened to");
    CHECK_CONFIG_ERROR(with(R"("DATABASE_OPTIONS": {"POOL_SIZE": 2})"),
                       "$.DJANGO.DATABASE_OPTIONS: applies to PostgreSQL databases only");
}

TEST_CASE("django settings: a bad PostgreSQL connection string is refused without its password") {
    try {
        with("", "postgresql://dj:hunter2@db/site?nosuchoption=1");
        FAIL("accepted");
    } catch (const Error& e) {
        const std::string m = e.what();
        CHECK(e.code() == ErrorCode::Config);
        CHECK(m.find("$.DJANGO.DATABASE") != std::string::npos);
        CHECK(m.find("hunter2") == std::string::npos);
    }
}

TEST_CASE("django settings: USER_MODEL defaults to Django's auth_user") {
    const auto m = with("").user_model;
    CHECK(m.table == "auth_user");
    CHECK(m.username_field == "username");
    CHECK(m.is_active == "is_active");
    CHECK(m.is_staff == "is_staff");
    CHECK(m.is_superuser == "is_superuser");
    CHECK(m.select_list("u", "1", "0") ==
          R"(u."id", u."username", u."password", u."is_active", u."is_staff", u."is_superuser")");
    CHECK(m.quoted_table() == R"("auth_user")");
    CHECK(with(R"("USER_MODEL": null)").user_model.table == "auth_user");
}

TEST_CASE("django settings: USER_MODEL names a custom model; null fields are absent") {
    auto m = with(R"("USER_MODEL": {"TABLE": "accounts_user", "USERNAME_FIELD": "email",
                                    "FIELDS": {"is_active": "active", "is_staff": null}})")
                 .user_model;
    CHECK(m.table == "accounts_user");
    CHECK(m.username_field == "email");
    CHECK(m.is_active == "active");
    CHECK_FALSE(m.is_staff);
    CHECK(m.is_superuser == "is_superuser");
    // An absent is_active is AbstractBaseUser's `is_active = True`; staff and superuser are false.
    CHECK(m.select_list("u", "true", "false") ==
          R"(u."id", u."email", u."password", u."active", false, u."is_superuser")");
    m = with(R"("USER_MODEL": {"FIELDS": {"is_active": null, "is_staff": null, "is_superuser": null}})").user_model;
    CHECK(m.select_list("x", "1", "0") == R"(x."id", x."username", x."password", 1, 0, 0)");
    CHECK(with(R"("USER_MODEL": {"TABLE": "A_b_9"})").user_model.quoted_table() == R"("A_b_9")");
}

TEST_CASE("django settings: USER_MODEL identifiers are letters, digits and '_', at most 63 bytes") {
    const std::string longest(63, 'a');
    CHECK(with(R"("USER_MODEL": {"TABLE": ")" + longest + "\"}").user_model.table == longest);
    for (const char* bad : {R"("")", R"("accounts-user")", R"("auth_user\"; DROP TABLE x; --")", R"("a.b")",
                            R"("user name")", R"("usér")", "1", "null", "[]"}) {
        CAPTURE(bad);
        CHECK_CONFIG_ERROR(with(std::string(R"("USER_MODEL": {"TABLE": )") + bad + "}"),
                           "configuration error at $.DJANGO.USER_MODEL.TABLE: expected an SQL identifier");
    }
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"TABLE": ")" + std::string(64, 'a') + "\"}"),
                       "$.DJANGO.USER_MODEL.TABLE");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"USERNAME_FIELD": "e-mail"})"), "$.DJANGO.USER_MODEL.USERNAME_FIELD");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"USERNAME_FIELD": null})"), "$.DJANGO.USER_MODEL.USERNAME_FIELD");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"FIELDS": {"is_staff": "staff flag"}})"),
                       "$.DJANGO.USER_MODEL.FIELDS.is_staff: expected an SQL identifier");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"FIELDS": {"is_admin": "x"}})"),
                       "$.DJANGO.USER_MODEL.FIELDS.is_admin: unknown field");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"FIELDS": ["is_active"]})"), "$.DJANGO.USER_MODEL.FIELDS: expected");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": {"PK": "uid"})"), "$.DJANGO.USER_MODEL.PK: unknown key");
    CHECK_CONFIG_ERROR(with(R"("USER_MODEL": "accounts.User")"), "$.DJANGO.USER_MODEL: expected an object");
    CHECK_THROWS_AS(django::quote_identifier("a\"b"), authpolicy::Error);
}

TEST_CASE("postgres django database: key prefixes are cut on UTF-8 characters, bounds stay UTF-8") {
    using django::utf8_prefix_range;
    auto r = utf8_prefix_range("9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", 8);
    REQUIRE(r);
    CHECK(r->first == "9944b091");
    CHECK(r->second == "9944b092");
    r = utf8_prefix_range("abc", 8);
    REQUIRE(r);
    CHECK(r->first == "abc");
    CHECK(r->second == "abd");
    r = utf8_prefix_range("abcdefg\x7f", 8);  // 0x7f + 1 is U+0080, two bytes
    REQUIRE(r);
    CHECK(r->second == "abcdefg\xc2\x80");
    r = utf8_prefix_range("abcdefg\xc3\xa9xyz", 8);  // 'é' straddles byte 8: cut before it
    REQUIRE(r);
    CHECK(r->first == "abcdefg");
    CHECK(r->second == "abcdefh");
    r = utf8_prefix_range("\xed\x9f\xbf", 8);  // U+D7FF: the next storable code point is U+E000
    REQUIRE(r);
    CHECK(r->second == "\xee\x80\x80");
    r = utf8_prefix_range("a\xf4\x8f\xbf\xbf", 8);  // U+10FFFF has no successor: bump 'a'
    REQUIRE(r);
    CHECK(r->second == "b");
    CHECK_FALSE(utf8_prefix_range("\xf4\x8f\xbf\xbf", 8));
    CHECK_FALSE(utf8_prefix_range(std::string_view("ab\0cd", 5), 8));  // PostgreSQL text holds no NUL
    CHECK_FALSE(utf8_prefix_range("ab\xff", 8));                       // not UTF-8
    CHECK_FALSE(utf8_prefix_range("ab\xc3", 8));                       // truncated
    CHECK_FALSE(utf8_prefix_range("\xed\xa0\x80", 8));                 // a surrogate
    CHECK_FALSE(utf8_prefix_range("\xc0\xaf", 8));                     // overlong
}
