// LOGIN_FAILURES (issue 22 finding 13) on the Basic hot paths, measured through the C API against
// "LOGIN_FAILURES": null in the same run: a cached success (the guard is not consulted), an
// uncached success (one counter read before the hasher; PBKDF2 at 1 iteration so that the guard's
// cost is not hidden by the KDF) and a failure (one read and two counter writes).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "authpolicy.h"

namespace {

void check(int rc, const char* what) {
    if (rc != AUTHP_OK) {
        std::fprintf(stderr, "%s failed: %d %s\n", what, rc, authp_error_last());
        std::exit(1);
    }
}

authp_engine* engine(bool guard, bool cache) {
    std::string json = R"({"PASSWORD_ITERATIONS": 1, "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"])";
    json += guard ? R"(, "LOGIN_FAILURES": {"LIMIT": 1000000, "WINDOW": 900, "CLIENT_LIMIT": 1000000})"
                  : R"(, "LOGIN_FAILURES": null)";
    if (!cache) json += R"(, "CACHE": {"TTL": 0})";
    json += "}";
    authp_config* cfg = nullptr;
    authp_engine* e = nullptr;
    check(authp_config_new(&cfg), "config_new");
    check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "load_json");
    check(authp_engine_new(&e, cfg), "engine_new");
    authp_config_free(cfg);
    check(authp_user_add(nullptr, e, "alice", 5, "secret", 6, 0), "user_add");
    return e;
}

void run(benchmark::State& state, bool guard, bool cache, const char* authorization, int expect) {
    authp_engine* e = engine(guard, cache);
    authp_request* req = nullptr;
    check(authp_request_new(&req, e), "request_new");
    const std::string auth = authorization;
    for (auto _ : state) {
        authp_request_reset(req);
        authp_request_set_remote_addr(req, "203.0.113.9", 11);
        authp_request_add_header(req, "Authorization", 13, auth.data(), auth.size());
        authp_decision* d = nullptr;
        const int rc = authp_engine_evaluate(&d, e, req);
        if (rc != AUTHP_OK || authp_decision_status(d) != expect) state.SkipWithError("unexpected decision");
        authp_decision_free(d);
    }
    authp_request_free(req);
    authp_engine_free(e);
}

constexpr const char* kRight = "Basic YWxpY2U6c2VjcmV0";  // alice:secret
constexpr const char* kWrong = "Basic YWxpY2U6d3Jvbmc=";  // alice:wrong

void BM_BasicCached_GuardOff(benchmark::State& s) {
    run(s, false, true, kRight, 200);
}
void BM_BasicCached_GuardOn(benchmark::State& s) {
    run(s, true, true, kRight, 200);
}
void BM_BasicUncached_GuardOff(benchmark::State& s) {
    run(s, false, false, kRight, 200);
}
void BM_BasicUncached_GuardOn(benchmark::State& s) {
    run(s, true, false, kRight, 200);
}
void BM_BasicFailure_GuardOff(benchmark::State& s) {
    run(s, false, false, kWrong, 401);
}
void BM_BasicFailure_GuardOn(benchmark::State& s) {
    run(s, true, false, kWrong, 401);
}

#define AUTHP_LF_BENCH(fn) BENCHMARK(fn)->Repetitions(7)->ReportAggregatesOnly(true)->MinTime(0.2)
AUTHP_LF_BENCH(BM_BasicCached_GuardOff);
AUTHP_LF_BENCH(BM_BasicCached_GuardOn);
AUTHP_LF_BENCH(BM_BasicUncached_GuardOff);
AUTHP_LF_BENCH(BM_BasicUncached_GuardOn);
AUTHP_LF_BENCH(BM_BasicFailure_GuardOff);
AUTHP_LF_BENCH(BM_BasicFailure_GuardOn);

}  // namespace

BENCHMARK_MAIN();
