// The DPoP replay cases (RFC 9449 §11.1), run against each DPOP_REPLAY_BACKEND: memory
// (dpop_replay_store_test.cpp), Redis (same file, a private redis-server) and PostgreSQL
// (tests/postgres/pg_dpop_test.cpp).
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/authn/dpop_replay_store.h"
#include "core/common/error.h"
#include "core/crypto/random.h"
#include "dpop_support.h"

namespace authp_dpop_test {

inline double wall_seconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

// `top`: the settings that choose the store (DPOP_REPLAY_BACKEND, DATABASE). `shared`: whether
// two engines on these settings share it (two servers behind one load balancer).
inline void check_dpop_replay(const json& top, bool shared) {
    Env env(json{{"dpop", "required"}}, top);
    const std::unique_ptr<Fixture> b = env.another();
    const std::string token = env.bound_token();
    const std::string auth = "DPoP " + token;
    const std::string jti = "jti-" + authpolicy::crypto::random_hex(8);
    const std::string p = proof(env.client, token, {{"jti", jti}});

    CHECK(env.decide(request(auth, p)).allowed);
    check_refused(env.decide(request(auth, p)), "invalid_dpop_proof", "The DPoP proof was already used.");
    // The cross-server replay: the proof accepted by A, presented to B.
    if (shared) {
        check_refused(b->decide(request(auth, p)), "invalid_dpop_proof", "The DPoP proof was already used.");
    } else {
        CHECK(b->decide(request(auth, p)).allowed);  // memory: each process sees only its own proofs
    }
    // A new proof from the same key is fresh: accepted by B, then a replay at A.
    const std::string q = proof(env.client, token);
    CHECK(b->decide(request(auth, q)).allowed);
    if (shared) check_refused(env.decide(request(auth, q)), "invalid_dpop_proof", "The DPoP proof was already used.");
    // Entries are per key: the same jti from another client key is another proof.
    const SigningKey other = authp_test::generate_key("ES256");
    const std::string other_token = env.token({{"jkt", thumbprint(other)}});
    CHECK(env.decide(request("DPoP " + other_token, proof(other, other_token, {{"jti", jti}}))).allowed);
    // A proof refused before the store (wrong method) spends no jti.
    const std::string unspent = "unspent-" + jti;
    check_refused(env.decide(request(auth, proof(env.client, token, {{"jti", unspent}, {"htm", "POST"}}))),
                  "invalid_dpop_proof", "The DPoP proof htm does not match the request method.");
    CHECK(b->decide(request(auth, proof(env.client, token, {{"jti", unspent}}))).allowed);
}

// Store level: an entry is refused until it expires and accepted again after (real time, since
// Redis expires keys on its own clock).
inline void check_dpop_expiry(authpolicy::authn::DpopReplayStore& store) {
    using Result = authpolicy::authn::DpopReplayStore::Result;
    const auto d = authpolicy::crypto::sha256("expiry-" + authpolicy::crypto::random_hex(8));
    const double t0 = wall_seconds();
    CHECK(store.remember(d, t0 + 0.3, t0) == Result::Fresh);
    CHECK(store.remember(d, t0 + 0.3, wall_seconds()) == Result::Replayed);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double t1 = wall_seconds();
    CHECK(store.remember(d, t1 + 0.3, t1) == Result::Fresh);
    CHECK(store.remember(d, t1 + 0.3, wall_seconds()) == Result::Replayed);
}

// Store level: of `threads` concurrent calls with one digest, exactly one is Fresh.
inline void check_dpop_one_fresh(authpolicy::authn::DpopReplayStore& store, int threads = 8, int rounds = 20) {
    using Result = authpolicy::authn::DpopReplayStore::Result;
    for (int round = 0; round < rounds; ++round) {
        const auto d = authpolicy::crypto::sha256("race-" + authpolicy::crypto::random_hex(8));
        std::atomic<int> fresh{0}, replayed{0};
        std::atomic<bool> go{false};
        std::vector<std::thread> pool;
        for (int i = 0; i < threads; ++i) {
            pool.emplace_back([&] {
                while (!go.load()) std::this_thread::yield();
                const double now = wall_seconds();
                const Result r = store.remember(d, now + 60, now);
                (r == Result::Fresh ? fresh : replayed).fetch_add(1);
            });
        }
        go.store(true);
        for (auto& t : pool) t.join();
        CHECK(fresh.load() == 1);
        CHECK(replayed.load() == threads - 1);
    }
}

// What a decision that reaches a failing store throws (the C API's 503 with AUTHP_ESTORE), and
// how long it took.
struct Failure {
    std::string message = "no error";
    authpolicy::ErrorCode code = authpolicy::ErrorCode::Error;
    double seconds = 0;
};

inline Failure failing_decision(Env& env) {
    const std::string token = env.bound_token();
    const auto start = std::chrono::steady_clock::now();
    Failure f;
    try {
        env.decide(request("DPoP " + token, proof(env.client, token)));
    } catch (const authpolicy::Error& e) {
        f.message = e.what();
        f.code = e.code();
    }
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return f;
}

}  // namespace authp_dpop_test
