// DPOP_REPLAY_BACKEND "postgresql" against a real server: the DPoP replay cases with two engines
// on one database (the cross-server replay), expiry and bounded purges, one acceptance under
// contention, and the safe denial (Error Store) when the database is slow or stopped, with no
// password in any message.
#include <doctest/doctest.h>

#include <stdio.h>

#include <chrono>
#include <cstdlib>

#include "core/authn/postgres_dpop_replay_store.h"
#include "core/common/error.h"
#include "core/directory/postgres/pg_pool.h"
#include "core/directory/postgres/pg_schema.h"
#include "dpop_replay_scenario.h"
#include "loopback_port.h"
#include "tests/postgres/pg_test_db.h"

using authp_dpop_test::check_dpop_expiry;
using authp_dpop_test::check_dpop_one_fresh;
using authp_dpop_test::check_dpop_replay;
using authp_dpop_test::Env;
using authp_dpop_test::failing_decision;
using authp_dpop_test::Failure;
using authp_dpop_test::proof;
using authp_dpop_test::request;
using authp_pg_test::TestDb;
using authpolicy::authn::PostgresDpopReplayStore;
using nlohmann::json;
using Result = authpolicy::authn::DpopReplayStore::Result;

namespace {

json shared_backend(const TestDb& db, json options = nullptr) {
    json top = {{"DATABASE", db.url}, {"DPOP_REPLAY_BACKEND", {{"TYPE", "postgresql"}}}};
    if (!options.is_null()) top["DATABASE_OPTIONS"] = options;
    return top;
}

long rows(const TestDb& db) {
    return static_cast<long>(
        authp_pg_test::connect(db.url)->exec_script("SELECT count(*) FROM authp_dpop_jti").int64(0, 0));
}

// A private cluster (scripts/pg-cluster.sh) that a test may stop without disturbing the others.
struct PrivateCluster {
    std::string dir = "/tmp/authp-dpop-" + authpolicy::crypto::random_hex(6);
    std::string url;
    PrivateCluster() {
        FILE* out =
            popen(("bash " AUTHP_SOURCE_DIR "/scripts/pg-cluster.sh start " + dir + " 2>/dev/null").c_str(), "r");
        REQUIRE(out != nullptr);
        std::string text;
        char buf[512];
        while (fgets(buf, sizeof buf, out) != nullptr) text += buf;
        REQUIRE(pclose(out) == 0);
        const std::string tag = "AUTHP_TEST_PG_URL='";
        const size_t at = text.find(tag);
        REQUIRE(at != std::string::npos);
        url = text.substr(at + tag.size(), text.find('\'', at + tag.size()) - at - tag.size());
    }
    void stop() {
        if (!dir.empty())
            CHECK(std::system(
                      ("bash " AUTHP_SOURCE_DIR "/scripts/pg-cluster.sh stop " + dir + " 2>/dev/null").c_str()) == 0);
        dir.clear();
    }
    ~PrivateCluster() { stop(); }
};

}  // namespace

TEST_CASE("PostgreSQL DPoP replay: two engines on the directory's database refuse each other's proofs") {
    TestDb db;
    check_dpop_replay(shared_backend(db), true);
    PostgresDpopReplayStore store(db.options());
    check_dpop_expiry(store);
    check_dpop_one_fresh(store);
    // Schema step 4 made the table.
    authpolicy::directory::postgres::PgPool pool(db.options());
    CHECK(pool.read([](authpolicy::directory::postgres::PgConnection& c) {
        return authpolicy::directory::postgres::pg_schema_version(c);
    }) == 4);
}

TEST_CASE("PostgreSQL DPoP replay: its own URL (and URL_OPTIONS) beside a SQLite DATABASE") {
    TestDb db;
    check_dpop_replay(json{{"DPOP_REPLAY_BACKEND",
                            {{"TYPE", "postgresql"}, {"URL", db.url}, {"URL_OPTIONS", {{"STATEMENT_TIMEOUT", 2}}}}}},
                      true);
    CHECK(rows(db) >= 3);
}

TEST_CASE("PostgreSQL DPoP replay: expired rows are purged in bounded batches, and on the way") {
    TestDb db;
    PostgresDpopReplayStore store(db.options());
    // 1500 rows that expire at 100, 10 that live on.
    for (int i = 0; i < 1510; ++i) {
        const auto d = authpolicy::crypto::sha256("row-" + std::to_string(i));
        REQUIRE(store.remember(d, i < 1500 ? 100 : 1e12, 50) == Result::Fresh);
    }
    CHECK(rows(db) == 1510);
    CHECK(store.purge(99) == 0);  // nothing expired yet
    CHECK(store.purge(200) == static_cast<long>(PostgresDpopReplayStore::kPurgeBatch));
    CHECK(store.purge(200) == 500);
    CHECK(store.purge(200) == 0);
    CHECK(rows(db) == 10);

    // A fresh store purges by itself every kPurgeEvery proofs.
    PostgresDpopReplayStore again(db.options());
    for (unsigned i = 0; i + 1 < PostgresDpopReplayStore::kPurgeEvery; ++i)
        REQUIRE(again.remember(authpolicy::crypto::sha256("old-" + std::to_string(i)), 300, 250) == Result::Fresh);
    CHECK(rows(db) == 10 + static_cast<long>(PostgresDpopReplayStore::kPurgeEvery) - 1);
    REQUIRE(again.remember(authpolicy::crypto::sha256("new"), 1e12, 400) == Result::Fresh);
    CHECK(rows(db) == 11);
    // An expired row not yet purged is taken over, not mistaken for a replay.
    const auto d = authpolicy::crypto::sha256("taken-over");
    CHECK(again.remember(d, 500, 450) == Result::Fresh);
    CHECK(again.remember(d, 500, 460) == Result::Replayed);
    CHECK(again.remember(d, 700, 600) == Result::Fresh);
}

TEST_CASE("PostgreSQL DPoP replay: a slow database (a locked table) is the safe denial within STATEMENT_TIMEOUT") {
    TestDb db;
    Env env(json{{"dpop", "required"}}, shared_backend(db, {{"STATEMENT_TIMEOUT", 0.5}}));
    const std::string token = env.bound_token();
    CHECK(env.decide(request("DPoP " + token, proof(env.client, token))).allowed);
    auto holder = authp_pg_test::connect(db.url);
    holder->exec_script("BEGIN; LOCK TABLE authp_dpop_jti IN ACCESS EXCLUSIVE MODE");
    const Failure slow = failing_decision(env);
    CHECK(slow.code == authpolicy::ErrorCode::Store);
    CHECK(slow.seconds < 3.0);
    holder->exec_script("ROLLBACK");
    CHECK(env.decide(request("DPoP " + token, proof(env.client, token))).allowed);
}

TEST_CASE("PostgreSQL DPoP replay: the database stopped or unreachable is the safe denial, no password shown") {
    PrivateCluster cluster;
    const std::string password = authp_pg_test::url_password(cluster.url);
    REQUIRE(password.size() >= 8);
    Env env(json{{"dpop", "required"}},
            json{{"DPOP_REPLAY_BACKEND",
                  {{"TYPE", "postgresql"}, {"URL", cluster.url}, {"URL_OPTIONS", {{"CONNECT_TIMEOUT", 2}}}}}});
    const std::string token = env.bound_token();
    const std::string accepted = proof(env.client, token);
    CHECK(env.decide(request("DPoP " + token, accepted)).allowed);

    cluster.stop();
    const Failure down = failing_decision(env);
    CAPTURE(down.message);
    CHECK(down.code == authpolicy::ErrorCode::Store);
    CHECK(down.message.find(password) == std::string::npos);
    CHECK(down.seconds < 5.0);
    CHECK_THROWS_AS(env.decide(request("DPoP " + token, accepted)), authpolicy::Error);

    // Nothing listening at all: refused at once, the password not repeated either.
    const std::string nowhere = "postgresql://authp:" + password +
                                "@127.0.0.1:" + std::to_string(authp_test::unused_loopback_port()) + "/authp_test";
    Env env2(json{{"dpop", "required"}}, json{{"DPOP_REPLAY_BACKEND", {{"TYPE", "postgresql"}, {"URL", nowhere}}}});
    const Failure refused = failing_decision(env2);
    CAPTURE(refused.message);
    CHECK(refused.code == authpolicy::ErrorCode::Store);
    CHECK(refused.message.find(password) == std::string::npos);
    CHECK(refused.seconds < 5.0);
}
