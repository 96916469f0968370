// Throttling through the engine: DRF's tests/test_throttling.py (drf-spec §8.4) and the worked
// trace of §5.2, plus atomicity and GCRA.
#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "core/common/error.h"
#include "core/throttle/memory_throttle_store.h"
#include "core/throttle/throttle.h"
#include "test_support.h"

using authp_test::basic;
using authp_test::Fixture;
using authp_test::header;

namespace {

authpolicy::Decision hit(Fixture& f, double t, const std::string& view = "", const std::string& auth = "",
                         const char* remote = "127.0.0.1") {
    f.clock->set(t);
    auto r = authp_test::request(auth, "GET", view);
    r.set_remote_addr(remote);
    return f.decide(r);
}

}  // namespace

TEST_CASE("test_requests_are_throttled: 4th request on 3/sec → 429") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/sec", "scope": "seconds"}]})");
    for (int i = 0; i < 3; ++i) CHECK(hit(f, 0).status == 200);
    const auto d = hit(f, 0);
    CHECK(d.status == 429);
    CHECK(d.code == "throttled");
    CHECK(d.detail == "Request was throttled. Expected available in 1 second.");
    CHECK(header(d, "Retry-After") == "1");
}

TEST_CASE("test_request_throttling_expires") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/sec", "scope": "seconds"}]})");
    for (int i = 0; i < 3; ++i) hit(f, 0);
    CHECK(hit(f, 0).status == 429);
    CHECK(hit(f, 1).status == 200);  // entries at 0 <= 1 - 1 are dropped
}

TEST_CASE("test_request_throttling_is_per_user") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/min", "scope": "minutes"}]})");
    f.add_user("a", "pw");
    f.add_user("b", "pw");
    for (int i = 0; i < 3; ++i) CHECK(hit(f, 0, "", basic("a:pw")).status == 200);
    CHECK(hit(f, 0, "", basic("a:pw")).status == 429);
    CHECK(hit(f, 0, "", basic("b:pw")).status == 200);
}

TEST_CASE("the §5.2 worked trace: 3/min anonymous") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}})");
    struct Step {
        double t;
        int status;
        std::string retry_after;
        std::string detail;
    };
    const Step steps[] = {
        {0, 200, "<absent>", ""},
        {10, 200, "<absent>", ""},
        {20, 200, "<absent>", ""},
        {30, 429, "30", "Request was throttled. Expected available in 30 seconds."},
        {59.9, 429, "1", "Request was throttled. Expected available in 1 second."},
        {60, 200, "<absent>", ""},
        {61, 429, "9", "Request was throttled. Expected available in 9 seconds."},
        {69, 429, "1", "Request was throttled. Expected available in 1 second."},
        {70, 200, "<absent>", ""},
        {80, 200, "<absent>", ""},
        {80, 429, "40", "Request was throttled. Expected available in 40 seconds."},
    };
    for (const auto& s : steps) {
        CAPTURE(s.t);
        const auto d = hit(f, s.t);
        CHECK(d.status == s.status);
        CHECK(header(d, "Retry-After") == s.retry_after);
        CHECK(d.detail == s.detail);
    }
}

TEST_CASE("test_request_throttling_multiple_throttles: every throttle runs; the longest wait wins") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/sec", "scope": "seconds"},
                                               {"class": "UserRateThrottle", "rate": "6/min", "scope": "minutes"}]})");
    for (int i = 0; i < 3; ++i) CHECK(hit(f, 0).status == 200);
    auto d = hit(f, 0);
    CHECK(d.status == 429);
    CHECK(header(d, "Retry-After") == "1");
    CHECK(hit(f, 1).status == 200);
    CHECK(hit(f, 1).status == 200);
    d = hit(f, 1);
    CHECK(d.status == 429);
    CHECK(header(d, "Retry-After") == "59");
    d = hit(f, 2);
    CHECK(d.status == 429);
    CHECK(header(d, "Retry-After") == "58");
}

TEST_CASE("test_throttle_rate_change_negative: a lowered rate gives wait() = None, dropped from the max") {
    // The SQLite store outlives the engine, so the second engine sees the first one's history
    // under the same scopes, as DRF's shared cache does when a deployment lowers a rate.
    char tmpl[] = "/tmp/authp-rate-change-XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    const std::string common = R"("DATABASE": ")" + dir + R"(/t.sqlite3", "THROTTLE_BACKEND": {"TYPE": "sqlite"})";
    {
        Fixture f("{" + common + R"(, "DEFAULT_THROTTLE_CLASSES": [
            {"class": "UserRateThrottle", "rate": "3/sec", "scope": "seconds"},
            {"class": "UserRateThrottle", "rate": "6/min", "scope": "minutes"}]})");
        for (int i = 0; i < 24; ++i) hit(f, 0);
        CHECK(header(hit(f, 0), "Retry-After") == "60");
    }
    Fixture lowered("{" + common + R"(, "DEFAULT_THROTTLE_CLASSES": [
        {"class": "UserRateThrottle", "rate": "1/sec", "scope": "seconds"},
        {"class": "UserRateThrottle", "rate": "6/min", "scope": "minutes"}]})");
    for (int i = 0; i < 24; ++i) {
        const auto d = hit(lowered, 0);
        CHECK(d.status == 429);
        CHECK(header(d, "Retry-After") == "60");  // the 1/sec throttle's wait is None and dropped
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("test_seconds_fields / test_minutes_fields / test_next_rate_remains_constant_if_followed") {
    Fixture sec(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/sec", "scope": "s"}]})");
    for (int i = 0; i < 3; ++i) CHECK(header(hit(sec, 0), "Retry-After") == "<absent>");
    CHECK(header(hit(sec, 0), "Retry-After") == "1");
    Fixture min(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/min", "scope": "m"}]})");
    for (int i = 0; i < 3; ++i) CHECK(header(hit(min, 0), "Retry-After") == "<absent>");
    CHECK(header(hit(min, 0), "Retry-After") == "60");
    Fixture follow(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "3/min", "scope": "m"}]})");
    for (double t : {0, 20, 40, 60, 80}) CHECK(hit(follow, t).status == 200);
}

TEST_CASE("test_scoped_rate_throttle and test_unscoped_view_not_throttled") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": ["ScopedRateThrottle"],
                  "DEFAULT_THROTTLE_RATES": {"x": "3/min", "y": "1/min"},
                  "VIEWS": {"x": {"throttle_scope": "x"}, "y": {"throttle_scope": "y"}, "free": {}}})");
    double t = 0;
    for (int expected : {200, 200, 200, 429}) CHECK(hit(f, t += 1, "x").status == expected);
    for (int expected : {200, 429}) CHECK(hit(f, t += 1, "y").status == expected);
    t += 55;
    for (int expected : {200, 200, 200, 429}) CHECK(hit(f, t += 1, "x").status == expected);
    for (int expected : {200, 429}) CHECK(hit(f, t += 1, "y").status == expected);
    for (int i = 0; i < 10; ++i) CHECK(hit(f, t, "free").status == 200);
}

TEST_CASE("views sharing a scope share a bucket (test_throttle_scope)") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": ["ScopedRateThrottle"], "DEFAULT_THROTTLE_RATES": {"x": "1/day"},
                  "VIEWS": {"a": {"throttle_scope": "x"}, "b": {"throttle_scope": "x"}}})");
    CHECK(hit(f, 0, "a").status == 200);
    CHECK(hit(f, 0, "b").status == 429);
}

TEST_CASE("AnonRateThrottle leaves authenticated users alone; requests denied by permissions are not counted") {
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"],
                  "DEFAULT_THROTTLE_RATES": {"anon": "1/day"}, "VIEWS": {"open": {"permission_classes": ["AllowAny"]}}})");
    f.add_user("a", "pw");
    for (int i = 0; i < 5; ++i) CHECK(hit(f, 0, "", basic("a:pw")).status == 200);
    for (int i = 0; i < 5; ++i) CHECK(hit(f, 0).status == 401);  // denied by permissions first
    CHECK(hit(f, 0, "open").status == 200);
    CHECK(hit(f, 0, "open").status == 429);
}

TEST_CASE("XFF spoofing with NUM_PROXIES=1 does not change the machine id (IdWithXffBasicTests)") {
    Fixture f(R"({"NUM_PROXIES": 1, "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"],
                  "DEFAULT_THROTTLE_RATES": {"anon": "1/day"}})");
    auto r = authp_test::request();
    r.set_remote_addr("3.3.3.3");
    r.add_header("X-Forwarded-For", "0.0.0.0, 1.1.1.1, 2.2.2.2");
    CHECK(f.decide(r).status == 200);
    auto spoof = authp_test::request();
    spoof.set_remote_addr("3.3.3.3");
    spoof.add_header("X-Forwarded-For", "4.4.4.4, 5.5.5.5, 2.2.2.2");
    CHECK(f.decide(spoof).status == 429);
    auto other = authp_test::request();
    other.set_remote_addr("3.3.3.3");
    other.add_header("X-Forwarded-For", "0.0.0.0, 1.1.1.1, 7.7.7.7");
    CHECK(f.decide(other).status == 200);
}

TEST_CASE("a null rate disables a throttle; a scope without a rate is a configuration error") {
    Fixture off(R"({"DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle", "UserRateThrottle"]})");  // rates default to null
    for (int i = 0; i < 20; ++i) CHECK(hit(off, 0).status == 200);
    CHECK_THROWS_WITH_AS(Fixture(R"({"DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"],
                                     "DEFAULT_THROTTLE_RATES": {"user": "1/s"}})"),
                         doctest::Contains("No default throttle rate set for 'anon' scope"), authpolicy::Error);
    CHECK_THROWS_WITH_AS(Fixture(R"({"DEFAULT_THROTTLE_CLASSES": ["ScopedRateThrottle"],
                                     "VIEWS": {"v": {"throttle_scope": "uploads"}}})"),
                         doctest::Contains("$.VIEWS.v.throttle_scope"), authpolicy::Error);
    CHECK_THROWS_WITH_AS(Fixture(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "UserRateThrottle", "rate": "1/w"}]})"),
                         doctest::Contains("period must start with s, m, h or d"), authpolicy::Error);
}

TEST_CASE("throttled detail wording (test_get_full_details_with_throttling)") {
    using authpolicy::throttle::throttled_detail;
    CHECK(throttled_detail(std::nullopt) == "Request was throttled.");
    CHECK(throttled_detail(0.0) == "Request was throttled. Expected available in 0 seconds.");
    CHECK(throttled_detail(0.2) == "Request was throttled. Expected available in 1 second.");
    CHECK(throttled_detail(1.0) == "Request was throttled. Expected available in 1 second.");
    CHECK(throttled_detail(1.0001) == "Request was throttled. Expected available in 2 seconds.");
    CHECK(throttled_detail(59.5) == "Request was throttled. Expected available in 60 seconds.");
}

TEST_CASE("GCRA: a burst, then one request per emission interval") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": [{"class": "GCRARateThrottle", "rate": "10/s", "burst": 3}]})");
    for (int i = 0; i < 3; ++i) CHECK(hit(f, 100).status == 200);
    auto d = hit(f, 100);
    CHECK(d.status == 429);
    CHECK(header(d, "Retry-After") == "1");  // ceil(0.1)
    CHECK(hit(f, 100.1).status == 200);
    CHECK(hit(f, 100.1).status == 429);
}

TEST_CASE("atomic: 8 threads × 500 requests against 1000/day admit exactly 1000 (memory and SQLite)") {
    for (const char* backend : {"memory", "sqlite"}) {
        CAPTURE(backend);
        char tmpl[] = "/tmp/authp-throttle-XXXXXX";
        const std::string dir = mkdtemp(tmpl);
        Fixture f(
            std::string(R"({"DATABASE": ")") + dir + R"(/t.sqlite3", "THROTTLE_BACKEND": {"TYPE": ")" + backend +
            R"("}, "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "1000/day"}})");
        std::atomic<int> allowed{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 500; ++i) {
                    auto r = authp_test::request();
                    r.set_remote_addr("10.0.0.1");
                    authpolicy::AuthState s;
                    if (f.engine->evaluate(r, s).allowed) ++allowed;
                }
            });
        }
        for (auto& th : threads) th.join();
        CHECK(allowed.load() == 1000);
        std::filesystem::remove_all(dir);
    }
}

TEST_CASE("the memory store stays bounded: idle keys are evicted first") {
    authpolicy::throttle::MemoryThrottleStore store(64);
    for (int i = 0; i < 10000; ++i) store.sliding_log("k" + std::to_string(i), i, 5, 1);
    CHECK(store.size() <= 64 + 32);
}
