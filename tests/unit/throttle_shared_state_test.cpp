// Throttle state shared across processes (SQLite) and machines (Redis): exact admission under
// contention, and Redis failures handled by the failure mode without hanging.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "core/common/error.h"
#include "login_failure_scenario.h"
#include "loopback_port.h"
#include "redis_server.h"
#include "shared_state_hammer.h"
#include "test_support.h"

using authp_test::anon;
using authp_test::Fixture;
using authp_test::hammer;
using authp_test::RedisServer;

namespace {

std::string redis_config(int port, const char* mode, const char* rate) {
    return std::string(R"({"THROTTLE_BACKEND": {"TYPE": "redis", "PORT": )") + std::to_string(port) +
           R"(, "TIMEOUT_MS": 200, "RETRY_AFTER": 0, "FAILURE_MODE": ")" + mode +
           R"("}, "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": ")" + rate +
           R"("}})";
}

}  // namespace

TEST_CASE("Redis: DRF's sliding log, the §5.2 trace") {
    const int port = authp_test::unused_loopback_port();
    RedisServer server(port);
    Fixture f(redis_config(port, "closed", "3/min"));
    authp_test::check_sliding_log_trace(f);
}

TEST_CASE("shared state: 4 processes × 4 threads × 100 requests against 1000/day admit exactly 1000") {
    SUBCASE("SQLite") {
        char tmpl[] = "/tmp/authp-shared-XXXXXX";
        const std::string dir = mkdtemp(tmpl);
        const std::string config = R"({"DATABASE": ")" + dir + R"(/t.sqlite3", "DATABASE_BUSY_TIMEOUT_MS": 30000,
            "THROTTLE_BACKEND": {"TYPE": "sqlite"}, "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"],
            "DEFAULT_THROTTLE_RATES": {"anon": "1000/day"}})";
        { Fixture create(config); }  // schema first, so children do not race to create it
        CHECK(hammer(config, 4, 4, 100) == 1000);
        std::filesystem::remove_all(dir);
    }
    SUBCASE("Redis") {
        const int port = authp_test::unused_loopback_port();
        RedisServer server(port);
        CHECK(hammer(redis_config(port, "closed", "1000/day"), 4, 4, 100) == 1000);
    }
}

TEST_CASE("Redis stopped mid-run: fail-open allows, fail-closed refuses, neither hangs; both recover") {
    const int port = authp_test::unused_loopback_port();
    RedisServer server(port);
    std::vector<std::string> log;
    authpolicy::HostHooks hooks;
    hooks.logger = authpolicy::LogFn([&log](authpolicy::LogLevel, std::string_view m) { log.emplace_back(m); });
    Fixture open(redis_config(port, "open", "2/min"), hooks);
    Fixture closed(redis_config(port, "closed", "2/min"), hooks);
    CHECK(anon(open, 0).status == 200);
    CHECK(anon(open, 0).status == 200);
    CHECK(anon(open, 0).status == 429);

    server.stop();
    const auto start = std::chrono::steady_clock::now();
    CHECK(anon(open, 1).status == 200);                   // fail-open: not throttled
    CHECK_THROWS_AS(anon(closed, 1), authpolicy::Error);  // fail-closed: the C API turns this into a 503
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(took < 5.0);  // bounded by the 200 ms timeouts, never a hang
    REQUIRE(log.size() >= 1);
    CHECK(log[0].find("unavailable") != std::string::npos);
    CHECK(log[0].find("failing open") != std::string::npos);

    server.start();  // the data is gone with the process: counting starts again
    CHECK(anon(open, 2).status == 200);
    CHECK(anon(open, 2).status == 200);
    CHECK(anon(open, 2).status == 429);
    bool recovered = false;
    for (const auto& line : log) recovered = recovered || line.find("recovered") != std::string::npos;
    CHECK(recovered);
}

TEST_CASE("finding 22.13: failed logins are throttled per (username, client) pair (Redis counters)") {
    const int port = authp_test::unused_loopback_port();
    RedisServer redis(port);
    authp_test::check_login_failures(R"({"TYPE": "redis", "PORT": )" + std::to_string(port) + "}");
}
