// BasicAuthentication, DRF ≥ 3.15 semantics: drf-spec §1.3 edge table and §8.1 rows 1–9.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>

#include "core/directory/sqlite/sqlite_directory.h"

#include "test_support.h"

using authp_test::basic;
using authp_test::Fixture;
using authp_test::header;

namespace {
const char* kConfig = R"({"DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication"],
                          "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})";
}

TEST_CASE("Basic: the §1.3 edge table") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    struct Row {
        std::string authorization;
        int status;
        std::string detail;
    };
    const Row rows[] = {
        {"", 401, "Authentication credentials were not provided."},
        {basic("john:password"), 200, ""},
        {"basic " + authpolicy::crypto::base64_encode("john:password"), 200, ""},
        {"BASIC " + authpolicy::crypto::base64_encode("john:password"), 200, ""},
        {"Basic", 401, "Invalid basic header. No credentials provided."},
        {"Basic ", 401, "Invalid basic header. No credentials provided."},
        {"Basic foo bar", 401, "Invalid basic header. Credentials string should not contain spaces."},
        {"Basic =a=", 401, "Invalid basic header. Credentials not correctly base64 encoded."},
        {"Basic am9objpwYXNzd29yZA", 401, "Invalid basic header. Credentials not correctly base64 encoded."},
        {"Basic !!!!", 401, "Invalid basic header. Credentials not correctly base64 encoded."},
        {basic("john"), 401, "Invalid basic header. Credentials not correctly base64 encoded."},
        {basic("john:nope"), 401, "Invalid username/password."},
        {basic("nobody:password"), 401, "Invalid username/password."},
        {"Token abcd1234", 401, "Authentication credentials were not provided."},
        {"Basic  " + authpolicy::crypto::base64_encode("john:password"), 200, ""},
        {"Basic\t" + authpolicy::crypto::base64_encode("john:password"), 200, ""},
    };
    for (const auto& row : rows) {
        CAPTURE(row.authorization);
        const auto d = f.decide(row.authorization);
        CHECK(d.status == row.status);
        CHECK(d.detail == row.detail);
        if (row.status == 401) CHECK(header(d, "WWW-Authenticate") == "Basic realm=\"api\"");
    }
}

TEST_CASE("Basic: the password is everything after the first colon") {
    Fixture f(kConfig);
    f.add_user("john", "pass:word");
    CHECK(f.decide(basic("john:pass:word")).status == 200);
    CHECK(f.decide(basic("john:pass")).detail == "Invalid username/password.");
}

TEST_CASE("test_decoding_of_utf8_credentials and the latin-1 fallback") {
    Fixture f(kConfig);
    f.add_user("walterwhit\xc3\xa9", "p\xc3\xa4ssw\xc3\xb6rd");
    CHECK(f.decide(basic("walterwhit\xc3\xa9:p\xc3\xa4ssw\xc3\xb6rd")).status == 200);
    CHECK(f.decide(basic("walterwhit\xe9:p\xe4ssw\xf6rd")).status == 200);  // latin-1 bytes
}

TEST_CASE("an inactive user gets 'Invalid username/password.' through Basic (ModelBackend)") {
    Fixture f(kConfig);
    f.add_user("foo", "password", /*active=*/false);
    CHECK(f.decide(basic("foo:password")).detail == "Invalid username/password.");
}

TEST_CASE("the realm is configurable") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "BasicAuthentication", "realm": "shop"}],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    CHECK(header(f.decide(""), "WWW-Authenticate") == "Basic realm=\"shop\"");
}

TEST_CASE("repeated Basic credentials come from the cache; a password change invalidates it at once") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    CHECK(f.decide(basic("john:password")).status == 200);
    CHECK(f.decide(basic("john:password")).status == 200);  // served by the verified-credential cache
    auto& s = f.engine->services();
    s.directory()->set_password_hash("john", s.hashers().make("changed"));
    s.invalidate_caches();
    CHECK(f.decide(basic("john:password")).detail == "Invalid username/password.");
    CHECK(f.decide(basic("john:changed")).status == 200);
}

TEST_CASE("SQLite: a change made by another handle is seen once the cache TTL has passed") {
    const std::string path = "/tmp/authp-basic-" + std::to_string(getpid()) + ".sqlite3";
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication"], "DATABASE": ")" + path + R"(",
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "CACHE": {"TTL": 5}})");
    f.add_user("john", "password");
    CHECK(f.decide(basic("john:password")).status == 200);
    // Another handle on the file, as another process: SQLite cannot tell this engine.
    authpolicy::directory::sqlite::SqliteDirectory other(
        std::make_shared<authpolicy::directory::sqlite::SqliteDatabase>(path));
    other.set_active("john", false);
    CHECK(f.decide(basic("john:password")).status == 200);  // within the documented bound
    f.clock->advance(5.0);
    CHECK(f.decide(basic("john:password")).status == 401);
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST_CASE("a change made through the engine's directory drops the user's cached credentials at once") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication"],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "CACHE": {"TTL": 60}})");
    f.add_user("john", "password");
    f.add_user("mary", "password");
    CHECK(f.decide(basic("john:password")).status == 200);
    CHECK(f.decide(basic("mary:password")).status == 200);
    const auto before = f.engine->services().cache_counts();
    f.engine->services().directory()->set_active("john", false);
    CHECK(f.decide(basic("john:password")).status == 401);
    CHECK(f.decide(basic("mary:password")).status == 200);  // mary's entry stayed: a hit
    const auto after = f.engine->services().cache_counts();
    CHECK(after.hits == before.hits + 1);
}
