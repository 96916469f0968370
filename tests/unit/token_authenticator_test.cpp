// TokenAuthentication: drf-spec §1.4 and §8.1 rows 16–25, plus expiry and keyword lists.
#include <doctest/doctest.h>

#include "test_support.h"

using authp_test::Fixture;
using authp_test::header;

namespace {
const char* kConfig = R"({"DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
                          "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})";
}

TEST_CASE("Token: the §1.4 table (DRF 3.14 verified)") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    f.add_user("foo", "password", /*active=*/false);
    f.add_token("john", "abcd1234");
    f.add_token("foo", "foobar_token");
    struct Row {
        std::string authorization;
        int status;
        std::string detail;
    };
    const Row rows[] = {
        {"Token abcd1234", 200, ""},
        {"token abcd1234", 200, ""},
        {"Token", 401, "Invalid token header. No credentials provided."},
        {"Token ", 401, "Invalid token header. No credentials provided."},
        {"Token foo bar", 401, "Invalid token header. Token string should not contain spaces."},
        {"Token wxyz6789", 401, "Invalid token."},
        {"Token foobar_token", 401, "User inactive or deleted."},
        {"Token abcd1234\xb8", 401, "Invalid token header. Token string should not contain invalid characters."},
        {"Bearer abcd1234", 401, "Authentication credentials were not provided."},
        {"", 401, "Authentication credentials were not provided."},
        {"Token " + std::string(300, 'a'), 401, "Invalid token."},
    };
    for (const auto& row : rows) {
        CAPTURE(row.authorization);
        const auto d = f.decide(row.authorization);
        CHECK(d.status == row.status);
        CHECK(d.detail == row.detail);
        if (row.status == 401) CHECK(header(d, "WWW-Authenticate") == "Token");
    }
}

TEST_CASE("a successful token sets user, auth and authenticator") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    f.add_token("john", "abcd1234");
    const auto d = f.decide("Token abcd1234");
    CHECK(d.authenticator == "TokenAuthentication");
    CHECK(d.user->username == "john");
    CHECK(*d.auth == R"({"type":"token","name":"test"})");
}

TEST_CASE("a NUL byte inside the key is data, not a terminator") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    f.add_token("john", "abcd1234");
    authpolicy::http::Request r;
    r.add_header("Authorization", std::string_view("Token abcd1234\0junk", 19));
    CHECK(f.decide(r).detail == "Invalid token.");
}

TEST_CASE("keyword lists: any listed keyword, case-insensitively; the challenge is the first") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "TokenAuthentication", "keyword": ["Bearer", "Token"]}],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    f.add_user("john", "password");
    f.add_token("john", "abcd1234");
    CHECK(f.decide("Bearer abcd1234").status == 200);
    CHECK(f.decide("bearer abcd1234").status == 200);
    CHECK(f.decide("Token abcd1234").status == 200);
    CHECK(header(f.decide(""), "WWW-Authenticate") == "Bearer");
}

TEST_CASE("an expired token → 401 'Token has expired.', also when it was cached before expiry") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    const auto now = static_cast<int64_t>(f.clock->now());
    f.add_token("john", "abcd1234", now + 60);
    CHECK(f.decide("Token abcd1234").status == 200);
    f.clock->advance(59);
    CHECK(f.decide("Token abcd1234").status == 200);
    f.clock->advance(1);
    const auto d = f.decide("Token abcd1234");
    CHECK(d.status == 401);
    CHECK(d.detail == "Token has expired.");
    CHECK(d.code == "authentication_failed");
}

TEST_CASE("revocation and deactivation through the engine take effect at once") {
    Fixture f(kConfig);
    f.add_user("john", "password");
    f.add_token("john", "abcd1234");
    CHECK(f.decide("Token abcd1234").status == 200);
    auto& s = f.engine->services();
    s.directory()->set_active("john", false);  // the directory tells the caches
    CHECK(f.decide("Token abcd1234").detail == "User inactive or deleted.");
    s.directory()->set_active("john", true);
    s.directory()->revoke_token(authpolicy::crypto::sha256("abcd1234"));
    CHECK(f.decide("Token abcd1234").detail == "Invalid token.");
}

TEST_CASE("with the cache disabled every decision reads the store") {
    Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "CACHE": {"TTL": 0}})");
    f.add_user("john", "password");
    f.add_token("john", "abcd1234");
    CHECK(f.decide("Token abcd1234").status == 200);
    f.engine->services().directory()->revoke_token(authpolicy::crypto::sha256("abcd1234"));  // no invalidation needed
    CHECK(f.decide("Token abcd1234").detail == "Invalid token.");
}
