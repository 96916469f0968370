#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/directory/sqlite/sqlite_token_store.h"
#include "core/directory/sqlite/sqlite_user_store.h"

using namespace authpolicy;
using namespace authpolicy::directory::sqlite;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/authp-unit-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, ec);
        fs::remove_all(path, ec);
    }
};

directory::NewUser user(std::string_view name, bool active = true) {
    return directory::NewUser{name, "pbkdf2_sha256$1$salt$hash", active, false, false};
}

}  // namespace

TEST_CASE("users: add, find by name and id, duplicate, updates, list without hashes") {
    auto db = std::make_shared<SqliteDatabase>(":memory:");
    SqliteUserStore users(db);
    const int64_t id = users.add(user("alice"), 10);
    CHECK(users.find_by_username("alice")->id == id);
    CHECK(users.find_by_id(id)->username == "alice");
    CHECK(users.find_by_username("nobody") == nullptr);
    CHECK_THROWS_WITH_AS(users.add(user("alice"), 11), "a user with that username already exists", Error);
    users.set_active("alice", false);
    CHECK_FALSE(users.find_by_username("alice")->is_active);
    users.set_roles("alice", true, true);
    CHECK(users.find_by_username("alice")->is_superuser);
    users.set_password_hash("alice", "pbkdf2_sha256$2$x$y");
    CHECK(users.find_by_username("alice")->password == "pbkdf2_sha256$2$x$y");
    CHECK_THROWS_AS(users.set_active("nobody", true), Error);
    const std::string listing = users.list_json();
    CHECK(listing.find("alice") != std::string::npos);
    CHECK(listing.find("pbkdf2") == std::string::npos);
}

TEST_CASE("tokens: stored as digests, found with their owner in one query, revoked, listed without keys") {
    auto db = std::make_shared<SqliteDatabase>(":memory:");
    SqliteUserStore users(db);
    SqliteTokenStore tokens(db);
    users.add(user("alice"), 0);
    const auto digest = crypto::sha256("0123456789abcdef0123456789abcdef01234567");
    tokens.add(digest, "alice", "laptop", 100, 200);
    auto found = tokens.find(digest);
    REQUIRE(found);
    CHECK(found->name == "laptop");
    CHECK(found->expires == 200);
    CHECK(found->user->username == "alice");
    CHECK_FALSE(tokens.find(crypto::sha256("other")));
    CHECK_THROWS_AS(tokens.add(crypto::sha256("k2"), "nobody", "", 0, std::nullopt), Error);
    const std::string listing = tokens.list_json(std::nullopt);
    CHECK(listing.find("laptop") != std::string::npos);
    CHECK(listing.find("0123456789abcdef") == std::string::npos);
    users.add(user("bob"), 0);
    CHECK(tokens.list_json(std::string_view("bob")) == "[]");              // a user without tokens
    CHECK_THROWS_AS(tokens.list_json(std::string_view("nobody")), Error);  // no such user: NotFound
    CHECK(tokens.revoke(digest));
    CHECK_FALSE(tokens.revoke(digest));
    CHECK_FALSE(tokens.find(digest));
}

TEST_CASE("a file database keeps what was committed across reopen, and no key text is stored") {
    TempDir dir;
    const std::string path = (dir.path / "a.sqlite3").string();
    const std::string key = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
    {
        auto db = std::make_shared<SqliteDatabase>(path);
        SqliteUserStore(db).add(user("alice"), 0);
        SqliteTokenStore(db).add(crypto::sha256(key), "alice", "", 0, std::nullopt);
    }
    auto db = std::make_shared<SqliteDatabase>(path);
    CHECK(SqliteUserStore(db).find_by_username("alice"));
    CHECK(SqliteTokenStore(db).find(crypto::sha256(key)));
    db.reset();
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find(key) == std::string::npos);
    CHECK(bytes.find(key.substr(0, 12)) == std::string::npos);
}

TEST_CASE("a missing directory is a clear store error naming the path") {
    CHECK_THROWS_WITH_AS(SqliteDatabase("/nonexistent-dir/x/db.sqlite3"),
                         doctest::Contains("cannot open database '/nonexistent-dir/x/db.sqlite3'"), Error);
}

TEST_CASE("a corrupted file is a clear store error, never a crash") {
    TempDir dir;
    const std::string path = (dir.path / "junk.sqlite3").string();
    std::ofstream(path) << std::string(8192, 'x');
    try {
        SqliteDatabase db(path);
        FAIL("opening garbage should fail");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Store);
        CHECK(std::string(e.what()).find("not a database") != std::string::npos);
    }
}

TEST_CASE("a read-only database serves reads and refuses writes with a clear error") {
    // Root ignores file modes, so the file is opened read-only through a URI instead.
    TempDir dir;
    const std::string path = (dir.path / "ro.sqlite3").string();
    {
        auto db = std::make_shared<SqliteDatabase>(path);
        SqliteUserStore(db).add(user("alice"), 0);
    }
    auto db = std::make_shared<SqliteDatabase>("file:" + path + "?mode=ro");
    SqliteUserStore users(db);
    CHECK(users.find_by_username("alice"));
    CHECK_THROWS_WITH_AS(users.add(user("bob"), 0), doctest::Contains("readonly"), Error);
}

TEST_CASE("a database from a newer schema version is refused") {
    TempDir dir;
    const std::string path = (dir.path / "new.sqlite3").string();
    { SqliteDatabase created(path); }
    {
        Connection c(path, false, 1000);
        c.exec("PRAGMA user_version = 99");
    }
    CHECK_THROWS_WITH_AS(SqliteDatabase{path}, doctest::Contains("newer than this library"), Error);
}

TEST_CASE("a database locked by another connection fails with a clear store error after the busy timeout") {
    TempDir dir;
    const std::string path = (dir.path / "locked.sqlite3").string();
    auto db = std::make_shared<SqliteDatabase>(path, /*busy_timeout_ms=*/50);
    SqliteUserStore users(db);
    users.add(user("alice"), 0);

    // Another process holds the write lock: writes time out, WAL readers still read.
    Connection other(path, false, 0);
    other.exec("BEGIN IMMEDIATE");
    CHECK_THROWS_WITH_AS(users.add(user("bob"), 0), doctest::Contains("database is locked"), Error);
    CHECK(users.find_by_username("alice"));
    other.exec("ROLLBACK");
}

TEST_CASE("opening a database that another process holds exclusively fails clearly, never hangs") {
    TempDir dir;
    const std::string path = (dir.path / "exclusive.sqlite3").string();
    { SqliteDatabase created(path); }
    // WAL readers are never blocked by writers; a rollback-journal database under an
    // exclusive lock blocks everyone, which is the worst case an engine can meet.
    Connection other(path, false, 0);
    other.exec("PRAGMA journal_mode=DELETE");
    other.exec("BEGIN EXCLUSIVE");
    other.exec("UPDATE authp_user SET is_staff = 1");
    try {
        SqliteDatabase blocked(path, /*busy_timeout_ms=*/50);
        FAIL("opening under an exclusive lock should fail");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::Store);
        CHECK(std::string(e.what()).find("locked") != std::string::npos);
    }
    other.exec("ROLLBACK");
}
