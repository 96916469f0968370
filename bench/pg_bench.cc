// Token decisions on the PostgreSQL directory over its Unix socket, beside the floor: a bare libpq
// prepared SELECT by primary key on the same server, measured in the same run
// (docs/performance.md "PostgreSQL directory"). Needs AUTHP_TEST_PG_SOCKET_URL (or
// AUTHP_TEST_PG_URL) from scripts/pg-cluster.sh; makes a database of its own and drops it.
//
//   eval "$(bash scripts/pg-cluster.sh start /tmp/pgb)"
//   build/bench/authp_pg_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "authpolicy.h"

namespace {

constexpr int kTokens = 1000;

std::string with_dbname(const std::string& url, const std::string& db) {
    const size_t query = url.find('?');
    const size_t slash = url.rfind('/', query == std::string::npos ? std::string::npos : query);
    return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

void exec_or_die(PGconn* c, const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), PQresultErrorMessage(r));
        std::exit(2);
    }
    PQclear(r);
}

PGconn* connect_or_die(const std::string& url) {
    PGconn* c = PQconnectdb(url.c_str());
    if (PQstatus(c) != CONNECTION_OK) {
        std::fprintf(stderr, "connect: %s\n", PQerrorMessage(c));
        std::exit(2);
    }
    return c;
}

void must(int rc, const char* what) {
    if (rc != AUTHP_OK) {
        std::fprintf(stderr, "%s: %s: %s\n", what, authp_strerror(rc), authp_error_last());
        std::exit(2);
    }
}

// One database for the whole run: a user and kTokens tokens.
struct Fixture {
    std::string base, name, url;
    std::vector<std::string> keys;
    Fixture() {
        const char* socket_url = std::getenv("AUTHP_TEST_PG_SOCKET_URL");
        const char* tcp_url = std::getenv("AUTHP_TEST_PG_URL");
        base = socket_url != nullptr ? socket_url : tcp_url != nullptr ? tcp_url : "";
        if (base.empty()) {
            std::fprintf(stderr,
                         "AUTHP_TEST_PG_SOCKET_URL is not set (eval \"$(bash scripts/pg-cluster.sh start DIR)\")\n");
            std::exit(2);
        }
        std::random_device rd;
        char buf[32];
        std::snprintf(buf, sizeof buf, "authp_b_%08x", rd());
        name = buf;
        PGconn* c = connect_or_die(base);
        exec_or_die(c, "CREATE DATABASE " + name);
        PQfinish(c);
        url = with_dbname(base, name);
        authp_directory* dir = nullptr;
        authp_config* cfg = config(0);
        must(authp_directory_open(&dir, cfg), "authp_directory_open");
        authp_config_free(cfg);
        must(authp_directory_user_add(nullptr, dir, "alice", 5, "secret", 6, 0), "user add");
        for (int i = 0; i < kTokens; ++i) {
            char* key = nullptr;
            must(authp_directory_token_create(&key, dir, "alice", 5, nullptr, 0, 0), "token create");
            keys.emplace_back(key);
            authp_free(key);
        }
        authp_directory_free(dir);
        PGconn* v = connect_or_die(url);
        exec_or_die(v, "VACUUM ANALYZE");
        PQfinish(v);
    }
    ~Fixture() {
        PGconn* c = PQconnectdb(base.c_str());
        if (PQstatus(c) == CONNECTION_OK)
            PQclear(PQexec(c, ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
        PQfinish(c);
    }
    authp_config* config(double ttl) const {
        char cache[64];
        std::snprintf(cache, sizeof cache, R"("CACHE": {"TTL": %g})", ttl);
        const std::string json = R"({"DATABASE": ")" + url + R"(", )" + cache +
                                 R"(, "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1000})";
        authp_config* cfg = nullptr;
        must(authp_config_new(&cfg), "authp_config_new");
        must(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "authp_config_load_json");
        must(authp_config_set_logger(cfg, nullptr, nullptr, nullptr), "authp_config_set_logger");
        return cfg;
    }
    authp_engine* engine(double ttl) const {
        authp_config* cfg = config(ttl);
        authp_engine* e = nullptr;
        must(authp_engine_new(&e, cfg), "authp_engine_new");
        authp_config_free(cfg);
        return e;
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// The host path of docs/performance.md: request, header, evaluate, status, free.
int decide(const authp_engine* e, const std::string& header) {
    authp_request* req = nullptr;
    (void)authp_request_new(&req, e);
    (void)authp_request_add_header(req, "Authorization", 13, header.data(), header.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, e, req);
    const int status = d != nullptr ? authp_decision_status(d) : 0;
    authp_decision_free(d);
    authp_request_free(req);
    return rc == AUTHP_OK ? status : -rc;
}

std::vector<std::string> headers() {
    std::vector<std::string> h;
    for (const auto& k : fixture().keys) h.push_back("Token " + k);
    return h;
}

// A cold decision: CACHE.TTL 0, so every decision is SHA-256 + one query (token joined with its
// user, by the digest's unique index) + the policy. Keys cycle through the 1,000 tokens.
void BM_PgTokenCold(benchmark::State& state) {
    authp_engine* e = fixture().engine(0);
    const auto h = headers();
    size_t i = 0;
    if (decide(e, h[0]) != 200) state.SkipWithError("not allowed");
    for (auto _ : state) {
        const int s = decide(e, h[i++ % h.size()]);
        if (s != 200) state.SkipWithError("not allowed");
    }
    state.SetItemsProcessed(state.iterations());
    authp_engine_free(e);
}
BENCHMARK(BM_PgTokenCold)->UseRealTime();

// The floor: what the cold decision cannot go below. A bare libpq prepared SELECT by primary key
// (authp_token.id, a row of the same width as the decision's), text results, one connection
// over the same socket.
void BM_PgFloor_PreparedSelectByPk(benchmark::State& state) {
    PGconn* c = connect_or_die(fixture().url);
    PGresult* p = PQprepare(
        c, "by_pk", "SELECT id, user_id, name, created, expires FROM authp_token WHERE id = $1::bigint", 1, nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) state.SkipWithError(PQresultErrorMessage(p));
    PQclear(p);
    std::vector<std::string> ids;
    PGresult* r = PQexec(c, "SELECT id FROM authp_token ORDER BY id");
    for (int i = 0; i < PQntuples(r); ++i) ids.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    size_t i = 0;
    for (auto _ : state) {
        const char* v[1] = {ids[i++ % ids.size()].c_str()};
        PGresult* q = PQexecPrepared(c, "by_pk", 1, v, nullptr, nullptr, 0);
        if (PQresultStatus(q) != PGRES_TUPLES_OK || PQntuples(q) != 1) state.SkipWithError("no row");
        PQclear(q);
    }
    state.SetItemsProcessed(state.iterations());
    PQfinish(c);
}
BENCHMARK(BM_PgFloor_PreparedSelectByPk)->UseRealTime();

// The cold decision's own query through bare libpq: the token joined with its user by the digest
// (a binary bytea parameter, as the directory sends it), prepared, the same columns the directory reads. Between this
// and the floor is the schema's cost (two index lookups, a wider row); above this is the engine's.
void BM_PgFloor_PreparedTokenJoin(benchmark::State& state) {
    PGconn* c = connect_or_die(fixture().url);
    PGresult* p = PQprepare(c, "join",
                            "SELECT t.id, t.name, t.created, t.expires, u.id, u.username, u.password, u.is_active, "
                            "u.is_staff, u.is_superuser, u.attributes FROM authp_token t JOIN authp_user u ON u.id = "
                            "t.user_id WHERE t.digest = $1::bytea",
                            1, nullptr);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) state.SkipWithError(PQresultErrorMessage(p));
    PQclear(p);
    std::vector<std::string> digests;
    PGresult* r = PQexec(c, "SELECT digest FROM authp_token ORDER BY id");
    for (int i = 0; i < PQntuples(r); ++i) {
        size_t n = 0;
        unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r, i, 0)), &n);
        digests.emplace_back(reinterpret_cast<const char*>(raw), n);
        PQfreemem(raw);
    }
    PQclear(r);
    size_t i = 0;
    const int binary = 1;
    for (auto _ : state) {
        const std::string& d = digests[i++ % digests.size()];
        const char* v[1] = {d.data()};
        const int len[1] = {static_cast<int>(d.size())};
        PGresult* q = PQexecPrepared(c, "join", 1, v, len, &binary, 0);
        if (PQresultStatus(q) != PGRES_TUPLES_OK || PQntuples(q) != 1) state.SkipWithError("no row");
        PQclear(q);
    }
    state.SetItemsProcessed(state.iterations());
    PQfinish(c);
}
BENCHMARK(BM_PgFloor_PreparedTokenJoin)->UseRealTime();

// Warm: the default cache (5 s) and a long one; the same token (the database is not read).
void BM_PgTokenWarm(benchmark::State& state) {
    authp_engine* e = fixture().engine(static_cast<double>(state.range(0)));
    const std::string h = "Token " + fixture().keys[0];
    if (decide(e, h) != 200) state.SkipWithError("not allowed");
    for (auto _ : state) {
        if (decide(e, h) != 200) state.SkipWithError("not allowed");
    }
    state.SetItemsProcessed(state.iterations());
    authp_engine_free(e);
}
BENCHMARK(BM_PgTokenWarm)->ArgName("ttl")->Arg(300)->UseRealTime();

// Warm over all 1,000 tokens (each cached once before timing).
void BM_PgTokenWarm_1000Keys(benchmark::State& state) {
    authp_engine* e = fixture().engine(300);
    const auto h = headers();
    for (const auto& x : h)
        if (decide(e, x) != 200) state.SkipWithError("not allowed");
    size_t i = 0;
    for (auto _ : state) {
        if (decide(e, h[i++ % h.size()]) != 200) state.SkipWithError("not allowed");
    }
    state.SetItemsProcessed(state.iterations());
    authp_engine_free(e);
}
BENCHMARK(BM_PgTokenWarm_1000Keys)->UseRealTime();

// An unknown token: never cached, so one query per decision, as a cold one.
void BM_PgTokenUnknown(benchmark::State& state) {
    authp_engine* e = fixture().engine(300);
    const std::string h = "Token " + std::string(40, 'f');
    for (auto _ : state) {
        if (decide(e, h) != 401) state.SkipWithError("not refused");
    }
    authp_engine_free(e);
}
BENCHMARK(BM_PgTokenUnknown)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    fixture();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
