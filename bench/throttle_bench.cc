// Throttle costs through the C API: what an in-memory throttle adds to a decision, and the
// latency of a Redis-backed decision over loopback (p50/p99). Figures: docs/performance.md.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "authpolicy.h"

extern char** environ;

namespace {

void check(int rc, const char* what) {
    if (rc != AUTHP_OK) {
        std::fprintf(stderr, "throttle_bench: %s: %s\n", what, authp_error_last());
        std::exit(1);
    }
}

authp_engine* make_engine(const std::string& json) {
    authp_config* cfg = nullptr;
    check(authp_config_new(&cfg), "config");
    check(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "load");
    authp_engine* engine = nullptr;
    check(authp_engine_new(&engine, cfg), "engine");
    authp_config_free(cfg);
    return engine;
}

// One anonymous decision from `addr` on an AllowAny view.
int decide(authp_engine* engine, authp_request* req, const std::string& addr) {
    authp_request_reset(req);
    authp_request_set_remote_addr(req, addr.data(), addr.size());
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    const int status = rc == AUTHP_OK ? authp_decision_status(d) : -1;
    authp_decision_free(d);
    return status;
}

std::vector<std::string> addresses(size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i)
        out.push_back("10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." +
                      std::to_string(i % 256));
    return out;
}

void run_anonymous(benchmark::State& state, const std::string& throttles) {
    authp_engine* engine =
        make_engine(R"({"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": ["AllowAny"],
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "gcra": "1000/min"}, "DEFAULT_THROTTLE_CLASSES": )" +
                    throttles + "}");
    authp_request* req = nullptr;
    check(authp_request_new(&req, engine), "request");
    const auto addrs = addresses(10000);  // 10,000 clients, so most requests are admitted
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(decide(engine, req, addrs[i]));
        i = (i + 1) % addrs.size();
    }
    authp_request_free(req);
    authp_engine_free(engine);
}

void BM_AnonymousNoThrottle(benchmark::State& state) {
    run_anonymous(state, "[]");
}
void BM_AnonymousSlidingLogMemory(benchmark::State& state) {
    run_anonymous(state, R"(["AnonRateThrottle"])");
}
void BM_AnonymousGcraMemory(benchmark::State& state) {
    run_anonymous(state, R"([{"class": "GCRARateThrottle", "scope": "gcra"}])");
}

int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
}

// Each iteration timed on its own so the percentiles of single decisions can be reported.
void BM_AnonymousSlidingLogRedis(benchmark::State& state) {
    const int port = free_port();
    const std::string p = std::to_string(port);
    const char* argv[] = {"redis-server", "--port", p.c_str(),   "--bind",    "127.0.0.1", "--save", "",
                          "--appendonly", "no",     "--logfile", "/dev/null", nullptr};
    pid_t pid = -1;
    if (posix_spawnp(&pid, "redis-server", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
        state.SkipWithError("redis-server is not installed");
        return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    authp_engine* engine =
        make_engine(R"({"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": ["AllowAny"],
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min"}, "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"],
        "THROTTLE_BACKEND": {"TYPE": "redis", "PORT": )" +
                    p + R"(, "FAILURE_MODE": "closed"}})");
    authp_request* req = nullptr;
    check(authp_request_new(&req, engine), "request");
    const auto addrs = addresses(10000);
    std::vector<double> micros;
    size_t i = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const int status = decide(engine, req, addrs[i]);
        const auto t1 = std::chrono::steady_clock::now();
        if (status != 200 && status != 429) {
            state.SkipWithError("redis decision failed");
            break;
        }
        const double us = std::chrono::duration<double, std::micro>(t1 - t0).count();
        micros.push_back(us);
        state.SetIterationTime(us / 1e6);
        i = (i + 1) % addrs.size();
    }
    if (!micros.empty()) {
        std::sort(micros.begin(), micros.end());
        state.counters["p50_us"] = micros[micros.size() / 2];
        state.counters["p99_us"] = micros[micros.size() * 99 / 100];
    }
    authp_request_free(req);
    authp_engine_free(engine);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
}

}  // namespace

BENCHMARK(BM_AnonymousNoThrottle);
BENCHMARK(BM_AnonymousSlidingLogMemory);
BENCHMARK(BM_AnonymousGcraMemory);
BENCHMARK(BM_AnonymousSlidingLogRedis)->UseManualTime()->Iterations(20000);
BENCHMARK_MAIN();
