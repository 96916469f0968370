// API keys (docs/api-keys.md): a warm decision, a cold one (CACHE.TTL 0: every decision reads
// the store), a mistyped key (refused by the checksum), and — in the same run, on the same
// database — the floor: one bare SQLite lookup by selector, the same join the backend runs, on a
// prepared statement with no engine around it. Target: warm ≤ 1 µs, cold ≤ 2× the floor.
//
// Fixture: a SQLite DATABASE in a temporary directory with 100 users and 10,000 keys made
// through authp_directory_apikey_create; the pepper in AUTHP_BENCH_API_KEY_PEPPER.
// Run: build/bench/authp_apikey_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "authpolicy.h"

namespace {

constexpr int kUsers = 100;
constexpr int kKeys = 10000;
constexpr size_t kRandomSlots = 1u << 16;  // pre-drawn random indices, cycled (power of two)

[[noreturn]] void die(const char* what, int rc) {
    std::fprintf(stderr, "authp_apikey_bench: %s failed: %s: %s\n", what, authp_strerror(rc), authp_error_last());
    std::exit(1);
}

void check(int rc, const char* what) {
    if (rc != AUTHP_OK) die(what, rc);
}

double min_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

authp_engine* make_engine(const std::string& db, const char* cache) {
    const std::string json = R"({"DATABASE": ")" + db +
                             R"(", "API_KEYS": {"PEPPER_ENV": "AUTHP_BENCH_API_KEY_PEPPER"},
        "DEFAULT_AUTHENTICATION_CLASSES": ["APIKeyAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"])" +
                             cache + "}";
    authp_config* cfg = nullptr;
    check(authp_config_new(&cfg), "authp_config_new");
    check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "authp_config_load_json");
    authp_engine* e = nullptr;
    check(authp_engine_new(&e, cfg), "authp_engine_new");
    authp_config_free(cfg);
    return e;
}

struct Fixture {
    std::filesystem::path dir;
    authp_engine* warm = nullptr;
    authp_engine* cold = nullptr;
    std::vector<std::string> headers;    // "Api-Key ap_live_…"
    std::vector<std::string> selectors;  // the same keys' selectors
    std::vector<size_t> random_index;
    sqlite3* floor_db = nullptr;
    sqlite3_stmt* floor_stmt = nullptr;

    Fixture() {
        setenv("AUTHP_BENCH_API_KEY_PEPPER", "a benchmark pepper, at least thirty-two bytes long", 1);
        std::string tmpl = (std::filesystem::temp_directory_path() / "authp-apikey-bench-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) {
            std::perror("authp_apikey_bench: mkdtemp");
            std::exit(1);
        }
        dir = tmpl;
        const std::string db = (dir / "bench.sqlite3").string();
        warm = make_engine(db, "");
        cold = make_engine(db, R"(, "CACHE": {"TTL": 0})");
        authp_directory* d = nullptr;
        check(authp_engine_directory(&d, warm), "authp_engine_directory");
        for (int u = 0; u < kUsers; ++u) {
            const std::string name = "user" + std::to_string(u);
            check(authp_directory_user_add(nullptr, d, name.data(), name.size(), nullptr, 0, 0), "user_add");
        }
        for (int k = 0; k < kKeys; ++k) {
            const std::string name = "user" + std::to_string(k % kUsers);
            char* key = nullptr;
            check(authp_directory_apikey_create(&key, d, name.data(), name.size(), "bench", 5, "read", 4, 0, 0),
                  "apikey_create");
            headers.push_back(std::string("Api-Key ") + key);
            selectors.emplace_back(key + 8, 12);
            authp_free(key);
        }
        authp_directory_free(d);
        std::mt19937_64 rng(42);
        for (size_t i = 0; i < kRandomSlots; ++i) random_index.push_back(rng() % kKeys);

        // The floor: the backend's own query (sqlite_api_key_store.cc) on a read-only connection.
        if (sqlite3_open_v2(db.c_str(), &floor_db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "authp_apikey_bench: sqlite3_open_v2 failed\n");
            std::exit(1);
        }
        const char* sql =
            "SELECT k.id, k.selector, k.prefix, k.verifier, k.name, k.scopes, k.created, k.expires, k.revoked, "
            "u.id, u.username, u.password, u.is_active, u.is_staff, u.is_superuser, u.attributes "
            "FROM authp_api_key k JOIN authp_user u ON u.id = k.user_id WHERE k.selector = ?";
        if (sqlite3_prepare_v3(floor_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &floor_stmt, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "authp_apikey_bench: prepare failed: %s\n", sqlite3_errmsg(floor_db));
            std::exit(1);
        }
    }
    ~Fixture() {
        sqlite3_finalize(floor_stmt);
        sqlite3_close(floor_db);
        authp_engine_free(warm);
        authp_engine_free(cold);
        std::filesystem::remove_all(dir);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

int decide(const authp_engine* engine, const std::string& header) {
    authp_request* req = nullptr;
    authp_decision* d = nullptr;
    check(authp_request_new(&req, engine), "authp_request_new");
    check(authp_request_add_header(req, "Authorization", 13, header.data(), header.size()), "add_header");
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : rc;
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

bool expect(benchmark::State& state, int status, int wanted) {
    if (status == wanted) return true;
    const std::string msg = "unexpected status " + std::to_string(status) + ": " + authp_error_last();
    state.SkipWithError(msg.c_str());
    return false;
}

void BM_ApiKeyWarm(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.headers[4242];
    authp_engine_invalidate_caches(f.warm);  // a fresh entry: it cannot expire (TTL 5 s) inside a run
    (void)expect(state, decide(f.warm, header), 200);
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApiKeyWarm)->ComputeStatistics("min", min_of);

void BM_ApiKeyCold_Random(benchmark::State& state) {
    Fixture& f = fixture();
    size_t i = 0;
    for (auto _ : state) {
        if (!expect(state, decide(f.cold, f.headers[f.random_index[i++ & (kRandomSlots - 1)]]), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApiKeyCold_Random)->ComputeStatistics("min", min_of);

// The same random selectors, one bare lookup each: what a cold decision cannot go below.
void BM_SqliteLookupBySelector_Floor(benchmark::State& state) {
    Fixture& f = fixture();
    size_t i = 0;
    for (auto _ : state) {
        const std::string& s = f.selectors[f.random_index[i++ & (kRandomSlots - 1)]];
        sqlite3_bind_text(f.floor_stmt, 1, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
        if (sqlite3_step(f.floor_stmt) != SQLITE_ROW) {
            state.SkipWithError("selector not found");
            break;
        }
        for (int c = 0; c < 16; ++c) benchmark::DoNotOptimize(sqlite3_column_blob(f.floor_stmt, c));
        sqlite3_reset(f.floor_stmt);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteLookupBySelector_Floor)->ComputeStatistics("min", min_of);

// A key with one character changed: refused by the checksum, no lookup (warm or cold alike).
void BM_ApiKeyMistyped(benchmark::State& state) {
    Fixture& f = fixture();
    std::string header = f.headers[7];
    header[30] = header[30] == 'x' ? 'y' : 'x';
    for (auto _ : state) {
        if (!expect(state, decide(f.cold, header), 401)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ApiKeyMistyped)->ComputeStatistics("min", min_of);

}  // namespace

BENCHMARK_MAIN();
