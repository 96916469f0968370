// DPOP_REPLAY_BACKEND: the DPoP replay cases against the memory store and a real Redis server
// (a proof accepted once; two engines sharing Redis refuse each other's proofs), expiry, one
// acceptance under contention, failures as the safe denial without hanging, and the settings.
#include <doctest/doctest.h>

#include <hiredis/hiredis.h>

#include <chrono>

#include "core/authn/memory_dpop_replay_store.h"
#include "core/authn/redis_dpop_replay_store.h"
#include "core/common/error.h"
#include "core/common/redis_pool.h"
#include "core/crypto/hex.h"
#include "core/engine/config.h"
#include "dpop_replay_scenario.h"
#include "loopback_port.h"
#include "redis_server.h"

using authp_dpop_test::check_dpop_expiry;
using authp_dpop_test::check_dpop_one_fresh;
using authp_dpop_test::check_dpop_replay;
using authp_dpop_test::Env;
using authp_dpop_test::failing_decision;
using authp_dpop_test::Failure;
using authp_dpop_test::proof;
using authp_dpop_test::request;
using authp_test::RedisServer;
using nlohmann::json;
using Result = authpolicy::authn::DpopReplayStore::Result;

namespace {

json redis_backend(int port, json more = json::object()) {
    json b = {{"TYPE", "redis"}, {"PORT", port}, {"TIMEOUT_MS", 200}, {"RETRY_AFTER", 0}};
    for (const auto& item : more.items()) b[item.key()] = item.value();
    return json{{"DPOP_REPLAY_BACKEND", b}};
}

authpolicy::authn::RedisDpopSettings redis_settings(int port) {
    authpolicy::authn::RedisDpopSettings s;
    s.port = port;
    s.timeout_ms = 200;
    s.retry_after_s = 0;
    return s;
}

std::string refusal(const json& config) {
    try {
        authp_test::Fixture f(config.dump());
    } catch (const authpolicy::Error& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("DPoP replay, memory: once per engine, by default and as DPOP_REPLAY_BACKEND \"memory\"") {
    check_dpop_replay(json::object(), false);
    check_dpop_replay(json{{"DPOP_REPLAY_BACKEND", {{"TYPE", "memory"}}}}, false);
    authpolicy::authn::MemoryDpopReplayStore store(1000);
    check_dpop_expiry(store);
    check_dpop_one_fresh(store);
}

TEST_CASE("DPoP replay, memory: MAX_KEYS bounds the engine's store; a full store refuses new proofs") {
    Env env(json{{"dpop", "required"}}, json{{"DPOP_REPLAY_BACKEND", {{"TYPE", "memory"}, {"MAX_KEYS", 1}}}});
    const std::string token = env.bound_token();
    CHECK(env.decide(request("DPoP " + token, proof(env.client, token))).allowed);
    authp_dpop_test::check_refused(env.decide(request("DPoP " + token, proof(env.client, token))), "invalid_dpop_proof",
                                   "The DPoP proof cannot be checked for replay now.");
}

TEST_CASE("DPoP replay, Redis: two engines on one server refuse each other's proofs") {
    const int port = authp_test::unused_loopback_port();
    RedisServer server(port);
    check_dpop_replay(redis_backend(port), true);
    authpolicy::authn::RedisDpopReplayStore store(redis_settings(port));
    check_dpop_expiry(store);
    check_dpop_one_fresh(store);

    // One key per proof, authp:dpop:<hex digest>, expiring with the proof's window.
    const auto digest = authpolicy::crypto::sha256("namespaced");
    const double now = authp_dpop_test::wall_seconds();
    REQUIRE(store.remember(digest, now + 30, now) == Result::Fresh);
    authpolicy::RedisPool pool(redis_settings(port));
    const std::string key = "authp:dpop:" + authpolicy::crypto::to_hex(std::string_view(
                                                reinterpret_cast<const char*>(digest.data()), digest.size()));
    const auto ttl = pool.command({"PTTL", key});
    REQUIRE(ttl->type == REDIS_REPLY_INTEGER);
    CHECK(ttl->integer > 29000);
    CHECK(ttl->integer <= 30000);
    // PREFIX keeps deployments apart on one server.
    Env prefixed(json{{"dpop", "required"}}, redis_backend(port, {{"PREFIX", "other:"}}));
    const std::string token = prefixed.bound_token();
    CHECK(prefixed.decide(request("DPoP " + token, proof(prefixed.client, token))).allowed);
    const auto keys = pool.command({"KEYS", "other:*"});
    REQUIRE(keys->type == REDIS_REPLY_ARRAY);
    CHECK(keys->elements == 1);
}

TEST_CASE("DPoP replay, Redis stopped: the safe denial (Error Store), bounded in time; then recovery") {
    const int port = authp_test::unused_loopback_port();
    RedisServer server(port);
    Env env(json{{"dpop", "required"}}, redis_backend(port));
    const std::string token = env.bound_token();
    const std::string accepted = proof(env.client, token);
    CHECK(env.decide(request("DPoP " + token, accepted)).allowed);

    server.stop();
    const Failure down = failing_decision(env);
    CHECK(down.code == authpolicy::ErrorCode::Store);
    CHECK(down.message.find("redis 127.0.0.1:" + std::to_string(port) + " unavailable") != std::string::npos);
    CHECK(down.seconds < 2.0);
    // The replay of an accepted proof is refused as well: never accepted unrecorded.
    CHECK_THROWS_AS(env.decide(request("DPoP " + token, accepted)), authpolicy::Error);

    server.start();  // RETRY_AFTER 0: the next proof reconnects
    CHECK(env.decide(request("DPoP " + token, proof(env.client, token))).allowed);
}

TEST_CASE("DPoP replay, Redis slow (CLIENT PAUSE) or answering errors: the safe denial within TIMEOUT_MS") {
    const int port = authp_test::unused_loopback_port();
    RedisServer server(port);
    Env env(json{{"dpop", "required"}}, redis_backend(port));
    const std::string token = env.bound_token();
    CHECK(env.decide(request("DPoP " + token, proof(env.client, token))).allowed);
    authpolicy::RedisPool admin(redis_settings(port));
    const auto paused = admin.command({"CLIENT", "PAUSE", "1500"});
    REQUIRE(paused->type == REDIS_REPLY_STATUS);
    const Failure slow = failing_decision(env);
    CHECK(slow.code == authpolicy::ErrorCode::Store);
    CHECK(slow.message.find("unavailable") != std::string::npos);
    CHECK(slow.seconds < 1.0);  // 200 ms, not the 1.5 s pause

    // A server on which SET is not available answers with an error reply.
    const int port2 = authp_test::unused_loopback_port();
    RedisServer no_set(port2, {"--rename-command", "SET", ""});
    Env env2(json{{"dpop", "required"}}, redis_backend(port2));
    const Failure refused = failing_decision(env2);
    CHECK(refused.code == authpolicy::ErrorCode::Store);
    CHECK(refused.message.find("redis 127.0.0.1:" + std::to_string(port2) + " error:") != std::string::npos);
}

TEST_CASE("DPOP_REPLAY_BACKEND: the configuration's refusals name the place") {
    const auto top = [](const json& backend) { return json{{"DPOP_REPLAY_BACKEND", backend}}; };
    const auto parse = [](const json& config) {
        try {
            authpolicy::parse_config(config, "");
        } catch (const authpolicy::Error& e) {
            CHECK(e.code() == authpolicy::ErrorCode::Config);
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(parse(top(json{{"TYPE", "memory"}, {"MAX_KEYS", 10}})) == "accepted");
    CHECK(parse(top(json{{"TYPE", "redis"}, {"HOST", "cache.internal"}, {"PORT", 6380}, {"POOL_SIZE", 8}})) ==
          "accepted");
    CHECK(parse(top(json{{"TYPE", "postgresql"}, {"URL", "postgresql://u@h/db"}})) == "accepted");
    json shared = top(json{{"TYPE", "postgresql"}});
    shared["DATABASE"] = "postgresql://u@h/db";  // the directory's database, shared
    CHECK(parse(shared) == "accepted");
    CHECK(parse(top(json{{"TYPE", "memcached"}})).find("$.DPOP_REPLAY_BACKEND.TYPE") != std::string::npos);
    CHECK(parse(top(json::object())).find("$.DPOP_REPLAY_BACKEND.TYPE: missing") != std::string::npos);
    CHECK(parse(top("redis")).find("$.DPOP_REPLAY_BACKEND") != std::string::npos);
    CHECK(parse(top(json{{"TYPE", "redis"}, {"HOSTNAME", "x"}})).find("$.DPOP_REPLAY_BACKEND.HOSTNAME: unknown key") !=
          std::string::npos);
    CHECK(parse(top(json{{"TYPE", "redis"}, {"MAX_KEYS", 5}})).find("$.DPOP_REPLAY_BACKEND.MAX_KEYS: applies to") !=
          std::string::npos);
    CHECK(parse(top(json{{"TYPE", "memory"}, {"URL", "postgresql://u@h/db"}}))
              .find("$.DPOP_REPLAY_BACKEND.URL: applies to") != std::string::npos);
    CHECK(parse(top(json{{"TYPE", "memory"}, {"PORT", 1}})).find("$.DPOP_REPLAY_BACKEND.PORT") != std::string::npos);
    CHECK(parse(top(json{{"TYPE", "redis"}, {"PORT", 70000}})).find("$.DPOP_REPLAY_BACKEND.PORT") != std::string::npos);
    CHECK(parse(top(json{{"TYPE", "redis"}, {"FAILURE_MODE", "open"}})).find("always refused") != std::string::npos);
    CHECK(parse(top(json{{"TYPE", "postgresql"}})).find("$.DPOP_REPLAY_BACKEND.URL") != std::string::npos);
    CHECK(parse(top(json{{"TYPE", "postgresql"}, {"URL", "db.sqlite3"}})).find("$.DPOP_REPLAY_BACKEND.URL") !=
          std::string::npos);
    // A secret in a refused URL is not repeated.
    const std::string bad = parse(top(json{{"TYPE", "postgresql"}, {"URL", "postgresql://u:s3cr3t@h/db?bogus=1"}}));
    CHECK(bad != "accepted");
    CHECK(bad.find("s3cr3t") == std::string::npos);
    // The classes' own store size means nothing beside DPOP_REPLAY_BACKEND.
    Env alone(json{{"dpop", "required"}, {"dpop_replay_capacity", 10}});  // without it: accepted
    const std::string clash =
        refusal(json::parse(authp_dpop_test::config(json{{"class", "JWTAuthentication"},
                                                         {"jwks", {{"keys", {alone.issuer.public_jwk("k1")}}}},
                                                         {"dpop", "required"},
                                                         {"dpop_replay_capacity", 10}},
                                                    top(json{{"TYPE", "memory"}}))));
    CAPTURE(clash);
    CHECK(clash.find("$.DEFAULT_AUTHENTICATION_CLASSES[0].dpop_replay_capacity") != std::string::npos);
}
