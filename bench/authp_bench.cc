// Benchmarks of libauthpolicy's hot paths, measured through the C API exactly as a host calls it:
// build a request, add the Authorization header, evaluate, read the status, free the decision.
// Targets and measured figures: docs/performance.md. Run with bench/run.sh.
//
// Fixture (built once per process, on first use): a SQLite DATABASE in a temporary directory
// holding 1,000 users with 100 tokens each (100,000 tokens, created through authp_token_create)
// plus one user with a PBKDF2-SHA256 1,000,000-iteration password. Two engines share it:
//   warm  default CACHE (TTL 5 s)
//   cold  "CACHE": {"TTL": 0} (every check goes to the store / the KDF)
// All use DEFAULT_AUTHENTICATION_CLASSES [Basic, Token], DEFAULT_PERMISSION_CLASSES
// [IsAuthenticated], "PASSWORD_ITERATIONS": 1000000 and a view "public" with AllowAny.
#include <benchmark/benchmark.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "authpolicy.h"

extern char** environ;

namespace {

constexpr int kUsers = 1000;
constexpr int kTokens = 100000;
constexpr size_t kRandomSlots = 1u << 16;  // pre-drawn random indices, cycled (power of two)
constexpr size_t kUnknownKeys = 4096;      // pre-drawn random keys that are not in the store
constexpr std::string_view kBasicUser = "bench-basic";
constexpr std::string_view kBasicPassword = "correct horse battery staple";
constexpr std::string_view kAuthorization = "Authorization";
constexpr std::string_view kPublicView = "public";
constexpr std::string_view kTokenName = "bench";

[[noreturn]] void die(const char* what, int rc) {
    std::fprintf(stderr, "authp_bench: %s failed: %s: %s\n", what, authp_strerror(rc), authp_error_last());
    std::exit(1);
}

void check(int rc, const char* what) {
    if (rc != AUTHP_OK) die(what, rc);
}

std::string hex_key(std::mt19937_64& rng) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key(40, '0');
    for (char& c : key) c = kHex[rng() & 15];
    return key;
}

std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

unsigned char digest_last_byte(std::string_view key) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr);
    return md[len - 1];
}

class Fixture {
  public:
    Fixture() {
        const auto t0 = std::chrono::steady_clock::now();
        // AUTHP_BENCH_FIXTURE_DIR keeps the database and its keys between processes (profiling
        // under valgrind, where building 100,000 tokens would take many minutes).
        const char* keep = std::getenv("AUTHP_BENCH_FIXTURE_DIR");
        if (keep != nullptr && *keep != '\0') {
            dir_ = keep;
            keep_ = true;
            std::filesystem::create_directories(dir_);
        } else {
            std::string tmpl = (std::filesystem::temp_directory_path() / "authp-bench-XXXXXX").string();
            if (mkdtemp(tmpl.data()) == nullptr) {
                std::perror("authp_bench: mkdtemp");
                std::exit(1);
            }
            dir_ = tmpl;
        }
        const std::string db = (dir_ / "bench.sqlite3").string();
        const std::filesystem::path keys_file = dir_ / "keys.txt";
        const bool reuse = keep_ && std::filesystem::exists(db) && std::filesystem::exists(keys_file);
        warm = make_engine(db, "");
        cold = make_engine(db, R"(, "CACHE": {"TTL": 0})");

        if (reuse) {
            std::ifstream in(keys_file);
            for (std::string key; std::getline(in, key);) token_headers.push_back("Token " + key);
            if (token_headers.size() != static_cast<size_t>(kTokens)) {
                std::fprintf(stderr, "authp_bench: %s does not hold %d keys\n", keys_file.c_str(), kTokens);
                std::exit(1);
            }
        } else {
            populate();
            if (keep_) {
                std::ofstream out(keys_file);
                for (const auto& h : token_headers) out << std::string_view(h).substr(6) << '\n';
            }
        }
        basic_header = "Basic " + base64(std::string(kBasicUser) + ":" + std::string(kBasicPassword));

        std::mt19937_64 rng(20260101);
        std::uniform_int_distribution<uint32_t> pick(0, kTokens - 1);
        random_index.resize(kRandomSlots);
        for (auto& i : random_index) i = pick(rng);
        for (size_t i = 0; i < kUnknownKeys; ++i) unknown_headers.push_back("Token " + hex_key(rng));

        // Two tokens whose digests land in different cache shards (the cache has 64, picked by
        // the digest's last byte), for the two-thread run without shard sharing.
        mt_headers[0] = token_headers[0];
        const unsigned shard0 = digest_last_byte(std::string_view(token_headers[0]).substr(6)) % 64u;
        for (size_t i = 1; i < token_headers.size(); ++i) {
            if (digest_last_byte(std::string_view(token_headers[i]).substr(6)) % 64u != shard0) {
                mt_headers[1] = token_headers[i];
                break;
            }
        }
        build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "authp_bench: fixture of %d users, %d tokens %s in %.1f s (%s)\n", kUsers, kTokens,
                     reuse ? "reopened" : "built", build_seconds, db.c_str());
    }

    ~Fixture() {
        authp_engine_free(warm);
        authp_engine_free(cold);
        std::error_code ec;
        if (!keep_) std::filesystem::remove_all(dir_, ec);
    }

    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;

    authp_engine* warm = nullptr;
    authp_engine* cold = nullptr;
    std::vector<std::string> token_headers;    // "Token <key>" for every stored token
    std::vector<uint32_t> random_index;        // uniform over token_headers
    std::vector<std::string> unknown_headers;  // "Token <random key not in the store>"
    std::string basic_header;
    std::string mt_headers[2];
    double build_seconds = 0;

  private:
    // 1,000 users without a usable password (no KDF at creation) with 100 tokens each, then one
    // user whose password is a PBKDF2-SHA256 hash of 1,000,000 iterations (PASSWORD_ITERATIONS).
    void populate() {
        std::vector<std::string> users;
        for (int u = 0; u < kUsers; ++u) {
            char name[32];
            std::snprintf(name, sizeof name, "user%04d", u);
            users.emplace_back(name);
            check(authp_user_add(nullptr, warm, name, users.back().size(), nullptr, 0, 0), "authp_user_add");
        }
        token_headers.reserve(kTokens);
        for (int i = 0; i < kTokens; ++i) {
            const std::string& user = users[static_cast<size_t>(i % kUsers)];
            char* key = nullptr;
            // Named tokens, as hosts usually create them (the name is part of the `auth` value).
            check(authp_token_create(&key, warm, user.data(), user.size(), kTokenName.data(), kTokenName.size(), 0),
                  "authp_token_create");
            token_headers.push_back(std::string("Token ") + key);
            authp_free(key);
        }
        check(authp_user_add(nullptr, warm, kBasicUser.data(), kBasicUser.size(), kBasicPassword.data(),
                             kBasicPassword.size(), 0),
              "authp_user_add (basic)");
    }

    static authp_engine* make_engine(const std::string& db, const char* extra) {
        const std::string json =
            R"({"DATABASE": ")" + db +
            R"(", "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication"],)"
            R"( "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1000000,)"
            R"( "VIEWS": {"public": {"permission_classes": ["AllowAny"]}})" +
            extra + "}";
        authp_config* cfg = nullptr;
        check(authp_config_new(&cfg), "authp_config_new");
        check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "authp_config_load_json");
        authp_engine* engine = nullptr;
        check(authp_engine_new(&engine, cfg), "authp_engine_new");
        authp_config_free(cfg);
        return engine;
    }

    std::filesystem::path dir_;
    bool keep_ = false;
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// One whole host round trip: new request, (view), Authorization header, evaluate, status, free.
// Returns the HTTP status, or the negated error code when evaluation failed.
inline int decide(const authp_engine* engine, std::string_view authorization, std::string_view view = {}) {
    authp_request* req = nullptr;
    if (authp_request_new(&req, engine) != AUTHP_OK) return -1000;
    if (!view.empty()) (void)authp_request_set_view(req, view.data(), view.size());
    if (!authorization.empty())
        (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), authorization.data(),
                                       authorization.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : rc;
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

// The same round trip on a request handle that the host keeps and resets.
inline int decide_reusing(authp_request* req, const authp_engine* engine, std::string_view authorization) {
    authp_request_reset(req);
    (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), authorization.data(),
                                   authorization.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : rc;
    authp_decision_free(d);
    return status;
}

bool expect(benchmark::State& state, int status, int wanted) {
    if (status == wanted) return true;
    const std::string msg = "unexpected status " + std::to_string(status) + " (wanted " + std::to_string(wanted) +
                            "): " + authp_error_last();
    state.SkipWithError(msg.c_str());
    return false;
}

// A "_min" row next to mean/median/stddev/cv: the least disturbed repetition on a noisy host.
double min_of(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

// --- 1. valid token, warm cache -------------------------------------------------------------

// Before each run: drop the caches and fill them again outside the timing, so that the entry is
// fresh and cannot expire (TTL 5 s) inside a run (about 0.5 s).
void refill(benchmark::State& state, const authp_engine* engine, const std::string& header) {
    authp_engine_invalidate_caches(engine);
    (void)expect(state, decide(engine, header), 200);
}

void BM_TokenValidWarm(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.token_headers[4242];
    refill(state, f.warm, header);
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenValidWarm)->ComputeStatistics("min", min_of);

void BM_TokenValidWarm_ReuseRequest(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.token_headers[4242];
    authp_request* req = nullptr;
    check(authp_request_new(&req, f.warm), "authp_request_new");
    refill(state, f.warm, header);
    for (auto _ : state) {
        if (!expect(state, decide_reusing(req, f.warm, header), 200)) break;
    }
    authp_request_free(req);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenValidWarm_ReuseRequest)->ComputeStatistics("min", min_of);

// --- 2. valid token, cache disabled, random among 100k ----------------------------------------

void BM_TokenValidCold_Random(benchmark::State& state) {
    Fixture& f = fixture();
    size_t i = 0;
    for (auto _ : state) {
        const std::string& header = f.token_headers[f.random_index[i++ & (kRandomSlots - 1)]];
        if (!expect(state, decide(f.cold, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenValidCold_Random)->ComputeStatistics("min", min_of);

// --- 3. unknown token ---------------------------------------------------------------------------

void BM_TokenUnknown(benchmark::State& state) {
    Fixture& f = fixture();
    size_t i = 0;
    for (auto _ : state) {
        const std::string& header = f.unknown_headers[i++ % kUnknownKeys];
        if (!expect(state, decide(f.warm, header), 401)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenUnknown)->ComputeStatistics("min", min_of);

// --- 4. Basic: warm verified-credential cache; first check = one PBKDF2 of 1M iterations -------

void BM_BasicValidWarm(benchmark::State& state) {
    Fixture& f = fixture();
    // A fresh cache entry before every run (one PBKDF2, untimed): a run lasts far less than the
    // 5 s TTL, so no PBKDF2 falls inside the timed loop.
    refill(state, f.warm, f.basic_header);
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, f.basic_header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BasicValidWarm)->ComputeStatistics("min", min_of);

void BM_BasicFirstCheck_NoCache(benchmark::State& state) {
    Fixture& f = fixture();
    for (auto _ : state) {
        if (!expect(state, decide(f.cold, f.basic_header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BasicFirstCheck_NoCache)->ComputeStatistics("min", min_of)->Unit(benchmark::kMillisecond)->Iterations(3);

// The KDF alone, through OpenSSL as the library calls it (same password, 22-character salt,
// 32-byte output, SHA-256, 1,000,000 iterations).
void BM_Pbkdf2Sha256_1M_OpenSSL(benchmark::State& state) {
    const std::string_view salt = "abcdefghijklmnopqrstuv";
    unsigned char out[32];
    for (auto _ : state) {
        if (PKCS5_PBKDF2_HMAC(kBasicPassword.data(), static_cast<int>(kBasicPassword.size()),
                              reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                              1000000, EVP_sha256(), sizeof out, out) != 1) {
            state.SkipWithError("PKCS5_PBKDF2_HMAC failed");
            break;
        }
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pbkdf2Sha256_1M_OpenSSL)->ComputeStatistics("min", min_of)->Unit(benchmark::kMillisecond)->Iterations(3);

// --- 5. anonymous request on an AllowAny view ---------------------------------------------------

void BM_AnonymousAllowAny(benchmark::State& state) {
    Fixture& f = fixture();
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, {}, kPublicView), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnonymousAllowAny)->ComputeStatistics("min", min_of);

// --- 6. two threads, one shared engine, warm tokens ----------------------------------------------

// Each thread presents its own token (the two sit in different cache shards), as two clients would.
void BM_TokenValidWarm_Threads(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.mt_headers[state.thread_index() % 2];
    if (!expect(state, decide(f.warm, header), 200)) return;
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenValidWarm_Threads)->ComputeStatistics("min", min_of)->Threads(1)->Threads(2)->UseRealTime();

// Diagnostic: both threads present the same token (same shard mutex, same cached user).
void BM_TokenValidWarm_Threads_SameToken(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.mt_headers[0];
    if (!expect(state, decide(f.warm, header), 200)) return;
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenValidWarm_Threads_SameToken)->ComputeStatistics("min", min_of)->Threads(1)->Threads(2)->UseRealTime();

// Diagnostic: the same two-thread run on request handles kept and reset by each thread, so that
// authp_request_new/free (which copy the engine's shared_ptr) are out of the loop.
void BM_TokenValidWarm_Threads_ReuseRequest(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.mt_headers[state.thread_index() % 2];
    authp_request* req = nullptr;
    check(authp_request_new(&req, f.warm), "authp_request_new");
    if (expect(state, decide_reusing(req, f.warm, header), 200)) {
        for (auto _ : state) {
            if (!expect(state, decide_reusing(req, f.warm, header), 200)) break;
        }
    }
    authp_request_free(req);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenValidWarm_Threads_ReuseRequest)
    ->ComputeStatistics("min", min_of)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// Diagnostic: request building alone (new/add_header/free) on two threads.
void BM_RequestBuild_Threads(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.mt_headers[state.thread_index() % 2];
    for (auto _ : state) {
        authp_request* req = nullptr;
        if (authp_request_new(&req, f.warm) != AUTHP_OK) {
            state.SkipWithError("authp_request_new failed");
            break;
        }
        (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), header.data(), header.size());
        benchmark::DoNotOptimize(req);
        authp_request_free(req);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestBuild_Threads)->ComputeStatistics("min", min_of)->Threads(1)->Threads(2)->UseRealTime();

// --- 7. timing side channel: a near-miss key that differs in its first vs its last character ----

// Each iteration presents the next of 64 near-miss keys (64 stored keys, one character changed), so
// the result does not hang on where one particular digest sits in the index; 64 index paths stay
// in SQLite's page cache, so no disk read adds noise. Both variants do the same work by design:
// the store looks keys up by SHA-256 digest, and a near miss has an unrelated digest.
void BM_TokenReject_KeyDiffersAt(benchmark::State& state) {
    Fixture& f = fixture();
    constexpr size_t kKeys = 64;
    const size_t pos = 6 + static_cast<size_t>(state.range(0));  // after "Token "
    std::vector<std::string> headers;
    for (size_t i = 0; i < kKeys; ++i) {
        std::string h = f.token_headers[f.random_index[i]];
        h[pos] = h[pos] == 'a' ? 'b' : 'a';
        headers.push_back(std::move(h));
    }
    size_t i = 0;
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, headers[i++ % kKeys]), 401)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenReject_KeyDiffersAt)->ComputeStatistics("min", min_of)->ArgName("char")->Arg(0)->Arg(39);

// --- 8. request building alone (the API overhead inside #1) ----------------------------------------

void BM_RequestBuild(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.token_headers[4242];
    for (auto _ : state) {
        authp_request* req = nullptr;
        if (authp_request_new(&req, f.warm) != AUTHP_OK) {
            state.SkipWithError("authp_request_new failed");
            break;
        }
        (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), header.data(), header.size());
        benchmark::DoNotOptimize(req);
        authp_request_free(req);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestBuild)->ComputeStatistics("min", min_of);

void BM_RequestBuild_Reset(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string& header = f.token_headers[4242];
    authp_request* req = nullptr;
    check(authp_request_new(&req, f.warm), "authp_request_new");
    for (auto _ : state) {
        authp_request_reset(req);
        (void)authp_request_add_header(req, kAuthorization.data(), kAuthorization.size(), header.data(), header.size());
        benchmark::DoNotOptimize(req);
    }
    authp_request_free(req);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RequestBuild_Reset)->ComputeStatistics("min", min_of);

// --- reference row: SHA-256 of a 40-character key with OpenSSL (the anchor's 0.14 µs) -------------

void BM_Sha256TokenKey_OpenSSL(benchmark::State& state) {
    const std::string_view key = std::string_view(fixture().token_headers[4242]).substr(6);
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // pre-fetched, as the library does
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (auto _ : state) {
        EVP_Digest(key.data(), key.size(), out, &len, md, nullptr);
        benchmark::DoNotOptimize(out);
    }
    EVP_MD_free(md);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256TokenKey_OpenSSL)->ComputeStatistics("min", min_of);

// --- Django-compatible stores ("DJANGO", docs/django.md) ------------------------------------
// A Django-shaped SQLite database (auth_user, authtoken_token, django_session as Django 3.2
// writes them: compressed, signed session data with a session auth hash) with 1,000 users, a
// token and a session each. warm: default CACHE; cold: "CACHE": {"TTL": 0}.

std::string b64url_nopad(std::string_view in) {
    std::string s = base64(in);
    while (!s.empty() && (s.back() == '=' || s.back() == '\0')) s.pop_back();
    for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return s;
}

std::string salted_hmac_sha256(std::string_view salt, std::string_view value, std::string_view secret) {
    unsigned char key[32];
    const std::string material = std::string(salt) + std::string(secret);
    SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), key);
    unsigned char mac[32];
    size_t len = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key, sizeof key,
              reinterpret_cast<const unsigned char*>(value.data()), value.size(), mac, sizeof mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
}

class DjangoFixture {
  public:
    DjangoFixture() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "authp-django-bench-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) std::exit(1);
        dir_ = tmpl;
        const std::string path = (dir_ / "db.sqlite3").string();
        sqlite3* db = nullptr;
        if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::exit(1);
        exec(db,
             "CREATE TABLE auth_user (id INTEGER PRIMARY KEY, password TEXT, username TEXT UNIQUE,"
             " is_active BOOL, is_staff BOOL, is_superuser BOOL);"
             "CREATE TABLE authtoken_token (key VARCHAR(40) PRIMARY KEY, created TEXT, user_id INTEGER UNIQUE);"
             "CREATE TABLE django_session (session_key VARCHAR(40) PRIMARY KEY, session_data TEXT,"
             " expire_date TEXT); CREATE INDEX django_session_expire ON django_session(expire_date); BEGIN");
        std::mt19937_64 rng(7);
        for (int i = 1; i <= kUsers; ++i) {
            const std::string password =
                "pbkdf2_sha256$260000$benchsaltbenchsaltbe" + std::to_string(i % 10) + "$" + hex_key(rng);
            const std::string token = hex_key(rng);
            std::string key = hex_key(rng).substr(0, 32);
            const std::string hash = to_hex(salted_hmac_sha256(kHashSalt, password, kSecret));
            const std::string json = R"({"_auth_user_id":")" + std::to_string(i) +
                                     R"(","_auth_user_backend":"django.contrib.auth.backends.ModelBackend",)"
                                     R"("_auth_user_hash":")" +
                                     hash + "\"}";
            std::string packed(compressBound(json.size()), '\0');
            uLongf packed_len = packed.size();
            compress(reinterpret_cast<Bytef*>(packed.data()), &packed_len, reinterpret_cast<const Bytef*>(json.data()),
                     json.size());
            packed.resize(packed_len);
            const std::string value = "." + b64url_nopad(packed) + ":1r31eq";
            const std::string data =
                value + ":" +
                b64url_nopad(salted_hmac_sha256("django.contrib.sessions.SessionStoresigner", value, kSecret));
            exec(db, "INSERT INTO auth_user VALUES (" + std::to_string(i) + ", '" + password + "', 'user" +
                         std::to_string(i) + "', 1, 0, 0); INSERT INTO authtoken_token VALUES ('" + token + "', '', " +
                         std::to_string(i) + "); INSERT INTO django_session VALUES ('" + key + "', '" + data +
                         "', '2099-01-01 00:00:00.000000')");
            tokens.push_back("Token " + token);
            sessions.push_back("sessionid=" + key + "; csrftoken=" + std::string(kCsrf));
        }
        exec(db, "COMMIT");
        sqlite3_close(db);
        const std::string django = R"("DJANGO": {"DATABASE": ")" + path + R"(", "SECRET_KEY": ")" +
                                   std::string(kSecret) + R"(", "VERSION": "3.2"})";
        warm = engine(django);
        cold = engine(django + R"(, "CACHE": {"TTL": 0})");
    }
    ~DjangoFixture() {
        authp_engine_free(warm);
        authp_engine_free(cold);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    static constexpr std::string_view kSecret = "bench-django-secret";
    static constexpr std::string_view kHashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash";
    static constexpr std::string_view kCsrf = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
    authp_engine* warm = nullptr;
    authp_engine* cold = nullptr;
    std::vector<std::string> tokens, sessions;

  private:
    static void exec(sqlite3* db, const std::string& sql) {
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            std::fprintf(stderr, "authp_bench: %s\n", sqlite3_errmsg(db));
            std::exit(1);
        }
    }
    static std::string to_hex(std::string_view bytes) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        for (unsigned char b : bytes) {
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 15]);
        }
        return out;
    }
    authp_engine* engine(const std::string& extra) {
        const std::string json =
            R"({"DEFAULT_AUTHENTICATION_CLASSES": ["SessionAuthentication", "TokenAuthentication"],)"
            R"( "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1000, )" +
            extra + "}";
        authp_config* cfg = nullptr;
        authp_engine* e = nullptr;
        check(authp_config_new(&cfg), "authp_config_new");
        check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "authp_config_load_json");
        check(authp_engine_new(&e, cfg), "authp_engine_new");
        authp_config_free(cfg);
        return e;
    }
    std::filesystem::path dir_;
};

DjangoFixture& django_fixture() {
    static DjangoFixture f;
    return f;
}

// One request as a host sends it: method, the Cookie header (and X-CSRFToken), evaluate, status.
int decide_cookie(const authp_engine* engine, std::string_view method, std::string_view cookie, bool csrf_header) {
    authp_request* req = nullptr;
    authp_decision* d = nullptr;
    check(authp_request_new(&req, engine), "authp_request_new");
    check(authp_request_set_method(req, method.data(), method.size()), "authp_request_set_method");
    check(authp_request_add_header(req, "Cookie", 6, cookie.data(), cookie.size()), "authp_request_add_header");
    if (csrf_header)
        check(
            authp_request_add_header(req, "X-CSRFToken", 11, DjangoFixture::kCsrf.data(), DjangoFixture::kCsrf.size()),
            "authp_request_add_header");
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : rc;
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

void BM_DjangoSessionWarm(benchmark::State& state) {
    DjangoFixture& f = django_fixture();
    const std::string& cookie = f.sessions[421];
    authp_engine_invalidate_caches(f.warm);
    (void)expect(state, decide_cookie(f.warm, "GET", cookie, false), 200);
    for (auto _ : state) {
        if (!expect(state, decide_cookie(f.warm, "GET", cookie, false), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DjangoSessionWarm)->ComputeStatistics("min", min_of);

void BM_DjangoSessionCsrfPostWarm(benchmark::State& state) {
    DjangoFixture& f = django_fixture();
    const std::string& cookie = f.sessions[421];
    for (auto _ : state) {
        if (!expect(state, decide_cookie(f.warm, "POST", cookie, true), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DjangoSessionCsrfPostWarm)->ComputeStatistics("min", min_of);

// Cold: every request reads django_session and auth_user, checks the signature, inflates the
// data, parses the JSON and recomputes the session auth hash.
void BM_DjangoSessionCold(benchmark::State& state) {
    DjangoFixture& f = django_fixture();
    size_t i = 0;
    for (auto _ : state) {
        if (!expect(state, decide_cookie(f.cold, "GET", f.sessions[i++ % f.sessions.size()], false), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DjangoSessionCold)->ComputeStatistics("min", min_of);

void BM_DjangoTokenWarm(benchmark::State& state) {
    DjangoFixture& f = django_fixture();
    const std::string& header = f.tokens[421];
    authp_engine_invalidate_caches(f.warm);
    (void)expect(state, decide(f.warm, header), 200);
    for (auto _ : state) {
        if (!expect(state, decide(f.warm, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DjangoTokenWarm)->ComputeStatistics("min", min_of);

void BM_DjangoTokenCold(benchmark::State& state) {
    DjangoFixture& f = django_fixture();
    size_t i = 0;
    for (auto _ : state) {
        if (!expect(state, decide(f.cold, f.tokens[i++ % f.tokens.size()]), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DjangoTokenCold)->ComputeStatistics("min", min_of);

// --- OAuth 2.0 bearer tokens (docs/oauth2.md) ----------------------------------------------------
// JWTAuthentication with an inline JWKS of one key per algorithm and stateless users
// ("lookup_user": false), so the rows measure verification: "uncached" engines have
// "CACHE": {"TTL": 0}; the cached row repeats one RS256 token on the default cache.
// OAuth2Authentication: one opaque token in a :memory: directory, warm and cold cache.

struct JwtBench {
    authp_engine* engine = nullptr;
    std::string header;
};

std::string jwt_sign(EVP_PKEY* pkey, const std::string& alg, const std::string& input) {
    const EVP_MD* md = alg == "EdDSA" ? nullptr : EVP_sha256();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, md, nullptr, pkey);
    size_t len = 0;
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (alg == "ES256") {  // DER → R‖S
        const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
        ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
        std::string raw(64, '\0');
        BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
        ECDSA_SIG_free(es);
        return raw;
    }
    return sig;
}

std::string jwt_public_pem(EVP_PKEY* pkey) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, pkey);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(n));
    BIO_free(bio);
    return pem;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

JwtBench make_jwt_bench(const std::string& alg, bool cached) {
    JwtBench b;
    std::string key_source, token;
    const std::string claims = R"({"sub":"bench-user","iss":"https://id.example","aud":"api","exp":)" +
                               std::to_string(std::time(nullptr) + 86400) +
                               R"(,"iat":1700000000,"scope":"read write","jti":"0123456789abcdef"})";
    const std::string input =
        b64url_nopad(R"({"alg":")" + alg + R"(","typ":"at+jwt","kid":"k1"})") + "." + b64url_nopad(claims);
    if (alg == "HS256") {
        const std::string secret(32, 's');
        key_source = R"("secret": ")" + secret + R"(", "kid": "k1")";
        unsigned char tag[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(input.data()), input.size(), tag, &len);
        token = input + "." + b64url_nopad(std::string_view(reinterpret_cast<char*>(tag), len));
    } else {
        EVP_PKEY* pkey = alg == "RS256"   ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
                         : alg == "ES256" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                                          : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        key_source = R"("public_key_pem": ")" + json_escape(jwt_public_pem(pkey)) + R"(", "kid": "k1")";
        token = input + "." + b64url_nopad(jwt_sign(pkey, alg, input));
        EVP_PKEY_free(pkey);
    }
    const std::string config = R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "JWTAuthentication", )" + key_source +
                               R"(, "algorithms": [")" + alg +
                               R"("], "issuer": "https://id.example", "audience": "api", "typ": "at+jwt",)"
                               R"( "lookup_user": false}], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"])" +
                               (cached ? std::string("}") : std::string(R"(, "CACHE": {"TTL": 0}})"));
    authp_config* cfg = nullptr;
    check(authp_config_new(&cfg), "authp_config_new");
    check(authp_config_load_json(cfg, config.data(), config.size(), nullptr), "authp_config_load_json (JWT)");
    check(authp_engine_new(&b.engine, cfg), "authp_engine_new (JWT)");
    authp_config_free(cfg);
    b.header = "Bearer " + token;
    return b;
}

void run_jwt(benchmark::State& state, const std::string& alg, bool cached) {
    static std::map<std::string, JwtBench> benches;
    const std::string id = alg + (cached ? "/cached" : "");
    if (!benches.count(id)) benches.emplace(id, make_jwt_bench(alg, cached));
    const JwtBench& b = benches.at(id);
    if (!expect(state, decide(b.engine, b.header), 200)) return;
    for (auto _ : state) {
        if (!expect(state, decide(b.engine, b.header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_JwtRS256_Uncached(benchmark::State& state) {
    run_jwt(state, "RS256", false);
}
BENCHMARK(BM_JwtRS256_Uncached)->ComputeStatistics("min", min_of);
void BM_JwtES256_Uncached(benchmark::State& state) {
    run_jwt(state, "ES256", false);
}
BENCHMARK(BM_JwtES256_Uncached)->ComputeStatistics("min", min_of);
void BM_JwtEdDSA_Uncached(benchmark::State& state) {
    run_jwt(state, "EdDSA", false);
}
BENCHMARK(BM_JwtEdDSA_Uncached)->ComputeStatistics("min", min_of);
void BM_JwtHS256_Uncached(benchmark::State& state) {
    run_jwt(state, "HS256", false);
}
BENCHMARK(BM_JwtHS256_Uncached)->ComputeStatistics("min", min_of);
void BM_JwtRS256_Cached(benchmark::State& state) {
    run_jwt(state, "RS256", true);
}
BENCHMARK(BM_JwtRS256_Cached)->ComputeStatistics("min", min_of);

void run_opaque(benchmark::State& state, bool cached) {
    static std::map<bool, std::pair<authp_engine*, std::string>> engines;
    if (!engines.count(cached)) {
        const std::string config =
            std::string(R"({"PASSWORD_ITERATIONS": 1000, "DEFAULT_AUTHENTICATION_CLASSES":)"
                        R"( ["OAuth2Authentication"], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"])") +
            (cached ? "}" : R"(, "CACHE": {"TTL": 0}})");
        authp_config* cfg = nullptr;
        authp_engine* engine = nullptr;
        check(authp_config_new(&cfg), "authp_config_new");
        check(authp_config_load_json(cfg, config.data(), config.size(), nullptr), "authp_config_load_json (OAuth2)");
        check(authp_engine_new(&engine, cfg), "authp_engine_new (OAuth2)");
        authp_config_free(cfg);
        check(authp_user_add(nullptr, engine, "bench-user", 10, "pw", 2, 0), "authp_user_add");
        char* token = nullptr;
        check(authp_oauth_token_create(&token, engine, "bench-user", 10, "client", 6, "read write", 10, 86400),
              "authp_oauth_token_create");
        engines.emplace(cached, std::make_pair(engine, std::string("Bearer ") + token));
        authp_free(token);
    }
    const auto& [engine, header] = engines.at(cached);
    if (!expect(state, decide(engine, header), 200)) return;
    for (auto _ : state) {
        if (!expect(state, decide(engine, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_OAuth2Opaque_Warm(benchmark::State& state) {
    run_opaque(state, true);
}
BENCHMARK(BM_OAuth2Opaque_Warm)->ComputeStatistics("min", min_of);
void BM_OAuth2Opaque_Cold(benchmark::State& state) {
    run_opaque(state, false);
}
BENCHMARK(BM_OAuth2Opaque_Cold)->ComputeStatistics("min", min_of);

// Remote keys and HTTP introspection in the steady state: the test authorization server
// (tests/keys/oauth_test_server.py, plain http on loopback, "allow_insecure_http") serves the
// JWK Set and the introspection answer; once loaded, decisions never touch the network, so the
// rows sit beside their local twins: BM_JwtRS256_{LocalJwks,RemoteJwks}_Uncached and
// BM_OAuth2{Opaque_Warm,Introspection_Cached}.

struct AuthServer {
    std::string dir, base;
    pid_t pid = -1;
    ~AuthServer() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

AuthServer& auth_server(const std::string& control_json) {
    static AuthServer server;
    if (server.pid > 0) return server;
    char tmpl[] = "/tmp/authp-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) check(-1, "mkdtemp");
    server.dir = tmpl;
    std::ofstream(server.dir + "/control.json") << control_json;
    int out[2];
    if (pipe(out) != 0) check(-1, "pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    std::string py = "/usr/bin/python3", script = AUTHP_SOURCE_DIR "/tests/keys/oauth_test_server.py",
                state = "--state", plain = "--plain";
    char* argv[] = {py.data(), script.data(), state.data(), server.dir.data(), plain.data(), nullptr};
    if (posix_spawn(&server.pid, argv[0], &fa, nullptr, argv, environ) != 0) check(-1, "posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[512] = {0};
    if (fgets(line, sizeof line, f) == nullptr) check(-1, "the test authorization server did not start");
    fclose(f);
    const char* port = std::strstr(line, "\"port\": ");
    server.base = "http://127.0.0.1:" + std::to_string(std::atoi(port + 8));
    return server;
}

std::string bn_b64url(EVP_PKEY* pkey, const char* name) {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey, name, &bn);
    std::string bytes(static_cast<size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return b64url_nopad(bytes);
}

struct RsaJwt {
    std::string jwks, header;
};

const RsaJwt& rsa_jwt() {
    static const RsaJwt r = [] {
        EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
        RsaJwt out;
        out.jwks = R"({"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": ")" +
                   bn_b64url(pkey, "n") + R"(", "e": ")" + bn_b64url(pkey, "e") + R"("}]})";
        const std::string claims = R"({"sub":"bench-user","iss":"https://id.example","aud":"api","exp":)" +
                                   std::to_string(std::time(nullptr) + 86400) + R"(,"iat":1700000000})";
        const std::string input =
            b64url_nopad(R"({"alg":"RS256","typ":"at+jwt","kid":"k1"})") + "." + b64url_nopad(claims);
        out.header = "Bearer " + input + "." + b64url_nopad(jwt_sign(pkey, "RS256", input));
        EVP_PKEY_free(pkey);
        return out;
    }();
    return r;
}

authp_engine* engine_of(const std::string& config) {
    authp_config* cfg = nullptr;
    authp_engine* engine = nullptr;
    check(authp_config_new(&cfg), "authp_config_new");
    check(authp_config_load_json(cfg, config.data(), config.size(), nullptr), "authp_config_load_json");
    check(authp_engine_new(&engine, cfg), "authp_engine_new");
    authp_config_free(cfg);
    return engine;
}

void run_rsa_jwks(benchmark::State& state, bool remote) {
    static std::map<bool, authp_engine*> engines;
    const RsaJwt& jwt = rsa_jwt();
    if (!engines.count(remote)) {
        std::string source = R"("jwks": )" + jwt.jwks;
        if (remote) {
            const AuthServer& s = auth_server(R"({"jwks": )" + jwt.jwks +
                                              R"(, "tokens": {"opaque-bench-token":)"
                                              R"( {"active": true, "username": "bench-user", "scope": "read write"}},)"
                                              R"( "client_id": "rs", "client_secret": "bench-secret"})");
            source = R"("jwks_uri": ")" + s.base + R"(/jwks.json", "allow_insecure_http": true)";
        }
        engines[remote] = engine_of(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "JWTAuthentication", )" + source +
                                    R"(, "algorithms": ["RS256"], "issuer": "https://id.example", "audience": "api",)"
                                    R"( "typ": "at+jwt", "lookup_user": false}],)"
                                    R"( "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "CACHE": {"TTL": 0}})");
    }
    authp_engine* engine = engines.at(remote);
    if (!expect(state, decide(engine, jwt.header), 200)) return;
    for (auto _ : state) {
        if (!expect(state, decide(engine, jwt.header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_JwtRS256_LocalJwks_Uncached(benchmark::State& state) {
    run_rsa_jwks(state, false);
}
BENCHMARK(BM_JwtRS256_LocalJwks_Uncached)->ComputeStatistics("min", min_of);
void BM_JwtRS256_RemoteJwks_Uncached(benchmark::State& state) {
    run_rsa_jwks(state, true);
}
BENCHMARK(BM_JwtRS256_RemoteJwks_Uncached)->ComputeStatistics("min", min_of);

void BM_OAuth2Introspection_Cached(benchmark::State& state) {
    static authp_engine* engine = nullptr;
    if (engine == nullptr) {
        const RsaJwt& jwt = rsa_jwt();
        const AuthServer& s = auth_server(R"({"jwks": )" + jwt.jwks +
                                          R"(, "tokens": {"opaque-bench-token":)"
                                          R"( {"active": true, "username": "bench-user", "scope": "read write"}},)"
                                          R"( "client_id": "rs", "client_secret": "bench-secret"})");
        engine =
            engine_of(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "OAuth2Authentication",)"
                      R"( "source": "introspection", "introspection_endpoint": ")" +
                      s.base +
                      R"(/introspect", "allow_insecure_http": true, "client_id": "rs",)"
                      R"( "client_secret": "bench-secret", "lookup_user": false, "introspection_cache_ttl": 3600}],)"
                      R"( "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    }
    const std::string header = "Bearer opaque-bench-token";
    if (!expect(state, decide(engine, header), 200)) return;  // the one exchange: fills the cache
    for (auto _ : state) {
        if (!expect(state, decide(engine, header), 200)) break;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OAuth2Introspection_Cached)->ComputeStatistics("min", min_of);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("authpolicy_version", authp_version_string());
    benchmark::AddCustomContext("fixture", std::to_string(kUsers) + " users, " + std::to_string(kTokens) +
                                               " tokens, SQLite file in a temporary directory");
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
