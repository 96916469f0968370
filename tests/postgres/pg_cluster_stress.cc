// Engines in separate processes on one PostgreSQL, over the C API (ctest label "postgres";
// docs/postgresql.md, docs/performance.md). Needs the exports of scripts/pg-cluster.sh; without
// AUTHP_TEST_PG_URL every mode fails (never skips). Each run works in a database of its own.
//
//   failure              the database unreachable at engine start (503 AUTHP_ESTORE, never 200
//                        or 401, for Token, Basic and Session); a statement blocked by a lock
//                        ends at STATEMENT_TIMEOUT (a 503 decision, an AUTHP_ESTORE revocation)
//   propagation [N]      process A decides in a loop with a cached token (CACHE.TTL 300 s: only
//                        the NOTIFY can stop it); this process (B) revokes it through its own
//                        authp_directory (and, with --cli PATH, every 10th through
//                        `authpolicy token revoke --key-stdin`); the time from the revoking call
//                        to A's first rejection, over N revocations (default 200): p50/p99/max
//   concurrency          two processes, each a writer (create, revoke) and two deciders, for
//                        AUTHP_STRESS_SECONDS (default 10): no revoked token accepted later than
//                        its revocation + the bound, no live token refused, no write lost
//   faults               (stops and starts the cluster: AUTHP_TEST_PG_BIN, AUTHP_TEST_PG_DATA)
//                        the listener's backend terminated (caches dropped, listener back);
//                        `pg_ctl stop -m immediate` under load (every decision a 503), start
//                        (right again within 2 s); an engine made while the server is down
//
// The bound: AUTHP_REVOCATION_BOUND_MS (default 250, the documented bound).
#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "authpolicy.h"
#include "loopback_port.h"
#include "stress_common.h"

namespace {

int failures = 0, checks = 0;

void check(bool ok, const std::string& what) {
    ++checks;
    if (!ok) ++failures;
    std::printf("%s - %s\n", ok ? "ok" : "FAIL", what.c_str());
    std::fflush(stdout);
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "FATAL: %s\n", what.c_str());
    std::exit(2);
}

// Monotonic nanoseconds: CLOCK_MONOTONIC is one clock for every process on the machine.
int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
double ms(int64_t ns) {
    return static_cast<double>(ns) / 1e6;
}
void sleep_ms(int n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(n));
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

// Right again after the server is back: the pool's backoff (at most 2 s) plus a connection.
constexpr int64_t kRecoveryNs = 2250000000;

int64_t bound_ns() {
    const std::string v = env("AUTHP_REVOCATION_BOUND_MS");
    return static_cast<int64_t>((v.empty() ? 250.0 : std::atof(v.c_str())) * 1e6);
}

// --- PostgreSQL, directly (administration the engine never does) -------------------------------

std::string with_dbname(const std::string& url, const std::string& db) {
    const size_t query = url.find('?');
    const size_t slash = url.rfind('/', query == std::string::npos ? std::string::npos : query);
    if (slash == std::string::npos) die("no database in the URL");
    return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

struct Pg {
    PGconn* c = nullptr;
    explicit Pg(const std::string& url) {
        c = PQconnectdb(url.c_str());
        if (PQstatus(c) != CONNECTION_OK) die(std::string("connect: ") + PQerrorMessage(c));
        PQsetNoticeProcessor(
            c, [](void*, const char*) {}, nullptr);
    }
    ~Pg() { PQfinish(c); }
    Pg(const Pg&) = delete;
    Pg& operator=(const Pg&) = delete;
    // The first column of the first row ("" for none); dies on error unless `may_fail`.
    std::string q(const std::string& sql, bool may_fail = false) {
        PGresult* r = PQexec(c, sql.c_str());
        const ExecStatusType st = PQresultStatus(r);
        std::string out;
        if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !may_fail) {
            const std::string msg = PQresultErrorMessage(r);
            PQclear(r);
            die(sql + ": " + msg);
        }
        PQclear(r);
        return out;
    }
};

// A database of its own for one run, dropped at the end.
struct TestDb {
    std::string base;
    std::string name;
    std::string url;
    TestDb() {
        base = env("AUTHP_TEST_PG_URL");
        if (base.empty())
            die("AUTHP_TEST_PG_URL is not set; start a cluster: eval \"$(bash scripts/pg-cluster.sh start /tmp/x)\"");
        std::random_device rd;
        char buf[32];
        std::snprintf(buf, sizeof buf, "authp_s_%08x", rd());
        name = buf;
        Pg(base).q("CREATE DATABASE " + name);
        url = with_dbname(base, name);
    }
    ~TestDb() {
        PGconn* c = PQconnectdb(base.c_str());
        if (PQstatus(c) == CONNECTION_OK)
            PQclear(PQexec(c, ("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str()));
        PQfinish(c);
    }
};

// --- the cluster's server, stopped and started as its owner (scripts/pg-cluster.sh) --------------

std::string pg_ctl(const std::string& args) {
    const std::string bin = env("AUTHP_TEST_PG_BIN"), data = env("AUTHP_TEST_PG_DATA");
    if (bin.empty() || data.empty()) die("AUTHP_TEST_PG_BIN and AUTHP_TEST_PG_DATA must be set (pg-cluster.sh env)");
    return std::string(getuid() == 0 ? "runuser -u postgres -- " : "") + bin + "/pg_ctl -D " + data + " " + args;
}

void server_stop() {
    if (std::system((pg_ctl("-w -t 30 stop -m immediate") + " >/dev/null").c_str()) != 0) die("pg_ctl stop failed");
}

void server_start() {
    const std::string data = env("AUTHP_TEST_PG_DATA");
    const std::string dir = data.substr(0, data.rfind('/'));
    std::ifstream pf(dir + "/port");
    std::string port;
    pf >> port;
    if (port.empty()) die("no port file in " + dir);
    const std::string cmd = pg_ctl("-l " + dir + "/server.log -w -t 30 start -o \"-k " + dir + " -p " + port +
                                   " -c listen_addresses=127.0.0.1\" >/dev/null");
    if (std::system(cmd.c_str()) != 0) die("pg_ctl start failed");
}

// --- engines and decisions over the C API -------------------------------------------------------

std::string policy(const std::string& url, double ttl, double statement_timeout = 1.0) {
    char buf[128];
    std::snprintf(buf, sizeof buf,
                  R"("CACHE": {"TTL": %g}, "DATABASE_OPTIONS": {"CONNECT_TIMEOUT": 1, "STATEMENT_TIMEOUT": %g})", ttl,
                  statement_timeout);
    return R"({"DATABASE": ")" + url + R"(", )" + buf + R"(,
      "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication", "BasicAuthentication", "SessionAuthentication"],
      "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1000, "LOGIN_FAILURES": null})";
}

authp_config* config_from(const std::string& json) {
    authp_config* cfg = nullptr;
    if (authp_config_new(&cfg) != AUTHP_OK) die("authp_config_new");
    if (authp_config_load_json(cfg, json.data(), json.size(), nullptr) != AUTHP_OK)
        die(std::string("config: ") + authp_error_last());
    (void)authp_config_set_logger(cfg, nullptr, nullptr, nullptr);
    return cfg;
}

authp_engine* engine_from(const std::string& json) {
    authp_config* cfg = config_from(json);
    authp_engine* e = nullptr;
    const int rc = authp_engine_new(&e, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) die(std::string("authp_engine_new: ") + authp_error_last());
    return e;
}

authp_directory* directory_from(const std::string& json) {
    authp_config* cfg = config_from(json);
    authp_directory* d = nullptr;
    const int rc = authp_directory_open(&d, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) die(std::string("authp_directory_open: ") + authp_error_last());
    return d;
}

using authp_stress::decide;
using authp_stress::Outcome;

Outcome decide_token(const authp_engine* e, const std::string& key) {
    return decide(e, "Authorization", "Token " + key);
}
Outcome decide_basic(const authp_engine* e) {
    return decide(e, "Authorization", "Basic YWxpY2U6c2VjcmV0");  // alice:secret
}
Outcome decide_session(const authp_engine* e, const std::string& key) {
    return decide(e, "Cookie", "sessionid=" + key);
}

void add_alice(authp_directory* d) {
    if (authp_directory_user_add(nullptr, d, "alice", 5, "secret", 6, 0) != AUTHP_OK)
        die(std::string("user add: ") + authp_error_last());
}

std::string new_token(authp_directory* d) {
    char* key = nullptr;
    const int rc = authp_directory_token_create(&key, d, "alice", 5, nullptr, 0, 0);
    if (rc != AUTHP_OK) die(std::string("token create: ") + authp_error_last());
    std::string k = key;
    authp_free(key);
    return k;
}

std::string new_session(authp_engine* e) {
    char *cookie = nullptr, *csrf = nullptr, *key = nullptr;
    if (authp_session_login(&cookie, &csrf, &key, e, "alice", 5, nullptr, 0) != AUTHP_OK)
        die(std::string("session login: ") + authp_error_last());
    std::string k = key;
    authp_free(cookie);
    authp_free(csrf);
    authp_free(key);
    return k;
}

// Polls fn() every 10 ms until it holds; the time it took, or -1 after `limit_ms`.
template <class F>
int64_t until(F fn, int limit_ms) {
    const int64_t start = now_ns();
    while (now_ns() - start < int64_t{limit_ms} * 1000000) {
        if (fn()) return now_ns() - start;
        sleep_ms(10);
    }
    return -1;
}

// --- child processes ------------------------------------------------------------------------------

std::string self_exe;

struct Child {
    pid_t pid = -1;
    FILE* in = nullptr;   // its stdin
    FILE* out = nullptr;  // its stdout
};

Child spawn(const std::vector<std::string>& args) {
    int to[2], from[2];
    if (::pipe(to) != 0 || ::pipe(from) != 0) die("pipe");
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        ::dup2(to[0], 0);
        ::dup2(from[1], 1);
        ::close(to[0]), ::close(to[1]), ::close(from[0]), ::close(from[1]);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(to[0]);
    ::close(from[1]);
    Child c;
    c.pid = pid;
    c.in = ::fdopen(to[1], "w");
    c.out = ::fdopen(from[0], "r");
    return c;
}

std::string read_line(FILE* f) {
    char buf[512];
    if (std::fgets(buf, sizeof buf, f) == nullptr) return "";
    std::string s = buf;
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
}

int wait_child(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `authpolicy token revoke --config CONF --key-stdin` with the key on its stdin.
int cli_revoke(const std::string& cli, const std::string& conf, const std::string& key) {
    const std::string cmd = cli + " token revoke --config " + conf + " --key-stdin 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "w");
    if (p == nullptr) die("popen");
    std::fprintf(p, "%s\n", key.c_str());
    return ::pclose(p);
}

// --- failure: what a decision is while the database cannot answer -------------------------------

void run_failure() {
    TestDb db;
    authp_directory* dir = directory_from(policy(db.url, 0));
    add_alice(dir);
    const std::string key = new_token(dir);
    authp_engine* setup = engine_from(policy(db.url, 0));
    const std::string session = new_session(setup);
    check(
        decide_token(setup, key).allowed() && decide_basic(setup).allowed() && decide_session(setup, session).allowed(),
        "Token, Basic and Session are allowed while the database is up");

    {  // Nothing listens where the database should be: the engine is still made.
        const std::string pw = db.url.substr(db.url.find(':', 12) + 1, db.url.find('@') - db.url.find(':', 12) - 1);
        const std::string down =
            "postgresql://authp:" + pw + "@127.0.0.1:" + std::to_string(authp_test::unused_loopback_port()) + "/x";
        authp_engine* e = engine_from(policy(down, 300));
        check(e != nullptr, "an engine is made while its database is unreachable");
        for (int round = 0; round < 3; ++round) {
            const Outcome t = decide_token(e, key), b = decide_basic(e), s = decide_session(e, session);
            check(t.unavailable() && b.unavailable() && s.unavailable(),
                  "database unreachable, round " + std::to_string(round) + ": Token " + t.str() + ", Basic " + b.str() +
                      ", Session " + s.str() + " (503 AUTHP_ESTORE each)");
        }
        const std::string detail = authp_error_last();
        check(detail.find("PostgreSQL") != std::string::npos && detail.find(pw) == std::string::npos,
              "the error names PostgreSQL, never the password: " + detail);
        // No credential at all needs no database: an anonymous request is still a plain 403/401.
        const Outcome anon = decide(e, "X-Nothing", "1");
        check(anon.rc == AUTHP_OK && (anon.status == 401 || anon.status == 403),
              "a request without credentials does not touch the database: " + anon.str());
        authp_engine_free(e);
    }

    {  // A statement that hangs ends at STATEMENT_TIMEOUT.
        authp_engine* e = engine_from(policy(db.url, 0, 0.5));
        check(decide_basic(e).allowed(), "engine with STATEMENT_TIMEOUT 0.5 s: allowed before the lock");
        Pg locker(db.url);
        locker.q("BEGIN");
        locker.q("LOCK TABLE authp_token IN ACCESS EXCLUSIVE MODE");
        int64_t t0 = now_ns();
        const Outcome o = decide_token(e, key);
        const int64_t took = now_ns() - t0;
        check(o.unavailable() && took >= 400000000 && took < 1500000000,
              "a token lookup blocked by a table lock: " + o.str() + " after " + std::to_string(ms(took)) +
                  " ms (STATEMENT_TIMEOUT 500 ms)");
        check(std::string(authp_error_last()).find("statement timeout") != std::string::npos,
              std::string("the error says so: ") + authp_error_last());
        locker.q("ROLLBACK");
        check(decide_token(e, key).allowed(), "allowed again once the lock is released");

        // A revocation blocked by SELECT … FOR UPDATE on the token's row.
        authp_directory* d2 = directory_from(policy(db.url, 0, 0.5));
        locker.q("BEGIN");
        locker.q("SELECT id FROM authp_token FOR UPDATE");
        t0 = now_ns();
        const int rc = authp_directory_token_revoke(d2, key.data(), key.size());
        const int64_t took2 = now_ns() - t0;
        check(rc == AUTHP_ESTORE && took2 >= 400000000 && took2 < 1500000000,
              "a revocation blocked by SELECT ... FOR UPDATE: " + std::string(authp_strerror(rc)) + " after " +
                  std::to_string(ms(took2)) + " ms");
        locker.q("ROLLBACK");
        check(decide_token(e, key).allowed(), "the failed revocation changed nothing");
        check(authp_directory_token_revoke(d2, key.data(), key.size()) == AUTHP_OK, "revoked once unlocked");
        const Outcome after = decide_token(e, key);
        check(after.rc == AUTHP_OK && after.status == 401, "then refused: " + after.str());
        authp_directory_free(d2);
        authp_engine_free(e);
    }
    authp_engine_free(setup);
    authp_directory_free(dir);
}

// --- propagation: process A decides, this process revokes ----------------------------------------

// Process A: reads keys on stdin ("end" closes the list), then for each: "go I T" after an
// allowed decision, decides in a loop until refused, "rej I T STATUS LOOPS".
int role_decider(const std::string& url) {
    std::vector<std::string> keys;
    for (std::string line = read_line(stdin); line != "end"; line = read_line(stdin)) {
        if (line.empty()) return 3;
        keys.push_back(line);
    }
    authp_engine* e = engine_from(policy(url, 300));
    // The control key: its row is deleted without a notice; the cache must keep serving it.
    const std::string& control = keys[0];
    if (!decide_token(e, control).allowed()) return 4;
    // Wait until the listener is live: the first LISTEN drops the caches once.
    sleep_ms(300);
    if (!decide_token(e, control).allowed()) return 4;
    std::printf("ctl-go\n");
    std::fflush(stdout);
    if (read_line(stdin) != "ctl-deleted") return 5;
    int refused = 0, loops = 0;
    for (const int64_t end = now_ns() + 1000000000; now_ns() < end; ++loops)
        refused += !decide_token(e, control).allowed();
    std::printf("ctl %d %d\n", loops, refused);
    std::fflush(stdout);
    for (size_t i = 1; i < keys.size(); ++i) {
        Outcome o = decide_token(e, keys[i]);
        if (!o.allowed()) return 6;
        std::printf("go %zu %lld\n", i, static_cast<long long>(now_ns()));
        std::fflush(stdout);
        long long n = 0;
        while (o.allowed()) {
            o = decide_token(e, keys[i]);
            ++n;
        }
        const int64_t t = now_ns();
        std::printf("rej %zu %lld %d %lld\n", i, static_cast<long long>(t), o.status, n);
        std::fflush(stdout);
    }
    authp_engine_free(e);
    return 0;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
    return v[i];
}

void run_propagation(int n, const std::string& cli) {
    TestDb db;
    const std::string json = policy(db.url, 0);
    authp_directory* dir = directory_from(json);
    add_alice(dir);
    std::vector<std::string> keys;
    for (int i = 0; i <= n; ++i) keys.push_back(new_token(dir));
    std::string conf;
    if (!cli.empty()) {
        conf = "/tmp/authp-prop-" + db.name + ".json";
        std::ofstream(conf) << json;
    }

    Child a = spawn({self_exe, "--decider", db.url});
    for (const auto& k : keys) std::fprintf(a.in, "%s\n", k.c_str());
    std::fprintf(a.in, "end\n");
    std::fflush(a.in);

    // Control: the row goes without a notice; A's cache keeps accepting it (CACHE.TTL 300 s).
    check(read_line(a.out) == "ctl-go", "process A caches the control token");
    Pg(db.url).q("DELETE FROM authp_token WHERE digest = sha256('" + keys[0] + "'::bytea)");
    std::fprintf(a.in, "ctl-deleted\n");
    std::fflush(a.in);
    const std::string ctl = read_line(a.out);
    int ctl_loops = 0, ctl_refused = -1;
    std::sscanf(ctl.c_str(), "ctl %d %d", &ctl_loops, &ctl_refused);
    check(ctl_refused == 0 && ctl_loops > 0, "without a NOTIFY, A keeps accepting a deleted token from its cache (" +
                                                 std::to_string(ctl_loops) + " decisions in 1 s, " +
                                                 std::to_string(ctl_refused) + " refused)");

    std::vector<double> api_upper, api_lower, cli_lower;
    int wrong_status = 0;
    for (int i = 1; i <= n; ++i) {
        const std::string go = read_line(a.out);
        if (go.rfind("go " + std::to_string(i) + " ", 0) != 0)
            die("process A: expected go " + std::to_string(i) + ", got '" + go + "'");
        const bool via_cli = !cli.empty() && i % 10 == 0;
        const int64_t t0 = now_ns();
        const int rc = via_cli ? cli_revoke(cli, conf, keys[i])
                               : authp_directory_token_revoke(dir, keys[i].data(), keys[i].size());
        const int64_t t1 = now_ns();
        if (rc != 0) die("revocation " + std::to_string(i) + " failed: " + std::to_string(rc));
        const std::string rej = read_line(a.out);
        long long t = 0, loops = 0;
        size_t idx = 0;
        int status = 0;
        if (std::sscanf(rej.c_str(), "rej %zu %lld %d %lld", &idx, &t, &status, &loops) != 4 ||
            idx != static_cast<size_t>(i))
            die("process A: expected rej, got '" + rej + "'");
        if (status != 401) ++wrong_status;
        if (via_cli) {
            cli_lower.push_back(ms(t - t1));
        } else {
            api_upper.push_back(ms(t - t0));
            api_lower.push_back(ms(t - t1));
        }
    }
    std::fclose(a.in);
    check(wait_child(a.pid) == 0, "process A exits cleanly");
    check(wrong_status == 0, "every rejection is a 401 (" + std::to_string(wrong_status) + " were not)");
    std::printf(
        "propagation (authp_directory_token_revoke in B -> first rejection in A), %zu revocations:\n"
        "  from the call (upper bound): p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n"
        "  from its return (lower bound): p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
        api_upper.size(), percentile(api_upper, 50), percentile(api_upper, 90), percentile(api_upper, 99),
        percentile(api_upper, 100), percentile(api_lower, 50), percentile(api_lower, 99), percentile(api_lower, 100));
    if (!cli_lower.empty())
        std::printf(
            "  through `authpolicy token revoke --key-stdin`, %zu revocations, from its exit: p50 %.3f ms, max %.3f "
            "ms\n",
            cli_lower.size(), percentile(cli_lower, 50), percentile(cli_lower, 100));
    const double bound = ms(bound_ns());
    check(percentile(api_upper, 100) <= bound && (cli_lower.empty() || percentile(cli_lower, 100) <= bound),
          "every revocation reached A within the bound (" + std::to_string(bound) + " ms)");
    if (!conf.empty()) std::remove(conf.c_str());
    authp_directory_free(dir);
}

// --- concurrency: two processes creating, revoking and deciding ----------------------------------

enum SlotState : uint32_t { kEmpty = 0, kLive = 1, kRevoking = 2, kRevoked = 3 };

struct Slot {
    std::atomic<uint32_t> state;
    std::atomic<int64_t> revoked_at;  // when the revoking call returned (after its commit)
    char key[48];
};

constexpr size_t kSlots = 1 << 18;

struct Shared {
    std::atomic<uint64_t> next;
    std::atomic<int> stop;
    std::atomic<uint64_t> created[2], revoked[2], write_errors[2];
    std::atomic<uint64_t> decisions[2], accepted_revoked[2], refused_live[2], errors[2], late_accepts[2];
    std::atomic<int64_t> max_staleness_ns[2];
    Slot slots[kSlots];
};

Shared* map_shared(const std::string& path, bool create) {
    const int fd = ::open(path.c_str(), create ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR, 0600);
    if (fd < 0 || (create && ::ftruncate(fd, sizeof(Shared)) != 0)) die("shared file " + path);
    void* p = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) die("mmap");
    return create ? new (p) Shared() : static_cast<Shared*>(p);
}

void atomic_max(std::atomic<int64_t>& a, int64_t v) {
    int64_t cur = a.load();
    while (v > cur && !a.compare_exchange_weak(cur, v)) {
    }
}

int role_worker(const std::string& url, const std::string& shm_path, int id) {
    Shared* sh = map_shared(shm_path, false);
    const std::string json = policy(url, 300);
    authp_engine* e = engine_from(json);
    // Its own handle: even this process's revocations reach its engine only through the NOTIFY.
    authp_directory* dir = directory_from(json);
    const int64_t bound = bound_ns();
    std::vector<std::thread> threads;
    threads.emplace_back([&] {  // the writer
        std::mt19937 rng(static_cast<unsigned>(id * 7919 + 1));
        std::vector<uint64_t> mine;
        while (sh->stop.load() == 0) {
            char* key = nullptr;
            if (authp_directory_token_create(&key, dir, "alice", 5, nullptr, 0, 0) != AUTHP_OK) {
                sh->write_errors[id]++;
                continue;
            }
            const uint64_t s = sh->next.fetch_add(1);
            if (s >= kSlots) {
                authp_free(key);
                break;
            }
            std::snprintf(sh->slots[s].key, sizeof sh->slots[s].key, "%s", key);
            authp_free(key);
            sh->slots[s].state.store(kLive);
            sh->created[id]++;
            mine.push_back(s);
            if (rng() % 2 == 0 && !mine.empty()) {
                const size_t pick = rng() % mine.size();
                const uint64_t r = mine[pick];
                mine[pick] = mine.back();
                mine.pop_back();
                Slot& slot = sh->slots[r];
                slot.state.store(kRevoking);
                if (authp_directory_token_revoke(dir, slot.key, std::strlen(slot.key)) == AUTHP_OK) {
                    slot.revoked_at.store(now_ns());
                    slot.state.store(kRevoked);
                    sh->revoked[id]++;
                } else {
                    slot.state.store(kLive);
                    sh->write_errors[id]++;
                    mine.push_back(r);
                }
            }
        }
    });
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {  // deciders
            std::mt19937 rng(static_cast<unsigned>(id * 104729 + t + 7));
            while (sh->stop.load() == 0) {
                const uint64_t n = std::min<uint64_t>(sh->next.load(), kSlots);
                if (n == 0) {
                    sleep_ms(1);
                    continue;
                }
                const uint64_t s = rng() % 2 == 0 ? n - 1 - rng() % std::min<uint64_t>(n, 64) : rng() % n;
                Slot& slot = sh->slots[s];
                const uint32_t s0 = slot.state.load();
                if (s0 == kEmpty) continue;
                const int64_t revoked_at = slot.revoked_at.load();
                const std::string key = slot.key;
                const int64_t d0 = now_ns();
                const Outcome o = decide_token(e, key);
                const uint32_t s1 = slot.state.load();
                sh->decisions[id]++;
                if (o.rc != AUTHP_OK || (o.status != 200 && o.status != 401)) {
                    sh->errors[id]++;
                    continue;
                }
                if (o.allowed() && s0 == kRevoked) {
                    sh->accepted_revoked[id]++;
                    atomic_max(sh->max_staleness_ns[id], d0 - revoked_at);
                    if (d0 > revoked_at + bound) sh->late_accepts[id]++;
                }
                if (!o.allowed() && s0 == kLive && s1 == kLive) sh->refused_live[id]++;
            }
        });
    }
    for (auto& th : threads) th.join();
    authp_directory_free(dir);
    authp_engine_free(e);
    return 0;
}

void run_concurrency() {
    const std::string secs_env = env("AUTHP_STRESS_SECONDS");
    const int seconds = secs_env.empty() ? 10 : std::atoi(secs_env.c_str());
    TestDb db;
    authp_directory* dir = directory_from(policy(db.url, 0));
    add_alice(dir);
    const std::string shm = "/tmp/authp-pgconc-" + db.name;
    Shared* sh = map_shared(shm, true);
    Child a = spawn({self_exe, "--worker", db.url, shm, "0"});
    Child b = spawn({self_exe, "--worker", db.url, shm, "1"});
    sleep_ms(seconds * 1000);
    sh->stop.store(1);
    check(wait_child(a.pid) == 0 && wait_child(b.pid) == 0, "both processes exit cleanly");
    std::fclose(a.in), std::fclose(b.in), std::fclose(a.out), std::fclose(b.out);

    uint64_t created = 0, revoked = 0;
    for (int p = 0; p < 2; ++p) {
        std::printf(
            "process %c: %llu tokens created, %llu revoked, %llu write errors; %llu decisions (%.0f/s), %llu errors; "
            "revoked tokens accepted: %llu (latest %.3f ms after the revocation returned), %llu after the bound; live "
            "tokens refused: %llu\n",
            'A' + p, (unsigned long long)sh->created[p].load(), (unsigned long long)sh->revoked[p].load(),
            (unsigned long long)sh->write_errors[p].load(), (unsigned long long)sh->decisions[p].load(),
            static_cast<double>(sh->decisions[p].load()) / seconds, (unsigned long long)sh->errors[p].load(),
            (unsigned long long)sh->accepted_revoked[p].load(), ms(sh->max_staleness_ns[p].load()),
            (unsigned long long)sh->late_accepts[p].load(), (unsigned long long)sh->refused_live[p].load());
        created += sh->created[p];
        revoked += sh->revoked[p];
        check(sh->errors[p] == 0 && sh->write_errors[p] == 0, "no failed call in process " + std::string(1, 'A' + p));
        check(sh->late_accepts[p] == 0,
              "no revoked token accepted after the bound in process " + std::string(1, 'A' + p));
        check(sh->refused_live[p] == 0, "no live token refused in process " + std::string(1, 'A' + p));
        check(sh->decisions[p] > 0 && sh->created[p] > 0, "process " + std::string(1, 'A' + p) + " did work");
    }
    const long long rows = std::atoll(Pg(db.url).q("SELECT count(*) FROM authp_token").c_str());
    check(rows == static_cast<long long>(created - revoked), "rows at the end (" + std::to_string(rows) +
                                                                 ") = created (" + std::to_string(created) +
                                                                 ") - revoked (" + std::to_string(revoked) + ")");
    // Every reported key as the writers left it: live ones accepted, revoked ones refused.
    authp_engine* e = engine_from(policy(db.url, 0));
    const uint64_t n = std::min<uint64_t>(sh->next.load(), kSlots);
    uint64_t wrong = 0, seen = 0;
    for (uint64_t s = 0; s < n; ++s) {
        const uint32_t st = sh->slots[s].state.load();
        if (st != kLive && st != kRevoked) continue;
        ++seen;
        const Outcome o = decide_token(e, sh->slots[s].key);
        if (o.allowed() != (st == kLive) || (st == kRevoked && o.status != 401)) ++wrong;
    }
    check(wrong == 0,
          "each of " + std::to_string(seen) + " keys is accepted iff live (" + std::to_string(wrong) + " wrong)");
    authp_engine_free(e);
    ::munmap(sh, sizeof(Shared));
    std::remove(shm.c_str());
    authp_directory_free(dir);
}

// --- faults: the listener killed; the server stopped under load and started again ---------------

void run_faults() {
    TestDb db;
    authp_directory* dir = directory_from(policy(db.url, 0));
    add_alice(dir);
    Pg admin(db.base);

    {  // The listener's backend terminated: caches dropped, listener back.
        authp_engine* e = engine_from(policy(db.url, 300));
        const std::string k1 = new_token(dir), k2 = new_token(dir);
        const std::string listener_sql = "SELECT pid FROM pg_stat_activity WHERE datname = '" + db.name +
                                         "' AND query LIKE 'LISTEN%' ORDER BY backend_start DESC LIMIT 1";
        std::string pid;
        check(until([&] { return !(pid = admin.q(listener_sql)).empty(); }, 3000) >= 0, "the engine's listener is up");
        sleep_ms(100);
        check(decide_token(e, k1).allowed(), "k1 accepted and cached");
        Pg(db.url).q("DELETE FROM authp_token WHERE digest = sha256('" + k1 + "'::bytea)");  // no notice
        check(decide_token(e, k1).allowed(), "k1's row deleted without a notice: still accepted from the cache");
        admin.q("SELECT pg_terminate_backend(" + pid + ")");
        const int64_t dropped = until([&] { return decide_token(e, k1).status == 401; }, 2000);
        check(dropped >= 0,
              "listener's backend terminated: caches dropped, k1 refused after " + std::to_string(ms(dropped)) + " ms");
        std::string pid2;
        const int64_t back = until([&] { return !(pid2 = admin.q(listener_sql)).empty() && pid2 != pid; }, 5000);
        check(back >= 0, "the listener is back on a new backend after " + std::to_string(ms(back)) + " ms");
        sleep_ms(50);
        check(decide_token(e, k2).allowed(), "k2 accepted and cached");
        const int64_t t0 = now_ns();
        check(authp_directory_token_revoke(dir, k2.data(), k2.size()) == AUTHP_OK, "k2 revoked in another handle");
        const int64_t seen = until([&] { return decide_token(e, k2).status == 401; }, 2000);
        check(seen >= 0 && now_ns() - t0 <= bound_ns() + 10000000,
              "the reconnected listener delivers: k2 refused " + std::to_string(ms(now_ns() - t0)) + " ms after");
        authp_engine_free(e);
    }

    {  // pg_ctl stop -m immediate under load, then start.
        const std::string key = new_token(dir);
        authp_engine* e0 = engine_from(policy(db.url, 0));
        authp_engine* e300 = engine_from(policy(db.url, 300));
        check(decide_token(e0, key).allowed() && decide_token(e300, key).allowed(), "both engines accept the token");
        struct Rec {
            int64_t t0, t1;
            Outcome o;
        };
        std::mutex m;
        std::vector<Rec> recs[2];
        std::atomic<bool> stop{false};
        std::vector<std::thread> load;
        for (int w = 0; w < 2; ++w)
            load.emplace_back([&, w] {
                const authp_engine* e = w == 0 ? e0 : e300;
                while (!stop.load()) {
                    const int64_t t0 = now_ns();
                    Outcome o = decide_token(e, key);
                    const int64_t t1 = now_ns();
                    {
                        std::lock_guard lock(m);
                        recs[w].push_back({t0, t1, o});
                    }
                    sleep_ms(2);
                }
            });
        sleep_ms(1000);
        const int64_t stop_begin = now_ns();
        server_stop();
        const int64_t stop_end = now_ns();
        sleep_ms(1500);
        const int64_t start_begin = now_ns();
        server_start();
        const int64_t start_end = now_ns();
        sleep_ms(3000);
        stop.store(true);
        for (auto& th : load) th.join();
        std::printf("stop took %.1f ms, outage %.1f ms, start took %.1f ms\n", ms(stop_end - stop_begin),
                    ms(start_begin - stop_end), ms(start_end - start_begin));
        for (int w = 0; w < 2; ++w) {
            const char* name = w == 0 ? "CACHE.TTL 0" : "CACHE.TTL 300";
            // The cached engine may answer from its cache until its listener sees the loss.
            const int64_t grace = w == 0 ? 0 : 100000000;
            int during = 0, during_ok = 0, before_wrong = 0, not_401 = 0, allowed_grace = 0;
            int64_t first_right = -1;
            for (const Rec& r : recs[w]) {
                if (r.o.status == 401 || (r.o.rc != AUTHP_OK && !r.o.unavailable())) ++not_401;
                if (r.t1 < stop_begin) before_wrong += !r.o.allowed();
                if (r.t0 >= stop_end && r.t1 <= start_begin) {
                    if (r.t0 < stop_end + grace && r.o.allowed()) {
                        ++allowed_grace;
                        continue;
                    }
                    ++during;
                    during_ok += r.o.unavailable();
                }
                if (r.t0 >= start_end && first_right < 0 && r.o.allowed()) first_right = r.t1 - start_end;
            }
            bool right_after = first_right >= 0;
            for (const Rec& r : recs[w])
                if (first_right >= 0 && r.t0 >= start_end + first_right && !r.o.allowed()) right_after = false;
            check(before_wrong == 0, std::string(name) + ": all allowed before the stop");
            check(during > 0 && during == during_ok,
                  std::string(name) + ": every decision during the outage is a 503 AUTHP_ESTORE (" +
                      std::to_string(during_ok) + "/" + std::to_string(during) +
                      "; allowed from the cache in the first " + std::to_string(ms(grace)) +
                      " ms: " + std::to_string(allowed_grace) + ")");
            check(not_401 == 0, std::string(name) + ": never a 401 for the valid token, never another error");
            check(right_after && first_right <= kRecoveryNs, std::string(name) + ": right again " +
                                                                 std::to_string(ms(first_right)) +
                                                                 " ms after the server was back, and from then on");
        }
        authp_engine_free(e0);
        authp_engine_free(e300);
    }

    {  // An engine made while the server is down, then the server comes back: no restart needed.
        authp_engine* setup = engine_from(policy(db.url, 0));
        const std::string session = new_session(setup);
        authp_engine_free(setup);
        const std::string key = new_token(dir);
        server_stop();
        authp_engine* e = engine_from(policy(db.url, 300));
        check(e != nullptr, "an engine is made while the server is stopped");
        const Outcome t = decide_token(e, key), b = decide_basic(e), s = decide_session(e, session);
        check(t.unavailable() && b.unavailable() && s.unavailable(),
              "server stopped: Token " + t.str() + ", Basic " + b.str() + ", Session " + s.str());
        sleep_ms(1000);
        server_start();
        const int64_t back = until([&] { return decide_token(e, key).allowed(); }, 5000);
        check(back >= 0 && back <= kRecoveryNs,
              "server started: right again after " + std::to_string(ms(back)) + " ms");
        check(decide_basic(e).allowed() && decide_session(e, session).allowed(), "Basic and Session too");
        const Outcome bad = decide_token(e, std::string(40, 'a'));
        check(bad.rc == AUTHP_OK && bad.status == 401, "an unknown token is a 401 again: " + bad.str());
        authp_engine_free(e);
    }
    authp_directory_free(dir);
}

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);
    self_exe = argv[0][0] == '/' ? argv[0] : std::string(::getcwd(nullptr, 0)) + "/" + argv[0];
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "--decider" && argc == 3) return role_decider(argv[2]);
    if (mode == "--worker" && argc == 5) return role_worker(argv[2], argv[3], std::atoi(argv[4]));
    if (env("AUTHP_TEST_PG_URL").empty()) {
        std::printf(
            "FAIL - AUTHP_TEST_PG_URL is not set; start a cluster: eval \"$(bash scripts/pg-cluster.sh start "
            "/tmp/x)\"\n");
        return 1;
    }
    std::string cli;
    for (int i = 2; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--cli") cli = argv[i + 1];
    if (mode == "failure") {
        run_failure();
    } else if (mode == "propagation") {
        const int n = argc > 2 && argv[2][0] != '-' ? std::atoi(argv[2]) : 200;
        run_propagation(n, cli);
    } else if (mode == "concurrency") {
        run_concurrency();
    } else if (mode == "faults") {
        run_faults();
    } else {
        std::fprintf(stderr, "usage: %s failure | propagation [N] [--cli PATH] | concurrency | faults\n", argv[0]);
        return 2;
    }
    std::printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
