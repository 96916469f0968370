// APIKeyAuthentication on PostgreSQL: an engine whose cached key is revoked through another
// handle (another process, in effect) refuses it as soon as the NOTIFY arrives, well inside a
// CACHE.TTL of 300 s; last-used batches are written to the shared table.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/apikey/last_used_recorder.h"
#include "core/directory/directory_admin.h"
#include "core/directory/postgres/pg_directory.h"
#include "core/engine/engine.h"
#include "tests/postgres/pg_test_db.h"

using namespace authpolicy;
using authp_pg_test::TestDb;

namespace {

constexpr const char* kPepper = "a PostgreSQL test pepper, at least thirty-two bytes";

int decide(const Engine& engine, const std::string& key) {
    http::Request r;
    r.set_method("GET");
    r.add_header("Authorization", "Api-Key " + key);
    AuthState state;
    return engine.evaluate(r, state).status;
}

}  // namespace

TEST_CASE("API keys on PostgreSQL: a revocation elsewhere reaches a cached key at once") {
    TestDb db;
    setenv("AUTHP_PG_TEST_PEPPER", kPepper, 1);
    const nlohmann::json config{{"DATABASE", db.url},
                                {"PASSWORD_ITERATIONS", 1000},
                                {"CACHE", {{"TTL", 300}}},
                                {"API_KEYS", {{"PEPPER_ENV", "AUTHP_PG_TEST_PEPPER"}}},
                                {"DEFAULT_AUTHENTICATION_CLASSES", {"APIKeyAuthentication"}},
                                {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}}};
    Engine engine(parse_config(config, ""), {});

    auto other = std::make_shared<directory::postgres::PgDirectory>(db.options());
    directory::DirectoryAdmin admin(other, 1000, [] { return 1700000000.0; });
    admin.add_user("alice", std::nullopt, {});
    const apikey::Pepper pepper(kPepper);
    const std::string key = admin.create_api_key(pepper, "alice", "ci", "read", 0, apikey::Environment::Live);

    CHECK(decide(engine, key) == 200);  // now cached for 300 s
    bool live = false;
    for (int i = 0; i < 500 && !live; ++i) {
        live = engine.services().directory()->revocations_live();
        if (!live) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(live);  // listening: the revocation below can only reach the cache by NOTIFY
    CHECK(engine.services().api_key_usage()->flush() == 1);
    const auto listed = nlohmann::json::parse(admin.list_api_keys_json("alice"));
    CHECK(listed[0]["last_used"].is_number());

    admin.revoke_api_key(key.substr(8, 12));
    int status = 200;
    for (int i = 0; i < 500 && status == 200; ++i) {
        status = decide(engine, key);
        if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(status == 401);
}
