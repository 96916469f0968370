// Timing side channel (docs/reliability.md): does rejecting a credential cost the same whether its
// first or its last byte is wrong? Each benchmark interleaves the two cases in one run (A, B, A, B,
// … on the same engine, so that drift, frequency scaling and other load hit both alike), times
// every decision with steady_clock, and reports the median of 64-decision batch means for each
// case and their ratio (last / first; 1.00 = no difference).
//
//   Token: near-miss keys of 256 stored tokens (SQLite file, CACHE TTL 5: unknown keys are never
//          cached, so every rejection is a digest lookup in the store).
//   Basic: a wrong password for a user whose hash uses 1 PBKDF2 iteration (CACHE TTL 0), so that
//          the comparison of the derived key, not the KDF, dominates what could differ.
//
// Run: build-bench/bench/authp_timing_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "authpolicy.h"

namespace {

void check(int rc, const char* what) {
    if (rc != AUTHP_OK) {
        std::fprintf(stderr, "timing_bench: %s: %s: %s\n", what, authp_strerror(rc), authp_error_last());
        std::exit(1);
    }
}

std::string base64(const std::string& in) {
    static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < in.size(); i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < in.size()) v |= (unsigned char)in[i + 2];
        out += k[v >> 18];
        out += k[(v >> 12) & 63];
        out += i + 1 < in.size() ? k[(v >> 6) & 63] : '=';
        out += i + 2 < in.size() ? k[v & 63] : '=';
    }
    return out;
}

struct Fixture {
    std::filesystem::path dir;
    authp_engine* token_engine = nullptr;
    authp_engine* basic_engine = nullptr;
    std::vector<std::string> keys;

    Fixture() {
        char tmpl[] = "/tmp/authp-timing-XXXXXX";
        dir = mkdtemp(tmpl);
        const std::string db = (dir / "timing.sqlite3").string();
        token_engine = make(R"({"DATABASE": ")" + db + R"(", "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1})");
        basic_engine = make(R"({"DATABASE": ")" + db + R"(", "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1, "CACHE": {"TTL": 0}})");
        check(authp_user_add(nullptr, token_engine, "alice", 5, "correct horse battery staple", 28, 0), "user");
        for (int i = 0; i < 256; ++i) {
            char* key = nullptr;
            check(authp_token_create(&key, token_engine, "alice", 5, nullptr, 0, 0), "token");
            keys.emplace_back(key);
            authp_free(key);
        }
    }
    ~Fixture() {
        authp_engine_free(basic_engine);
        authp_engine_free(token_engine);
        std::filesystem::remove_all(dir);
    }
    static authp_engine* make(const std::string& json) {
        authp_config* cfg = nullptr;
        check(authp_config_new(&cfg), "config");
        check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "load");
        authp_engine* e = nullptr;
        check(authp_engine_new(&e, cfg), "engine");
        authp_config_free(cfg);
        return e;
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// One decision; aborts the run on an unexpected status.
double timed_decision(benchmark::State& state, const authp_engine* e, const std::string& header, int want) {
    const auto t0 = std::chrono::steady_clock::now();
    authp_request* req = nullptr;
    authp_request_new(&req, e);
    authp_request_add_header(req, "Authorization", 13, header.data(), header.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, e, req);
    const int status = rc == AUTHP_OK && d ? authp_decision_status(d) : -1;
    authp_decision_free(d);
    authp_request_free(req);
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (status != want) state.SkipWithError("unexpected status");
    return ns;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Interleaves first[i] and last[i]; reports per-case medians of 64-decision batch means.
void run_pair(benchmark::State& state, const authp_engine* e, const std::vector<std::string>& first,
              const std::vector<std::string>& last, int want) {
    constexpr size_t kBatch = 64;
    std::vector<double> first_batches, last_batches;
    double first_sum = 0, last_sum = 0;
    size_t in_batch = 0, i = 0;
    for (auto _ : state) {
        const size_t k = i++ % first.size();
        // Alternate which case goes first inside the pair, so that neither always follows the other.
        if (i % 2) {
            first_sum += timed_decision(state, e, first[k], want);
            last_sum += timed_decision(state, e, last[k], want);
        } else {
            last_sum += timed_decision(state, e, last[k], want);
            first_sum += timed_decision(state, e, first[k], want);
        }
        if (++in_batch == kBatch) {
            first_batches.push_back(first_sum / kBatch);
            last_batches.push_back(last_sum / kBatch);
            first_sum = last_sum = 0;
            in_batch = 0;
        }
    }
    const double f = median(first_batches), l = median(last_batches);
    state.counters["first_wrong_ns"] = f;
    state.counters["last_wrong_ns"] = l;
    state.counters["ratio_last_first"] = f > 0 ? l / f : 0;
    state.counters["batches"] = static_cast<double>(first_batches.size());
    state.SetItemsProcessed(2 * state.iterations());
}

// A stored key with its first (last) character changed: same length, one byte wrong.
void BM_TokenReject_FirstVsLastByte(benchmark::State& state) {
    Fixture& f = fixture();
    std::vector<std::string> first, last;
    for (const std::string& key : f.keys) {
        std::string a = key, b = key;
        a.front() = a.front() == 'a' ? 'b' : 'a';
        b.back() = b.back() == 'a' ? 'b' : 'a';
        first.push_back("Token " + a);
        last.push_back("Token " + b);
    }
    run_pair(state, f.token_engine, first, last, 401);
}
BENCHMARK(BM_TokenReject_FirstVsLastByte)->MinTime(2.0);

// The right user, a 28-byte password with its first (last) byte wrong.
void BM_BasicReject_FirstVsLastByte(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string good = "correct horse battery staple";
    std::string a = good, b = good;
    a.front() = 'C';
    b.back() = 'E';
    const std::vector<std::string> first{"Basic " + base64("alice:" + a)}, last{"Basic " + base64("alice:" + b)};
    run_pair(state, f.basic_engine, first, last, 401);
}
BENCHMARK(BM_BasicReject_FirstVsLastByte)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
