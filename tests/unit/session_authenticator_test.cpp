// SessionAuthentication over a Django database and over the embedded store (drf-spec §1.5, §7.4).
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>

#include "core/authn/session_authenticator.h"
#include "core/common/error.h"
#include "core/django/csrf.h"
#include "core/django/signing.h"
#include "test_support.h"

using authp_test::Fixture;
using authp_test::header;
using namespace authpolicy;

namespace {

const std::string kSecretKey = "test-secret-key";
const std::string kCsrf = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
const std::string kPassword = "pbkdf2_sha256$1000$seasalt1234567890ab$1GNvmrPyikbKzxnIu6NGFeN41atjEh6zWPKin/TWtoE=";

void exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    REQUIRE_MESSAGE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK, (err ? err : ""));
}

std::string session_data(const std::string& json, const std::string& secret) {
    const std::string value = django::b64_encode(json) + ":1r31eq";
    return value + ":" + django::signature(value, secret, "django.contrib.sessions.SessionStore", false);
}

// A Django-shaped database: the columns the engine reads, with Django's formats.
struct DjangoDb {
    std::string path;
    explicit DjangoDb(const std::string& password_of_1) {
        path = (std::filesystem::temp_directory_path() / ("authp-django-" + std::to_string(::getpid()) + ".sqlite3"))
                   .string();
        std::remove(path.c_str());
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        exec(db,
             "CREATE TABLE auth_user (id INTEGER PRIMARY KEY, password TEXT, username TEXT UNIQUE, is_active BOOL,"
             " is_staff BOOL, is_superuser BOOL);"
             "CREATE TABLE authtoken_token (key TEXT PRIMARY KEY, created TEXT, user_id INTEGER UNIQUE);"
             "CREATE TABLE django_session (session_key TEXT PRIMARY KEY, session_data TEXT, expire_date TEXT);");
        exec(db, "INSERT INTO auth_user VALUES (1, '" + password_of_1 + "', 'john', 1, 0, 0), (2, '" + password_of_1 +
                     "', 'off', 0, 0, 0)");
        exec(db,
             "INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', '', 1),"
             " ('9944b09199c62bcf0000000000000000000000aa', '', 2)");
        auto add_session = [&](const std::string& key, const std::string& uid, const std::string& hash,
                               const std::string& expires,
                               const std::string& backend = "django.contrib.auth.backends.ModelBackend") {
            const std::string json = "{\"_auth_user_id\":\"" + uid + "\",\"_auth_user_backend\":\"" + backend +
                                     "\",\"_auth_user_hash\":\"" + hash + "\"}";
            exec(db, "INSERT INTO django_session VALUES ('" + key + "', '" + session_data(json, kSecretKey) + "', '" +
                         expires + "')");
        };
        const std::string hash = authn::django_session_auth_hash(password_of_1, kSecretKey);
        add_session("goodsession0000000000000000000001", "1", hash, "2030-01-01 00:00:00.000000");
        add_session("expiredsession000000000000000001", "1", hash, "2020-01-01 00:00:00");
        add_session("stalehash000000000000000000000001", "1", std::string(64, 'a'), "2030-01-01 00:00:00");
        add_session("inactive0000000000000000000000001", "2", hash, "2030-01-01 00:00:00");
        add_session("otherbackend000000000000000000001", "1", hash, "2030-01-01 00:00:00", "x.Backend");
        exec(db, "INSERT INTO django_session VALUES ('tampered000000000000000000000001', '" +
                     session_data("{\"_auth_user_id\":\"1\"}", "wrong-key") + "', '2030-01-01 00:00:00')");
        sqlite3_close(db);
    }
    ~DjangoDb() { std::remove(path.c_str()); }
};

http::Request with_session(const std::string& key, const std::string& method = "GET", bool csrf = false) {
    http::Request r;
    r.set_method(method);
    r.add_header("Host", "testserver");
    r.add_header("Cookie", "sessionid=" + key + (csrf ? "; csrftoken=" + kCsrf : ""));
    if (csrf) r.add_header("X-CSRFToken", kCsrf);
    return r;
}

std::string config(const DjangoDb& db, const std::string& version = "3.2") {
    return R"({"DEFAULT_AUTHENTICATION_CLASSES": ["SessionAuthentication", "TokenAuthentication"],
               "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
               "DJANGO": {"DATABASE": ")" +
           db.path + R"(", "SECRET_KEY": ")" + kSecretKey + R"(", "VERSION": ")" + version + "\"}}";
}

}  // namespace

TEST_CASE("session: a Django session authenticates; bad ones are anonymous (403, no challenge)") {
    DjangoDb db(kPassword);
    Fixture f(config(db));
    f.clock->set(1700000000.0);
    auto d = f.decide(with_session("goodsession0000000000000000000001"));
    CHECK(d.allowed);
    REQUIRE(d.user);
    CHECK(d.user->username == "john");
    CHECK(d.authenticator == "SessionAuthentication");
    for (const char* key :
         {"expiredsession000000000000000001", "stalehash000000000000000000000001", "inactive0000000000000000000000001",
          "otherbackend000000000000000000001", "tampered000000000000000000000001", "nosuchsession", ""}) {
        CAPTURE(key);
        d = f.decide(with_session(key));
        CHECK(d.status == 403);
        CHECK(d.detail == "Authentication credentials were not provided.");
        CHECK(header(d, "WWW-Authenticate") == "<absent>");
    }
}

TEST_CASE("session: CSRF on unsafe methods; failures are 403 permission_denied") {
    DjangoDb db(kPassword);
    Fixture f(config(db));
    auto d = f.decide(with_session("goodsession0000000000000000000001", "POST"));
    CHECK(d.status == 403);
    CHECK(d.code == "permission_denied");
    CHECK(d.detail == "CSRF Failed: CSRF cookie not set.");
    CHECK(d.headers.empty());
    CHECK(f.decide(with_session("goodsession0000000000000000000001", "POST", true)).allowed);
    // Anonymous sessions get no CSRF check: DRF's not-authenticated answer.
    d = f.decide(with_session("nosuchsession", "POST"));
    CHECK(d.detail == "Authentication credentials were not provided.");
}

TEST_CASE("session: DRF tokens and users come from the Django database") {
    DjangoDb db(kPassword);
    Fixture f(config(db));
    auto d = f.decide("Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b");
    CHECK(d.allowed);
    REQUIRE(d.user);
    CHECK(d.user->username == "john");
    d = f.decide("Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4c");
    CHECK(d.status == 403);
    CHECK(d.detail == "Invalid token.");
    CHECK(f.decide("Token 9944b09199c62bcf0000000000000000000000aa").detail == "User inactive or deleted.");
    CHECK(f.decide("Token 9944b091").detail == "Invalid token.");  // a prefix of a key is not the key
    CHECK(f.engine->services().find_user("john")->password == kPassword);
}

TEST_CASE("session: a password change ends Django sessions (after the cache TTL)") {
    DjangoDb db(kPassword);
    Fixture f(config(db));
    CHECK(f.decide(with_session("goodsession0000000000000000000001")).allowed);
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.path.c_str(), &raw) == SQLITE_OK);
    exec(raw, "UPDATE auth_user SET password = 'pbkdf2_sha256$1000$x$y' WHERE id = 1");
    sqlite3_close(raw);
    f.engine->services().invalidate_caches();
    CHECK(f.decide(with_session("goodsession0000000000000000000001")).status == 403);
}

TEST_CASE("session: DJANGO and SESSIONS settings are validated at build") {
    DjangoDb db(kPassword);
    CHECK_THROWS_WITH_AS(Fixture(R"({"DJANGO": {"DATABASE": "x"}})"), doctest::Contains("SECRET_KEY is required"),
                         authpolicy::Error);
    CHECK_THROWS_WITH_AS(Fixture(R"({"DJANGO": {"SECRET_KEY": "k", "DATABASE": "/nonexistent/db.sqlite3"}})"),
                         doctest::Contains("cannot open database"), authpolicy::Error);
    CHECK_THROWS_WITH_AS(Fixture(R"({"SESSIONS": {"COOKIE_AGE": 0}})"), doctest::Contains("$.SESSIONS.COOKIE_AGE"),
                         authpolicy::Error);
    CHECK_THROWS_WITH_AS(Fixture(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "SessionAuthentication", "x": 1}]})"),
                         doctest::Contains("takes no options"), authpolicy::Error);
    CHECK_THROWS_WITH_AS(Fixture(config(db, "2.2")), doctest::Contains("VERSION"), authpolicy::Error);
}

TEST_CASE("session: embedded store login, rotation, logout, password change, expiry") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["SessionAuthentication"],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
                  "SESSIONS": {"COOKIE_AGE": 3600, "IDLE_TIMEOUT": 600}})");
    f.add_user("ann", "pw");
    f.add_user("off", "pw", false);
    auto& s = f.engine->services();
    const auto login = authn::session_login(s, "ann", std::nullopt);
    CHECK(login.key.size() == 32);
    CHECK(login.key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos);
    CHECK(login.session_cookie.rfind("sessionid=" + login.key + "; expires=", 0) == 0);
    CHECK(login.session_cookie.find("; HttpOnly; Max-Age=3600; Path=/; SameSite=Lax") != std::string::npos);
    CHECK(login.csrf_token.size() == 32);
    CHECK(login.csrf_cookie.rfind("csrftoken=" + login.csrf_token + "; expires=", 0) == 0);
    CHECK(f.decide(with_session(login.key)).allowed);
    CHECK_THROWS_AS(authn::session_login(s, "off", std::nullopt), authpolicy::Error);
    CHECK_THROWS_AS(authn::session_login(s, "nobody", std::nullopt), authpolicy::Error);

    // Rotation: logging in again with the old key invalidates it at once.
    const auto again = authn::session_login(s, "ann", login.key);
    CHECK(again.key != login.key);
    CHECK(f.decide(with_session(login.key)).status == 403);
    CHECK(f.decide(with_session(again.key)).allowed);

    // Idle expiry, then absolute expiry.
    f.clock->advance(599);
    CHECK(f.decide(with_session(again.key)).allowed);
    s.invalidate_caches();
    f.clock->advance(599);
    CHECK(f.decide(with_session(again.key)).allowed);  // touched at the previous use
    s.invalidate_caches();
    f.clock->advance(601);
    CHECK(f.decide(with_session(again.key)).status == 403);
    const auto third = authn::session_login(s, "ann", std::nullopt);
    f.clock->advance(3600);
    s.invalidate_caches();
    CHECK(f.decide(with_session(third.key)).status == 403);

    // A password change ends every session of the user.
    const auto fourth = authn::session_login(s, "ann", std::nullopt);
    CHECK(f.decide(with_session(fourth.key)).allowed);
    s.directory()->set_password_hash("ann", s.hashers().make("new"));
    s.invalidate_caches();
    CHECK(f.decide(with_session(fourth.key)).status == 403);

    // Logout.
    const auto fifth = authn::session_login(s, "ann", std::nullopt);
    CHECK(authn::session_logout(s, fifth.key));
    CHECK_FALSE(authn::session_logout(s, fifth.key));
    CHECK(f.decide(with_session(fifth.key)).status == 403);

    // The CSRF cookie issued at login passes the check.
    const auto sixth = authn::session_login(s, "ann", std::nullopt);
    http::Request post;
    post.set_method("POST");
    post.add_header("Cookie", "sessionid=" + sixth.key + "; csrftoken=" + sixth.csrf_token);
    post.add_header("X-CSRFToken", sixth.csrf_token);
    CHECK(f.decide(post).allowed);
}
