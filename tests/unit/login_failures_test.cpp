// LOGIN_FAILURES (issue 22 finding 13): brute-force protection for Basic logins.
#include <doctest/doctest.h>

#include <filesystem>

#include "core/common/error.h"
#include "login_failure_scenario.h"

using authp_test::basic;
using authp_test::Fixture;

TEST_CASE("finding 22.13: failed logins are throttled per (username, client) pair (memory counters)") {
    authp_test::check_login_failures("");
}

TEST_CASE("finding 22.13: failed logins are throttled per (username, client) pair (SQLite counters)") {
    const auto dir = std::filesystem::temp_directory_path() / ("authp_login_failures_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    authp_test::check_login_failures(R"({"TYPE": "sqlite"})", (dir / "db.sqlite3").string());
    std::filesystem::remove_all(dir);
}

TEST_CASE("finding 22.13: LOGIN_FAILURES is on by default and \"LOGIN_FAILURES\": null is DRF's behaviour") {
    Fixture on(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
    Fixture off(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "LOGIN_FAILURES": null})");
    on.add_user("alice", "right");
    off.add_user("alice", "right");
    for (int i = 0; i < 10; ++i) {
        CHECK(on.decide(basic("alice:guess")).status == 401);
        CHECK(off.decide(basic("alice:guess")).status == 401);
    }
    CHECK(on.decide(basic("alice:guess")).status == 429);  // the default LIMIT is 10
    for (int i = 0; i < 30; ++i) CHECK(off.decide(basic("alice:guess")).status == 401);
    CHECK(off.decide(basic("alice:right")).status == 200);
}

TEST_CASE("finding 22.13: LOGIN_FAILURES is validated") {
    for (const char* bad : {R"({"LOGIN_FAILURES": {"LIMIT": 0}})", R"({"LOGIN_FAILURES": {"WINDOW": "1"}})",
                            R"({"LOGIN_FAILURES": {"LIMIT": 1.5}})", R"({"LOGIN_FAILURES": {"OTHER": 1}})",
                            R"({"LOGIN_FAILURES": true})"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(Fixture{bad}, authpolicy::Error);
    }
}
