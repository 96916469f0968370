// OAuth2Authentication: opaque access tokens from the SQLite store (digest only) and from the
// host's RFC 7662 introspection callback, whose cache never outlives exp and whose scopes are
// re-checked on every hit (Oathkeeper CVE-2021-32701).
#include <doctest/doctest.h>

#include "core/authn/oauth2_authenticator.h"
#include "core/common/error.h"
#include "test_support.h"

using authp_test::Fixture;
using authp_test::header;
using nlohmann::json;

namespace {

constexpr double kNow = 1700000000.0;

std::string config(const json& auth) {
    return json{{"DEFAULT_AUTHENTICATION_CLASSES", {auth}},
                {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}},
                {"VIEWS",
                 {{"read", {{"permission_classes", {"TokenHasScope"}}, {"required_scopes", {"read"}}}},
                  {"write", {{"permission_classes", {"TokenHasScope"}}, {"required_scopes", {"write"}}}},
                  {"rw", {{"permission_classes", {"TokenHasReadWriteScope"}}}}}}}
        .dump();
}

std::string add_oauth_token(Fixture& f, const std::string& user, const std::string& scope,
                            std::optional<int64_t> expires, const std::string& client = "cli") {
    const std::string token = authpolicy::authn::new_oauth_token();
    f.engine->services().directory()->add_oauth_token(authpolicy::crypto::sha256(token), user, client, scope, 0,
                                                      expires);
    return token;
}

}  // namespace

TEST_CASE("OAuth2: store tokens: digest only, scopes, client, expiry, revocation") {
    Fixture f(config({{"class", "OAuth2Authentication"}}));
    f.add_user("alice", "pw");
    const std::string token = add_oauth_token(f, "alice", "read", static_cast<int64_t>(kNow) + 60);
    CHECK(token.size() == 43);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    auto d = f.decide("Bearer " + token, "GET", "read");
    REQUIRE(d.allowed);
    CHECK(d.authenticator == "OAuth2Authentication");
    CHECK(json::parse(*d.auth) == json{{"type", "oauth2"},
                                       {"client_id", "cli"},
                                       {"scopes", {"read"}},
                                       {"expires", static_cast<int64_t>(kNow) + 60}});
    d = f.decide("Bearer " + token, "GET", "write");
    CHECK(d.status == 403);
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api", error="insufficient_scope", scope="write")");
    d = f.decide("Bearer nope");
    CHECK(d.status == 401);
    CHECK(d.code == "invalid_token");
    CHECK(header(d, "WWW-Authenticate") ==
          R"(Bearer realm="api", error="invalid_token", error_description="The token is invalid.")");
    f.clock->advance(60);
    CHECK(f.decide("Bearer " + token).detail == "The token has expired.");
    // Revocation takes effect at once in this process: the directory tells the caches.
    const std::string t2 = add_oauth_token(f, "alice", "", std::nullopt);
    CHECK(f.decide("Bearer " + t2).allowed);
    auto& directory = *f.engine->services().directory();
    CHECK(directory.revoke_oauth_token(authpolicy::crypto::sha256(t2)));
    CHECK(f.decide("Bearer " + t2).status == 401);
    // The database holds no token text.
    const std::string listing = directory.list_oauth_tokens_json(std::nullopt);
    CHECK(listing.find(token) == std::string::npos);
    CHECK(json::parse(listing).size() == 1);
    CHECK(f.decide("Bearer").status == 400);
}

TEST_CASE("OAuth2 + JWT on one view: dotless tokens go to OAuth2Authentication") {
    json jwt = {{"class", "JWTAuthentication"}, {"secret", std::string(32, 's')}};
    Fixture f(json{{"DEFAULT_AUTHENTICATION_CLASSES", {jwt, {{"class", "OAuth2Authentication"}}}},
                   {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}}}
                  .dump());
    f.add_user("alice", "pw");
    const std::string token = add_oauth_token(f, "alice", "read", std::nullopt);
    CHECK(f.decide("Bearer " + token).authenticator == "OAuth2Authentication");
}

TEST_CASE("OAuth2 introspection: active only if true, cached never past exp, scopes re-checked") {
    int calls = 0;
    json answer;
    authpolicy::HostHooks hooks;
    hooks.introspect = [&](std::string_view token) -> std::string {
        ++calls;
        if (token == "broken") throw authpolicy::Error(authpolicy::ErrorCode::Callback, "endpoint down");
        if (token == "garbage") return "not json";
        return answer.dump();
    };
    Fixture f(config({{"class", "OAuth2Authentication"}, {"source", "introspection"}}), hooks);
    f.add_user("alice", "pw");
    answer = {{"active", true}, {"scope", "read"}, {"sub", "alice"}, {"client_id", "c"}, {"exp", kNow + 30}};
    CHECK(f.decide("Bearer tok1", "GET", "rw").allowed);
    CHECK(calls == 1);
    // The cache answers the next requests (each view's authenticator keeps its own); the scope
    // check still runs on each hit.
    auto d = f.decide("Bearer tok1", "POST", "rw");
    CHECK(d.status == 403);
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api", error="insufficient_scope", scope="write")");
    CHECK(calls == 1);
    f.clock->advance(30);  // exp reached: the cached entry is not used
    CHECK(f.decide("Bearer tok1", "GET", "rw").detail == "The token has expired.");

    for (const json& inactive :
         {json{{"active", false}}, json{{"active", "true"}}, json{{"active", 1}}, json{{"sub", "alice"}}}) {
        answer = inactive;
        const int before = calls;
        CHECK(f.decide("Bearer tok2").detail == "The token is not active.");
        CHECK(f.decide("Bearer tok2").status == 401);
        CHECK(calls == before + 2);  // negative answers are never cached
    }
    answer = {{"active", true}, {"sub", "nobody"}};
    CHECK(f.decide("Bearer tok3").detail == "The token user was not found.");
    // Host failures and bad responses fail closed (the C API turns these into 503).
    authpolicy::AuthState s1, s2;
    CHECK_THROWS_AS(f.engine->evaluate(authp_test::request("Bearer broken"), s1), authpolicy::Error);
    CHECK_THROWS_AS(f.engine->evaluate(authp_test::request("Bearer garbage"), s2), authpolicy::Error);
}

TEST_CASE("OAuth2 configuration errors") {
    try {
        Fixture f(config({{"class", "OAuth2Authentication"}, {"source", "introspection"}}));
        FAIL("accepted without a callback");
    } catch (const authpolicy::Error& e) {
        CHECK(std::string(e.what()).find("$.DEFAULT_AUTHENTICATION_CLASSES[0].source") != std::string::npos);
    }
    CHECK_THROWS_AS(Fixture(config({{"class", "OAuth2Authentication"}, {"colour", 1}})), authpolicy::Error);
    // TokenHasScope on a view without required_scopes is refused.
    CHECK_THROWS_AS(Fixture(json{{"DEFAULT_AUTHENTICATION_CLASSES", {"OAuth2Authentication"}},
                                 {"VIEWS", {{"v", {{"permission_classes", {"TokenHasScope"}}}}}}}
                                .dump()),
                    authpolicy::Error);
    CHECK_THROWS_AS(Fixture(json{{"VIEWS", {{"v", {{"required_scopes", {"a b"}}}}}}}.dump()), authpolicy::Error);
}

TEST_CASE("finding 22.11: introspection JSON with duplicate members is refused, not last-key-wins") {
    std::string answer;
    authpolicy::HostHooks hooks;
    hooks.introspect = [&](std::string_view) { return answer; };
    Fixture f(config({{"class", "OAuth2Authentication"}, {"source", "introspection"}, {"lookup_user", false}}), hooks);
    answer = R"({"active":true,"sub":"alice"})";
    CHECK(f.decide("Bearer t1").allowed);
    answer = R"({"active":false,"sub":"alice","active":true})";
    authpolicy::AuthState state;
    CHECK_THROWS_AS(f.engine->evaluate(authp_test::request("Bearer t2"), state), authpolicy::Error);
}

TEST_CASE("finding 22.10: an introspected username with NUL or control characters is refused") {
    json answer;
    authpolicy::HostHooks hooks;
    hooks.introspect = [&](std::string_view) { return answer.dump(); };
    Fixture f(config({{"class", "OAuth2Authentication"}, {"source", "introspection"}, {"lookup_user", false}}), hooks);
    for (const std::string& bad : {std::string("alice\0admin", 11), std::string("a\x1b[2J"), std::string("a\nb")}) {
        answer = {{"active", true}, {"sub", bad}};
        const auto d = f.decide("Bearer t-" + std::to_string(bad.size()) + std::to_string(bad[1]));
        CHECK(d.status == 401);
        CHECK(d.detail == "The token does not name a user.");
    }
}
