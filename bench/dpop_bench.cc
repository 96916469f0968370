// DPoP decisions beside their parts, in one run (issue 21: "A DPoP decision ≤ 1.2× (one proof
// verify + the plain decision for the same token), measured beside both in the same run"):
//   (a) the plain JWT decision (Bearer, DPoP off) for the token,
//   (b) one ES256 DPoP proof verification alone (check_dpop_proof),
//   (c) the full DPoP decision (Authorization: DPoP + a fresh proof) with the memory replay store,
// and, for information, (c) with DPOP_REPLAY_BACKEND redis (a private redis-server on loopback)
// and postgresql (AUTHP_TEST_PG_SOCKET_URL or AUTHP_TEST_PG_URL; skipped without them).
// Rounds interleave the rows; each row's figure is the median of its rounds' means. Proofs are
// signed before timing (a client's cost), each with its own jti.
//
//   build/bench/authp_dpop_bench [rounds=11] [per_round=1000]   (the run must end within dpop_max_age)
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "authpolicy.h"
#include "core/authn/dpop_proof.h"
#include "core/common/error.h"
#include "core/common/redis_pool.h"
#include "core/crypto/digest.h"
#include "core/crypto/random.h"
#include "core/directory/postgres/pg_connection.h"
#include "core/directory/postgres/pg_options.h"
#include "core/jose/base64url.h"
#include "core/jose/jwk_thumbprint.h"
#include "jose_support.h"
#include "loopback_port.h"

using nlohmann::json;

extern char** environ;

namespace {

// A private redis-server on 127.0.0.1 for the redis row; not running when it is not installed.
class RedisProcess {
  public:
    explicit RedisProcess(int port) {
        const std::string p = std::to_string(port);
        const char* argv[] = {"redis-server", "--port", p.c_str(),   "--bind",    "127.0.0.1", "--save", "",
                              "--appendonly", "no",     "--logfile", "/dev/null", nullptr};
        if (posix_spawnp(&pid_, "redis-server", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
            pid_ = -1;
            return;
        }
        for (int i = 0; i < 200; ++i) {
            authpolicy::RedisConnectionSettings s;
            s.port = port;
            try {
                authpolicy::RedisPool(s).command({"PING"});
                return;
            } catch (const authpolicy::Error&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
    }
    ~RedisProcess() {
        if (pid_ <= 0) return;
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    RedisProcess(const RedisProcess&) = delete;
    RedisProcess& operator=(const RedisProcess&) = delete;
    bool running() const { return pid_ > 0; }

  private:
    pid_t pid_ = -1;
};

constexpr const char* kHtu = "https://api.example/things";

void must(int rc, const char* what) {
    if (rc != AUTHP_OK) {
        std::fprintf(stderr, "%s: %s: %s\n", what, authp_strerror(rc), authp_error_last());
        std::exit(2);
    }
}

std::string b64_sha256(const std::string& s) {
    const auto d = authpolicy::crypto::sha256(s);
    return authpolicy::jose::base64url_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

authp_engine* engine(const json& config) {
    const std::string text = config.dump();
    authp_config* cfg = nullptr;
    must(authp_config_new(&cfg), "authp_config_new");
    must(authp_config_load_json(cfg, text.data(), text.size(), nullptr), "authp_config_load_json");
    must(authp_config_set_logger(cfg, nullptr, nullptr, nullptr), "authp_config_set_logger");
    authp_engine* e = nullptr;
    must(authp_engine_new(&e, cfg), "authp_engine_new");
    authp_config_free(cfg);
    return e;
}

// One decision as a host makes it; exits unless it is `want` (200 / 401).
void decide(const authp_engine* e, const std::string& authorization, const std::string* proof, int want) {
    authp_request* req = nullptr;
    must(authp_request_new(&req, e), "authp_request_new");
    (void)authp_request_set_method(req, "GET", 3);
    (void)authp_request_set_path(req, "/things", 7);
    (void)authp_request_set_secure(req, 1);
    (void)authp_request_add_header(req, "Host", 4, "api.example", 11);
    (void)authp_request_add_header(req, "Authorization", 13, authorization.data(), authorization.size());
    if (proof) (void)authp_request_add_header(req, "DPoP", 4, proof->data(), proof->size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, e, req);
    const int status = d != nullptr ? authp_decision_status(d) : 0;
    authp_decision_free(d);
    authp_request_free(req);
    if (rc != AUTHP_OK || status != want) {
        std::fprintf(stderr, "decision: rc %d, status %d (wanted %d): %s\n", rc, status, want, authp_error_last());
        std::exit(2);
    }
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

struct Row {
    std::string name;
    std::function<void(int)> run;  // one operation, the i-th of the run
    std::vector<double> rounds;    // wall ns per operation
    std::vector<double> cpu;       // this thread's CPU ns per operation (a loaded host inflates wall time)
};

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 11;
    const int per_round = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int total = rounds * per_round + 1;  // + the warm-up
    const auto issuer = authp_test::generate_key("ES256");
    const auto client = authp_test::generate_key("ES256");
    const std::string jkt = *authpolicy::jose::jwk_thumbprint_sha256(client.public_jwk("", false));
    const double now = static_cast<double>(std::time(nullptr));
    const std::string token = issuer.token(json{{"sub", "alice"},
                                                {"iss", "https://id.example"},
                                                {"aud", "api"},
                                                {"exp", now + 3600},
                                                {"iat", now},
                                                {"cnf", {{"jkt", jkt}}}},
                                           "k1");
    const json head = {{"typ", "dpop+jwt"}, {"alg", "ES256"}, {"jwk", client.public_jwk("", false)}};
    const std::string ath = b64_sha256(token);
    const std::string run_id = authpolicy::crypto::random_hex(6);
    const auto proofs = [&](const char* tag) {
        std::vector<std::string> out;
        out.reserve(static_cast<size_t>(total));
        for (int i = 0; i < total; ++i)
            out.push_back(client.token(head.dump(), json{{"jti", run_id + tag + std::to_string(i)},
                                                         {"htm", "GET"},
                                                         {"htu", kHtu},
                                                         {"iat", now},
                                                         {"ath", ath}}
                                                        .dump()));
        return out;
    };

    const json auth = {{"class", "JWTAuthentication"},
                       {"issuer", "https://id.example"},
                       {"audience", "api"},
                       {"lookup_user", false},
                       {"jwks", {{"keys", {issuer.public_jwk("k1")}}}}};
    json dpop_auth = auth;
    dpop_auth["dpop"] = "required";
    const auto config = [](const json& a, const json& top) {
        json c = {{"DEFAULT_AUTHENTICATION_CLASSES", {a}}, {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}}};
        for (const auto& item : top.items()) c[item.key()] = item.value();
        return c;
    };

    std::vector<Row> rows;
    authp_engine* plain = engine(config(auth, json::object()));
    const std::string bearer = "Bearer " + token, dpop = "DPoP " + token;
    rows.push_back(
        {"(a) plain JWT decision (Bearer, DPoP off)", [&](int) { decide(plain, bearer, nullptr, 200); }, {}});

    const std::vector<std::string> verify_proofs = proofs("v");
    const authpolicy::authn::DpopProofPolicy policy;
    rows.push_back({"(b) ES256 DPoP proof verification alone",
                    [&](int i) {
                        authpolicy::authn::DpopProofClaims claims;
                        if (authpolicy::authn::check_dpop_proof(verify_proofs[static_cast<size_t>(i)], policy, "GET",
                                                                kHtu, token, now, claims) != nullptr)
                            std::exit(3);
                    },
                    {}});

    authp_engine* memory = engine(config(dpop_auth, json::object()));
    const std::vector<std::string> memory_proofs = proofs("m");
    rows.push_back({"(c) DPoP decision, memory replay store",
                    [&](int i) { decide(memory, dpop, &memory_proofs[static_cast<size_t>(i)], 200); },
                    {}});

    const int redis_port = authp_test::unused_loopback_port();
    RedisProcess redis(redis_port);
    authp_engine* on_redis = nullptr;
    std::vector<std::string> redis_proofs;
    if (redis.running()) {
        on_redis = engine(config(dpop_auth, {{"DPOP_REPLAY_BACKEND", {{"TYPE", "redis"}, {"PORT", redis_port}}}}));
        redis_proofs = proofs("r");
        rows.push_back({"DPoP decision, redis replay store (loopback)",
                        [&](int i) { decide(on_redis, dpop, &redis_proofs[static_cast<size_t>(i)], 200); },
                        {}});
    } else {
        std::printf("redis-server not found: no redis row\n");
    }

    const char* pg_env = std::getenv("AUTHP_TEST_PG_SOCKET_URL");
    if (pg_env == nullptr || *pg_env == '\0') pg_env = std::getenv("AUTHP_TEST_PG_URL");
    authp_engine* on_pg = nullptr;
    std::vector<std::string> pg_proofs;
    const std::string pg_db = "authp_dpop_bench_" + run_id;
    std::string pg_base;
    if (pg_env != nullptr && *pg_env != '\0') {
        pg_base = pg_env;
        using authpolicy::directory::postgres::PgConnection;
        PgConnection(pg_base, authpolicy::directory::postgres::redact_conninfo(pg_base), 5.0, 30.0, false)
            .exec_script("CREATE DATABASE " + pg_db);
        const size_t query = pg_base.find('?');
        const size_t slash = pg_base.rfind('/', query == std::string::npos ? std::string::npos : query);
        const std::string url =
            pg_base.substr(0, slash + 1) + pg_db + (query == std::string::npos ? "" : pg_base.substr(query));
        on_pg = engine(config(dpop_auth, {{"DPOP_REPLAY_BACKEND", {{"TYPE", "postgresql"}, {"URL", url}}}}));
        pg_proofs = proofs("p");
        rows.push_back({"DPoP decision, postgresql replay store",
                        [&](int i) { decide(on_pg, dpop, &pg_proofs[static_cast<size_t>(i)], 200); },
                        {}});
    } else {
        std::printf("AUTHP_TEST_PG_SOCKET_URL / AUTHP_TEST_PG_URL unset: no postgresql row\n");
    }

    // Warm-up (caches, connections, the schema), then a replay is refused: the store is on.
    for (auto& row : rows) row.run(total - 1);
    decide(memory, dpop, &memory_proofs[static_cast<size_t>(total - 1)], 401);

    for (int r = 0; r < rounds; ++r) {
        for (auto& row : rows) {
            const auto start = std::chrono::steady_clock::now();
            const double cpu_start = thread_cpu_seconds();
            for (int i = r * per_round; i < (r + 1) * per_round; ++i) row.run(i);
            row.rounds.push_back(seconds_since(start) * 1e9 / per_round);
            row.cpu.push_back((thread_cpu_seconds() - cpu_start) * 1e9 / per_round);
        }
    }
    std::printf("%d rounds x %d operations, median of the rounds' means, ns per operation\n", rounds, per_round);
    std::printf("  %-48s %10s %10s\n", "", "wall", "thread CPU");
    for (const auto& row : rows)
        std::printf("  %-48s %10.0f %10.0f\n", row.name.c_str(), median(row.rounds), median(row.cpu));
    const auto ratio = [&](const std::vector<double> Row::*m) {
        return median(rows[2].*m) / (median(rows[0].*m) + median(rows[1].*m));
    };
    std::printf("  %-48s %10.3f %10.3f  (issue 21: <= 1.2)\n", "ratio (c) / ((a) + (b))", ratio(&Row::rounds),
                ratio(&Row::cpu));

    authp_engine_free(plain);
    authp_engine_free(memory);
    authp_engine_free(on_redis);
    authp_engine_free(on_pg);
    if (!pg_base.empty()) {
        authpolicy::directory::postgres::PgConnection(
            pg_base, authpolicy::directory::postgres::redact_conninfo(pg_base), 5.0, 30.0, false)
            .exec_script("DROP DATABASE IF EXISTS " + pg_db + " WITH (FORCE)");
    }
    return 0;
}
