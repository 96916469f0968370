// THROTTLE_BACKEND "postgresql" and LOGIN_FAILURES counters on PostgreSQL, against a real server:
// DRF's sliding log, exact admission across processes, and the configuration's refusals.
#include <doctest/doctest.h>

#include "core/common/error.h"
#include "core/engine/config.h"
#include "login_failure_scenario.h"
#include "shared_state_hammer.h"
#include "tests/postgres/pg_test_db.h"

using authp_pg_test::TestDb;
using authp_test::anon;
using authp_test::Fixture;

namespace {

std::string pg_throttle_config(const TestDb& db, const char* rate) {
    return R"({"DATABASE": ")" + db.url + R"(", "THROTTLE_BACKEND": {"TYPE": "postgresql", "FAILURE_MODE": "closed"},
               "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": ")" +
           rate + R"("}})";
}

}  // namespace

TEST_CASE("PostgreSQL throttle: DRF's sliding log, the §5.2 trace") {
    TestDb db;
    Fixture f(pg_throttle_config(db, "3/min"));
    authp_test::check_sliding_log_trace(f);
}

TEST_CASE("PostgreSQL throttle: 4 processes × 4 threads × 100 requests against 1000/day admit exactly 1000") {
    TestDb db;
    const std::string config = pg_throttle_config(db, "1000/day");
    { Fixture create(config); }
    CHECK(authp_test::hammer(config, 4, 4, 100) == 1000);
}

TEST_CASE("PostgreSQL throttle: its own URL beside a SQLite DATABASE") {
    TestDb db;
    Fixture f(R"({"THROTTLE_BACKEND": {"TYPE": "postgresql", "URL": ")" + db.url + R"("},
                  "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "1/min"}})");
    CHECK(anon(f, 0).status == 200);
    CHECK(anon(f, 1).status == 429);
}

TEST_CASE("finding 22.13 on PostgreSQL: failed logins are throttled per (username, client) pair") {
    TestDb db;
    authp_test::check_login_failures(R"({"TYPE": "postgresql"})", db.url);
}

TEST_CASE("PostgreSQL throttle: the configuration's refusals") {
    const auto refusal = [](const std::string& json) {
        try {
            authpolicy::parse_config_text(json, "");
        } catch (const authpolicy::Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(refusal(R"({"DATABASE": "postgresql://u@h/db", "THROTTLE_BACKEND": {"TYPE": "sqlite"}})")
              .find("$.THROTTLE_BACKEND.TYPE") != std::string::npos);
    CHECK(refusal(R"({"THROTTLE_BACKEND": {"TYPE": "postgresql"}})").find("$.THROTTLE_BACKEND.URL") !=
          std::string::npos);
    CHECK(refusal(R"({"THROTTLE_BACKEND": {"TYPE": "redis", "URL": "postgresql://u@h/db"}})").find("applies to") !=
          std::string::npos);
    CHECK(refusal(R"({"THROTTLE_BACKEND": {"TYPE": "postgresql", "URL": "db.sqlite3"}})")
              .find("$.THROTTLE_BACKEND.URL") != std::string::npos);
    CHECK(refusal(R"({"DATABASE_OPTIONS": {"POOL_SIZE": 2}})").find("$.DATABASE_OPTIONS") != std::string::npos);
    CHECK(refusal(R"({"DATABASE": "postgresql://u@h/db", "DATABASE_OPTIONS": {"POOL": 2}})")
              .find("$.DATABASE_OPTIONS.POOL") != std::string::npos);
}
