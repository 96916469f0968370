// Remote keys against a real HTTPS server (tests/keys/oauth_test_server.py, its own CA): jwks_uri,
// rotation, the unknown-kid storm, stale-if-error then fail closed, malformed answers, 304 and
// Cache-Control, discovery (OIDC, RFC 8414, wrong issuer), several issuers, HTTP introspection,
// and reload under concurrent decisions. Durations are configured small so this runs in seconds;
// nothing asserts on wall time: counts of fetches and of decisions that waited.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "core/common/error.h"
#include "core/common/grace.h"
#include "core/engine/live_engine.h"
#include "core/jose/base64url.h"
#include "core/keys/cache_control.h"
#include "core/keys/discovery.h"
#include "jose_support.h"
#include "oauth_server.h"
#include "test_support.h"

using authp_test::Fixture;
using authp_test::generate_key;
using authp_test::OAuthServer;
using authp_test::SigningKey;
using nlohmann::json;

namespace {

constexpr double kNow = 1700000000.0;

json claims(const std::string& iss = "https://id.example") {
    return {{"sub", "alice"}, {"iss", iss}, {"aud", "api"}, {"exp", kNow + 300}, {"iat", kNow - 10}};
}

json jwks(std::initializer_list<json> keys) {
    json list = json::array();
    for (const auto& k : keys) list.push_back(k);
    return {{"keys", list}};
}

std::string config(const json& auth) {
    return json{{"DEFAULT_AUTHENTICATION_CLASSES", {auth}}, {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}}}.dump();
}

json remote(const OAuthServer& s, json extra = json::object()) {
    json o = {{"class", "JWTAuthentication"},
              {"issuer", "https://id.example"},
              {"audience", "api"},
              {"jwks_uri", s.base() + "/jwks.json"},
              {"ca_file", s.ca()},
              {"algorithms", {"RS256"}}};
    for (auto& [k, v] : extra.items()) o[k] = v;
    return o;
}

struct Env {
    std::unique_ptr<Fixture> f;
    explicit Env(const json& auth) {
        f = std::make_unique<Fixture>(config(auth));
        f->add_user("alice", "pw");
    }
    authpolicy::Decision decide(const std::string& token) { return f->decide("Bearer " + token); }
    // 503 territory: the machinery refuses (Error(Store)), never an allow.
    bool unavailable(const std::string& token) {
        try {
            decide(token);
            return false;
        } catch (const authpolicy::Error& e) {
            return e.code() == authpolicy::ErrorCode::Store;
        }
    }
    authpolicy::keys::KeySetStats stats() const {
        auto sets = f->engine->key_registry().live();
        REQUIRE(sets.size() == 1);
        return sets.front()->stats();
    }
};

template <class F>
bool eventually(F&& ok, double seconds = 15) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (ok()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return ok();
}

std::string random_kid_token(std::mt19937_64& rng) {
    using authpolicy::jose::base64url_encode;
    const json h = {{"alg", "RS256"}, {"kid", "k-" + std::to_string(rng())}};
    return base64url_encode(h.dump()) + "." + base64url_encode(claims().dump()) + "." + base64url_encode("sig");
}

}  // namespace

TEST_CASE("remote JWKS: fetched at start; a rotated-in key is found by the first token naming it") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256"), k2 = generate_key("RS256"), k3 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}});
    Env e(remote(s, {{"unknown_kid_cooldown", 5}}));
    CHECK(e.decide(k1.token(claims(), "k1")).allowed);
    CHECK(e.stats().fetches == 1);
    // Rotation on the server: k2 added, then k1 retired. No restart, no reload.
    s.set({{"jwks", jwks({k1.public_jwk("k1"), k2.public_jwk("k2")})}});
    CHECK(e.decide(k2.token(claims(), "k2")).allowed);  // waited on one shared refetch
    CHECK(e.stats().unknown_kid_refetches == 1);
    CHECK(e.stats().waited == 1);
    // A token whose kid is unknown is a 401, and within the cooldown costs no fetch.
    const auto before = e.stats().fetches;
    const auto d = e.decide(k3.token(claims(), "k3"));
    CHECK(d.status == 401);
    CHECK(d.detail == "The token key is unknown.");
    CHECK(e.stats().fetches == before);
}

TEST_CASE("remote JWKS: an unknown-kid storm of 10,000 tokens costs at most one fetch per cooldown") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}});
    Env e(remote(s, {{"unknown_kid_cooldown", 30}}));
    std::mt19937_64 rng(7);
    std::vector<std::string> tokens;
    for (int i = 0; i < 10000; ++i) tokens.push_back(random_kid_token(rng));
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (size_t i = static_cast<size_t>(t); i < tokens.size(); i += 4) {
                if (e.decide(tokens[i]).status == 401) ++refused;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(refused == 10000);
    CHECK(e.stats().unknown_kid_refetches == 1);  // the whole storm: one refetch per 30 s cooldown
    CHECK(s.count("jwks") == 2);                  // the start-up fetch and that one
    CHECK(e.decide(k1.token(claims(), "k1")).allowed);
}

TEST_CASE("remote JWKS: stale-if-error keeps the last good set, then fails closed with 503") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}, {"cache_control", "max-age=1"}});
    Env e(remote(s, {{"jwks_min_ttl", 0.2}, {"jwks_max_ttl", 0.2}, {"stale_if_error", 2}}));
    const std::string token = k1.token(claims(), "k1");
    CHECK(e.decide(token).allowed);
    s.set({{"jwks_mode", "500"}});
    REQUIRE(eventually([&] { return e.stats().failures >= 1; }));
    // The server fails, the last good set still serves (a cached token would hide this: new tokens).
    auto fresh = [&] {
        json c = claims();
        c["jti"] = std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
        return k1.token(c, "k1");
    };
    CHECK(e.decide(fresh()).allowed);
    // Past freshness + stale_if_error: fail closed, 503, never an allow.
    CHECK(eventually([&] { return e.unavailable(fresh()); }));
    // Recovery: the server answers again, keys come back without a restart.
    s.set({{"jwks_mode", "ok"}});
    CHECK(eventually([&] { return !e.unavailable(fresh()) && e.decide(fresh()).allowed; }));
}

TEST_CASE("remote JWKS: malformed, oversized, non-JSON, redirected or keyless answers never replace a good set") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}});
    Env e(remote(s, {{"jwks_min_ttl", 0.1}, {"jwks_max_ttl", 0.1}, {"max_response_bytes", 65536}}));
    int n = 0;
    for (const char* mode : {"truncated", "huge", "nonjson", "html", "redirect_other"}) {
        CAPTURE(mode);
        const auto failures = e.stats().failures;
        s.set({{"jwks_mode", mode}});
        REQUIRE(eventually([&] { return e.stats().failures >= failures + 2; }));
        json c = claims();
        c["n"] = ++n;
        CHECK(e.decide(k1.token(c, "k1")).allowed);
        CHECK(e.stats().replaced == 1);
    }
    // Only unusable keys (use: enc, short RSA, unknown kty, a secret): refused as a whole.
    SigningKey weak;
    weak.pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)), EVP_PKEY_free);
    weak.alg = "RS256";
    json enc = generate_key("RS256").public_jwk("enc");
    enc["use"] = "enc";
    const json unusable = jwks({enc,
                                weak.public_jwk("short"),
                                {{"kty", "XYZ"}, {"kid", "x"}},
                                {{"kty", "oct"}, {"k", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}}});
    const auto failures = e.stats().failures;
    s.set({{"jwks_mode", "ok"}, {"jwks", unusable}});
    REQUIRE(eventually([&] { return e.stats().failures >= failures + 2; }));
    CHECK(e.decide(k1.token(claims(), "k1")).allowed);
    // Unusable keys beside a usable one are skipped: the set is taken.
    const SigningKey k2 = generate_key("RS256");
    json mixed = unusable;
    mixed["keys"].push_back(k2.public_jwk("k2"));
    s.set({{"jwks", mixed}});
    REQUIRE(eventually([&] { return e.stats().replaced == 2; }));
    CHECK(e.decide(k2.token(claims(), "k2")).allowed);
}

TEST_CASE("remote JWKS: 304 revalidation, Cache-Control clamped, redirects within the origin") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}, {"etag", true}, {"cache_control", "max-age=86400"}});
    Env e(remote(s, {{"jwks_min_ttl", 0.1}, {"jwks_max_ttl", 0.2}}));
    // max-age 86400 clamped to 0.2 s: revalidated, answered 304, the set kept.
    REQUIRE(eventually([&] { return e.stats().not_modified >= 2; }));
    CHECK(s.count("304") >= 2);
    CHECK(e.stats().replaced == 1);
    CHECK(e.decide(k1.token(claims(), "k1")).allowed);
    CHECK(authpolicy::keys::freshness_seconds("public, max-age=5", {60, 600, 300}) == 60);
    CHECK(authpolicy::keys::freshness_seconds("max-age=100", {60, 600, 300}) == 100);
    CHECK(authpolicy::keys::freshness_seconds("no-store, max-age=100", {60, 600, 300}) == 60);
    CHECK(authpolicy::keys::freshness_seconds("", {60, 600, 300}) == 300);
    const auto fetches = e.stats().fetches;
    s.set({{"jwks_mode", "redirect_same"}, {"etag", false}});
    REQUIRE(eventually([&] { return e.stats().fetches >= fetches + 2; }));
    CHECK(e.stats().failures == 0);
}

TEST_CASE("remote JWKS: no decision waits on the network during a slow refresh") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}});
    Env e(remote(s, {{"jwks_min_ttl", 0.1}, {"jwks_max_ttl", 0.1}, {"fetch_timeout", 5}}));
    s.set({{"jwks_mode", "slow"}, {"slow_seconds", 1.5}});
    REQUIRE(eventually([&] { return s.count("jwks") >= 2; }));  // a refresh is hanging on the server
    int allowed = 0;
    for (int i = 0; i < 300; ++i) {
        json c = claims();
        c["i"] = i;
        allowed += e.decide(k1.token(c, "k1")).allowed ? 1 : 0;
    }
    CHECK(allowed == 300);
    CHECK(e.stats().waited == 0);  // not one decision waited on the slow fetch
}

TEST_CASE("remote JWKS: a server unreachable at start does not fail the build; 503 until keys arrive") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks_mode", "500"}});
    Env e(remote(s, {{"jwks_min_ttl", 0.1}, {"jwks_max_ttl", 0.1}}));
    CHECK(e.unavailable(k1.token(claims(), "k1")));
    s.set({{"jwks_mode", "ok"}, {"jwks", jwks({k1.public_jwk("k1")})}});
    CHECK(eventually([&] { return !e.unavailable(k1.token(claims(), "k1")); }));
    CHECK(e.decide(k1.token(claims(), "k1")).allowed);
    // fetch_at_start false: nothing is fetched during the build.
    OAuthServer s2;
    s2.set({{"jwks", jwks({k1.public_jwk("k1")})}, {"jwks_mode", "slow"}, {"slow_seconds", 3}});
    Env deferred(remote(s2, {{"fetch_at_start", false}}));
    CHECK(deferred.unavailable(k1.token(claims(), "k1")));
}

TEST_CASE("remote JWKS: configuration refusals") {
    OAuthServer s;
    const auto refused = [&](json extra, const std::string& what) {
        CAPTURE(what);
        try {
            Fixture f(config(remote(s, extra)));
            FAIL("accepted");
        } catch (const authpolicy::Error& e) {
            CHECK(e.code() == authpolicy::ErrorCode::Config);
            CHECK(std::string(e.what()).find(what) != std::string::npos);
        }
    };
    refused({{"jwks_uri", "http://127.0.0.1:1/jwks.json"}}, "plain http is refused");
    refused({{"jwks_uri", "http://example.com/jwks.json"}, {"allow_insecure_http", true}}, "only to 127.0.0.1");
    refused({{"jwks_uri", "https://user:pw@127.0.0.1/jwks.json"}}, "user name or password");
    refused({{"jwks_uri", "ftp://127.0.0.1/jwks.json"}}, "only https");
    refused({{"algorithms", {"HS256"}}}, "never used with published keys");
    refused({{"stale_if_error", -1}}, "stale_if_error");
    refused({{"jwks", jwks({generate_key("RS256").public_jwk("x")})}}, "exactly one key source");
    refused({{"jwks_min_ttl", 10}, {"jwks_max_ttl", 5}}, "may not exceed");
}

TEST_CASE("discovery: OpenID Connect first, then RFC 8414; the issuer must match exactly") {
    using authpolicy::keys::metadata_urls;
    CHECK(metadata_urls("https://id.example") ==
          std::vector<std::string>{"https://id.example/.well-known/openid-configuration",
                                   "https://id.example/.well-known/oauth-authorization-server"});
    CHECK(metadata_urls("https://id.example/o") ==
          std::vector<std::string>{"https://id.example/o/.well-known/openid-configuration",
                                   "https://id.example/.well-known/oauth-authorization-server/o"});
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}});
    const std::string issuer = s.base() + "/tenant";
    const json auth = {{"class", "JWTAuthentication"}, {"issuer", issuer}, {"audience", "api"}, {"ca_file", s.ca()}};
    {
        Env e(auth);
        CHECK(e.decide(k1.token(claims(issuer), "k1")).allowed);
        CHECK(s.count("GET /tenant/.well-known/openid-configuration") == 1);
    }
    {
        s.set({{"oidc", false}});  // only RFC 8414: the path goes after the well-known segment
        Env e(auth);
        CHECK(e.decide(k1.token(claims(issuer), "k1")).allowed);
        CHECK(s.count("GET /.well-known/oauth-authorization-server/tenant") == 1);
    }
    {
        s.set({{"oidc", true}, {"wrong_issuer", true}});  // a mix-up: the document names another issuer
        Env e(auth);
        CHECK(e.unavailable(k1.token(claims(issuer), "k1")));
        CHECK(e.stats().fetches == 0);  // its jwks_uri is never used
    }
}

TEST_CASE("issuers: tokens are routed by iss before any key is touched; an unlisted iss costs no fetch") {
    OAuthServer a, b;
    const SigningKey ka = generate_key("RS256"), kb = generate_key("ES256");
    a.set({{"jwks", jwks({ka.public_jwk("a1")})}});
    b.set({{"jwks", jwks({kb.public_jwk("b1")})}});
    // Each server has its own CA: the bundle holds both.
    const std::string bundle = std::filesystem::temp_directory_path() / ("authp-bundle-" + std::to_string(getpid()));
    {
        std::ofstream out(bundle);
        out << std::ifstream(a.ca()).rdbuf() << std::ifstream(b.ca()).rdbuf();
    }
    const json auth = {{"class", "JWTAuthentication"},
                       {"ca_file", bundle},
                       {"issuers",
                        {{{"issuer", "https://a.example"}, {"audience", "api"}, {"jwks_uri", a.base() + "/jwks.json"}},
                         {{"issuer", "https://b.example"},
                          {"audience", "api"},
                          {"algorithms", {"ES256"}},
                          {"jwks_uri", b.base() + "/jwks.json"}}}}};
    Fixture f(config(auth));
    f.add_user("alice", "pw");
    CHECK(f.decide("Bearer " + ka.token(claims("https://a.example"), "a1")).allowed);
    CHECK(f.decide("Bearer " + kb.token(claims("https://b.example"), "b1")).allowed);
    // b's token claiming a's issuer: verified with a's keys only, so it fails.
    CHECK(f.decide("Bearer " + kb.token(claims("https://a.example"), "b1")).status == 401);
    const int fetches = a.count("jwks") + b.count("jwks");
    const auto d = f.decide("Bearer " + ka.token(claims("https://evil.example"), "zz"));
    CHECK(d.status == 401);
    CHECK(d.detail == "The token issuer is not accepted.");
    CHECK(a.count("jwks") + b.count("jwks") == fetches);
    std::filesystem::remove(bundle);
}

TEST_CASE("introspection over HTTP: client_secret_basic and _post, cache, inactive not cached, 503 when down") {
    OAuthServer s;
    s.set({{"client_id", "rs"},
           {"client_secret", "s3cr:et"},
           {"tokens",
            {{"good", {{"active", true}, {"username", "alice"}, {"scope", "read"}, {"exp", kNow + 60}}},
             {"gone", {{"active", false}}}}}});
    const auto env = [&](json extra) {
        json auth = {{"class", "OAuth2Authentication"},
                     {"source", "introspection"},
                     {"introspection_endpoint", s.base() + "/introspect"},
                     {"client_id", "rs"},
                     {"client_secret", "s3cr:et"},
                     {"ca_file", s.ca()},
                     {"token_type_hint", "access_token"},
                     {"introspection_cache_ttl", 60}};
        for (auto& [k, v] : extra.items()) {
            if (v.is_null())
                auth.erase(k);
            else
                auth[k] = v;
        }
        return std::make_unique<Env>(auth);
    };
    auto e = env(json::object());
    CHECK(e->decide("good").allowed);
    CHECK(e->decide("good").allowed);  // cached
    CHECK(s.count("POST /introspect") == 1);
    CHECK(s.count("auth basic") == 1);
    CHECK(s.count("hint access_token") == 1);
    CHECK(e->decide("gone").status == 401);
    CHECK(e->decide("gone").status == 401);
    CHECK(s.count("POST /introspect") == 3);  // inactive answers are not cached
    // The endpoint down: a cached answer still serves until its TTL, an uncached token is a 503.
    s.set({{"introspect_mode", "500"}});
    CHECK(e->decide("good").allowed);
    CHECK(e->unavailable("other"));
    // client_secret_post, from the environment; wrong credentials are a 503 (the server refused us).
    s.set({{"introspect_mode", "ok"}});
    setenv("AUTHP_TEST_SECRET", "s3cr:et", 1);
    auto post = env({{"client_auth_method", "client_secret_post"},
                     {"client_secret", nullptr},
                     {"client_secret_env", "AUTHP_TEST_SECRET"}});
    CHECK(post->decide("good").allowed);
    CHECK(s.count("auth post") == 1);
    auto wrong = env({{"client_secret", "nope"}});
    CHECK(wrong->unavailable("good"));
    // Discovered endpoint.
    auto discovered = env({{"introspection_endpoint", nullptr}, {"issuer", s.base()}});
    CHECK(discovered->decide("good").allowed);

    // No stale grace: once its TTL is over, a cached answer is gone, and with the endpoint down
    // the token is a 503 (the answer's exp, 60 s away, has not passed).
    auto short_ttl = env({{"introspection_cache_ttl", 30}});
    CHECK(short_ttl->decide("good").allowed);
    s.set({{"introspect_mode", "500"}});
    CHECK(short_ttl->decide("good").allowed);  // within its TTL
    short_ttl->f->clock->advance(31);
    CHECK(short_ttl->unavailable("good"));
    s.set({{"introspect_mode", "ok"}});
    CHECK(short_ttl->decide("good").allowed);  // the endpoint back: right again at once
}

TEST_CASE("introspection over HTTP: malformed, oversized, non-JSON, duplicate-key or slow answers are a 503") {
    OAuthServer s;
    s.set({{"client_id", "rs"}, {"client_secret", "pw"}});
    Env e({{"class", "OAuth2Authentication"},
           {"source", "introspection"},
           {"introspection_endpoint", s.base() + "/introspect"},
           {"client_id", "rs"},
           {"client_secret", "pw"},
           {"ca_file", s.ca()},
           {"fetch_timeout", 1}});
    for (const char* mode : {"nonjson", "truncated", "huge", "duplicate", "html", "slow"}) {
        CAPTURE(mode);
        s.set({{"introspect_mode", mode}, {"slow_seconds", 5}});
        const auto started = std::chrono::steady_clock::now();
        CHECK(e.unavailable(std::string("token-") + mode));
        // Ended by the 1 s fetch timeout, not by the server's 5 s (a bound, not a performance figure).
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
    }
}

TEST_CASE("reload: concurrent decisions while reloading 100 times never see a half-built policy") {
    OAuthServer s;
    const SigningKey k1 = generate_key("RS256");
    s.set({{"jwks", jwks({k1.public_jwk("k1")})}});
    auto shared_clock = std::make_shared<authp_test::ManualClock>();
    const auto build = [&](bool open, const authpolicy::Engine* previous) {
        json cfg = {{"PASSWORD_ITERATIONS", 1000},
                    {"DEFAULT_AUTHENTICATION_CLASSES", {remote(s)}},
                    {"DEFAULT_PERMISSION_CLASSES", {open ? "AllowAny" : "IsAuthenticated"}},
                    {"VIEWS", {{"v", {{"permission_classes", {"IsAuthenticated"}}}}}}};
        authpolicy::HostHooks hooks;
        hooks.clock = shared_clock;
        hooks.user_lookup = [](std::optional<std::string_view> name, int64_t) -> std::optional<authpolicy::UserPtr> {
            auto u = std::make_shared<authpolicy::User>();
            u->username = std::string(name.value_or("x"));
            u->is_authenticated = true;
            return u;
        };
        return std::make_unique<authpolicy::Engine>(authpolicy::parse_config(cfg, ""), hooks, previous, false);
    };
    authpolicy::LiveEngine live(build(true, nullptr));
    const std::string good = "Bearer " + k1.token(claims(), "k1");
    std::atomic<bool> stop{false};
    std::atomic<int> decisions{0}, odd{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&] {
            while (!stop) {
                const authpolicy::grace::ReadSection section;
                authpolicy::Engine& engine = live.current();
                authpolicy::AuthState state;
                const auto anon = authp_test::request("", "GET", "");
                const auto d1 = engine.evaluate(anon, state);
                authpolicy::AuthState state2;
                const auto d2 = engine.evaluate(authp_test::request(good, "GET", "v"), state2);
                // Either policy: anonymous allowed (open) or 401/403 (closed); the token always passes.
                if (!(d1.allowed || d1.status == 401 || d1.status == 403) || !d2.allowed) ++odd;
                ++decisions;
            }
        });
    }
    for (int i = 0; i < 100; ++i) {
        live.reload([&](const authpolicy::Engine& previous) { return build(i % 2 == 1, &previous); });
        if (i % 10 == 0) {  // a bad configuration is refused and the old policy keeps serving
            CHECK_THROWS_AS(live.reload([&](const authpolicy::Engine&) -> std::unique_ptr<authpolicy::Engine> {
                throw authpolicy::Error(authpolicy::ErrorCode::Config, "configuration error at $: bad");
            }),
                            authpolicy::Error);
        }
    }
    stop = true;
    for (auto& t : threads) t.join();
    CHECK(odd == 0);
    CHECK(decisions > 0);
    // The key set was carried across every reload: one fetch in all.
    CHECK(s.count("jwks") == 1);
}
