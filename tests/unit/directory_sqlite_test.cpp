// The directory contract on the embedded SQLite backend (in memory and on a file), and what
// only SQLite does: a second handle on the same file sees writes but is not told of them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>

#include "core/directory/open_directory.h"
#include "core/directory/sqlite/sqlite_directory.h"
#include "tests/contract/directory_contract.h"

using authpolicy::directory::open_directory;

TEST_CASE("directory contract: SQLite in memory") {
    authp_contract::check_directory_contract([] { return open_directory(":memory:", nullptr, 5000); });
}

TEST_CASE("directory contract: SQLite file") {
    const std::string path = "/tmp/authp-contract-" + std::to_string(getpid()) + ".sqlite3";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    authp_contract::check_directory_contract([&] { return open_directory(path, nullptr, 5000); });
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST_CASE("SQLite: two handles on one file share rows and the session secret, not notices") {
    const std::string path = "/tmp/authp-two-" + std::to_string(getpid()) + ".sqlite3";
    {
        auto a = open_directory(path, nullptr, 5000);
        auto b = open_directory(path, nullptr, 5000);
        CHECK_FALSE(a->revocations_live());
        int told = 0;
        const uint64_t sub = a->subscribe([&](const authpolicy::directory::Revocation&) { ++told; });
        authp_contract::add(*b, "alice");
        REQUIRE(a->find_user("alice"));
        b->set_active("alice", false);
        CHECK(told == 0);  // SQLite cannot tell another handle: CACHE.TTL bounds what it caches
        CHECK(a->session_secret() == b->session_secret());
        a->unsubscribe(sub);
        CHECK(a->describe() == "sqlite:" + path);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

TEST_CASE("open_directory: DATABASE names PostgreSQL by URL or libpq key=value; SQLite paths stay paths") {
    using authpolicy::directory::names_postgres;
    CHECK(names_postgres("postgresql://u@localhost/db"));
    CHECK(names_postgres("postgres://u:pw@10.0.0.1:5432/db?sslmode=require"));
    CHECK(names_postgres("host=/run/postgresql dbname=app"));
    CHECK(names_postgres("dbname=app"));
    CHECK_FALSE(names_postgres("db.sqlite3"));
    CHECK_FALSE(names_postgres(":memory:"));
    CHECK_FALSE(names_postgres("file:db.sqlite3?mode=ro"));
    CHECK_FALSE(names_postgres("/srv/my-host=1/db.sqlite3"));
}
