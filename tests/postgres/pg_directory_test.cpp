// The PostgreSQL directory against a real server: no mocks. Each case works in a database of its
// own (CREATE DATABASE authp_t_<random>, dropped after), so cases are independent.
//   eval "$(bash scripts/pg-cluster.sh start /tmp/pgc)"; ./authp_pg_tests
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/common/error.h"
#include "core/crypto/digest.h"
#include "core/crypto/hex.h"
#include "core/crypto/random.h"
#include "core/directory/postgres/pg_connection.h"
#include "core/directory/postgres/pg_directory.h"
#include "core/directory/postgres/pg_listener.h"
#include "core/directory/postgres/pg_options.h"
#include "core/directory/postgres/pg_pool.h"
#include "core/directory/postgres/pg_schema.h"
#include "loopback_port.h"
#include "tests/contract/directory_contract.h"
#include "tests/postgres/pg_test_db.h"

using namespace authpolicy;
using namespace authpolicy::directory;
using namespace authpolicy::directory::postgres;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
using namespace authp_pg_test;

namespace {

crypto::Sha256 digest_of(const std::string& key) {
    return crypto::sha256(key);
}

std::string hex(const crypto::Sha256& d) {
    return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

// A sink that records what it is given, for waiting on from the test thread.
struct Recorder {
    std::mutex m;
    std::condition_variable cv;
    std::vector<Revocation> seen;
    RevocationSink sink() {
        return [this](const Revocation& r) {
            std::lock_guard lock(m);
            seen.push_back(r);
            cv.notify_all();
        };
    }
    template <class Pred>
    bool wait(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, timeout, [&] { return pred(seen); });
    }
    size_t count(Revocation::Kind kind) {
        std::lock_guard lock(m);
        size_t n = 0;
        for (const auto& r : seen) n += r.kind == kind;
        return n;
    }
    std::vector<Revocation> snapshot() {
        std::lock_guard lock(m);
        return seen;
    }
};

bool has_token(const std::vector<Revocation>& v, Revocation::Kind kind, const crypto::Sha256& d) {
    for (const auto& r : v)
        if (r.kind == kind && r.digest == d) return true;
    return false;
}

template <class F>
bool eventually(F pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
}

// The message of the Error(code) that fn throws.
template <class F>
std::string error_of(F fn, ErrorCode code) {
    try {
        fn();
    } catch (const Error& e) {
        CHECK(static_cast<int>(e.code()) == static_cast<int>(code));
        return e.what();
    }
    FAIL("no error thrown");
    return {};
}

// A socket that accepts TCP connections (the kernel's backlog) but never answers: a hung server.
struct SilentServer {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int port = 0;
    SilentServer() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::listen(fd, 64);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~SilentServer() { ::close(fd); }
};

NewUser new_user(std::string_view name) {
    NewUser u;
    u.username = name;
    u.password_hash = "pbkdf2_sha256$1$salt$hash";
    return u;
}

}  // namespace

TEST_CASE("the cluster is there") {
    REQUIRE_FALSE(base_url().empty());
    CHECK(connect(base_url())->exec_script("SELECT 1").int64(0, 0) == 1);
}

TEST_CASE("options: URLs, DATABASE_OPTIONS and their refusals") {
    CHECK(is_postgres_url("postgresql://h/db"));
    CHECK(is_postgres_url("postgres://h/db"));
    CHECK(is_postgres_url("host=/run/postgresql dbname=x"));
    CHECK(is_postgres_url("dbname=x"));
    CHECK_FALSE(is_postgres_url("/var/lib/authp.sqlite3"));
    CHECK_FALSE(is_postgres_url(":memory:"));

    PgOptions d = parse_pg_options("postgresql://u:pw@127.0.0.1:5432/db", nullptr);
    CHECK(d.conninfo == "postgresql://u:pw@127.0.0.1:5432/db");
    CHECK(d.connect_timeout == 2.0);
    CHECK(d.statement_timeout == 2.0);
    CHECK(d.pool_size == 4);
    CHECK(d.prepared_statements);
    CHECK(d.listen_conninfo.empty());

    const json all = json::parse(
        R"({"CONNECT_TIMEOUT": 0.5, "STATEMENT_TIMEOUT": 30, "POOL_SIZE": 8, "PREPARED_STATEMENTS": false,
            "LISTEN_URL": "host=/tmp dbname=x"})");
    PgOptions o = parse_pg_options("host=/tmp dbname=x", &all);
    CHECK(o.connect_timeout == 0.5);
    CHECK(o.statement_timeout == 30);
    CHECK(o.pool_size == 8);
    CHECK_FALSE(o.prepared_statements);
    CHECK(o.listen_conninfo == "host=/tmp dbname=x");

    const auto refused = [](const char* options_json, const std::string& where) {
        const json j = json::parse(options_json);
        const std::string msg = error_of([&] { parse_pg_options("postgresql://h/db", &j); }, ErrorCode::Config);
        CHECK_MESSAGE(msg.find("configuration error at " + where + ":") == 0, msg);
    };
    refused(R"({"CONNECT_TIMEOUT": 0})", "$.DATABASE_OPTIONS.CONNECT_TIMEOUT");
    refused(R"({"CONNECT_TIMEOUT": 61})", "$.DATABASE_OPTIONS.CONNECT_TIMEOUT");
    refused(R"({"CONNECT_TIMEOUT": "2"})", "$.DATABASE_OPTIONS.CONNECT_TIMEOUT");
    refused(R"({"STATEMENT_TIMEOUT": -1})", "$.DATABASE_OPTIONS.STATEMENT_TIMEOUT");
    refused(R"({"STATEMENT_TIMEOUT": 301})", "$.DATABASE_OPTIONS.STATEMENT_TIMEOUT");
    refused(R"({"POOL_SIZE": 0})", "$.DATABASE_OPTIONS.POOL_SIZE");
    refused(R"({"POOL_SIZE": 65})", "$.DATABASE_OPTIONS.POOL_SIZE");
    refused(R"({"POOL_SIZE": 2.5})", "$.DATABASE_OPTIONS.POOL_SIZE");
    refused(R"({"PREPARED_STATEMENTS": 1})", "$.DATABASE_OPTIONS.PREPARED_STATEMENTS");
    refused(R"({"LISTEN_URL": 5})", "$.DATABASE_OPTIONS.LISTEN_URL");
    refused(R"({"LISTEN_URL": "redis://x"})", "$.DATABASE_OPTIONS.LISTEN_URL");
    refused(R"({"POOLSIZE": 4})", "$.DATABASE_OPTIONS.POOLSIZE");
    refused(R"([1])", "$.DATABASE_OPTIONS");

    CHECK(error_of([] { parse_pg_options("sqlite.db", nullptr); }, ErrorCode::Config)
              .find("configuration error at $.DATABASE:") == 0);
}

TEST_CASE("redaction: no password survives in any form") {
    CHECK(redact_conninfo("postgresql://authp:s3cret@db:5432/x") == "postgresql://authp:***@db:5432/x");
    CHECK(redact_conninfo("postgres://authp@db/x") == "postgres://authp@db/x");
    CHECK(redact_conninfo("postgresql://db/x?user=a&password=s3cret&sslmode=require") ==
          "postgresql://db/x?user=a&password=***&sslmode=require");
    CHECK(redact_conninfo("postgresql://db/x?pass%77ord=s3cret") == "postgresql://db/x?pass%77ord=***");
    CHECK(redact_conninfo("postgresql://u:p@ss@db/x") == "postgresql://u:***@db/x");
    CHECK(redact_conninfo("host=/tmp dbname=x password=s3cret user=a") == "host=/tmp dbname=x password=*** user=a");
    CHECK(redact_conninfo("host=db password = 's3 cr\\'et' user=a") == "host=db password = *** user=a");
    CHECK(redact_conninfo("dbname='postgresql://u:s3cret@db/x'").find("s3cret") == std::string::npos);
    CHECK(redact_conninfo("host=db password s3cret").find("s3cret") == std::string::npos);
    CHECK(redact_conninfo("host=/tmp dbname=x") == "host=/tmp dbname=x");

    // libpq's parse errors quote the input: the quoted password must not come back.
    for (const char* bad : {"host=db password s3cretpw", "postgresql://u:s3cretpw@db/x?bogus=1",
                            "postgresql://u:s3cret%zzpw@db/x", "host=db password='s3cretpw"}) {
        const std::string msg = error_of([&] { parse_pg_options(bad, nullptr); }, ErrorCode::Config);
        CHECK_MESSAGE(msg.find("configuration error at $.DATABASE:") == 0, msg);
        CHECK_MESSAGE(msg.find("s3cret") == std::string::npos, msg);
    }
}

TEST_CASE("connection failures name the target, never the password") {
    const std::string url = base_url();
    const std::string real_pw = url_password(url);
    REQUIRE_FALSE(real_pw.empty());

    SUBCASE("wrong password") {
        std::string wrong = url;
        wrong.replace(wrong.find(real_pw), real_pw.size(), "wrong-pw-0123");
        PgOptions o = parse_pg_options(wrong, nullptr);
        PgDirectory dir(o);
        const std::string msg = error_of([&] { dir.find_user("alice"); }, ErrorCode::Store);
        CHECK_MESSAGE(msg.find("PostgreSQL: ") == 0, msg);
        CHECK_MESSAGE(msg.find("password authentication failed") != std::string::npos, msg);
        CHECK_MESSAGE(msg.find(":***@") != std::string::npos, msg);
        CHECK(msg.find("wrong-pw-0123") == std::string::npos);
        CHECK(msg.find(real_pw) == std::string::npos);
        CHECK(dir.describe().find("wrong-pw-0123") == std::string::npos);
    }
    SUBCASE("nothing listens on the port") {
        const std::string target = "postgresql://authp:" + real_pw +
                                   "@127.0.0.1:" + std::to_string(authp_test::unused_loopback_port()) + "/authp_test";
        PgDirectory dir(parse_pg_options(target, nullptr));
        const std::string msg = error_of([&] { dir.find_user("alice"); }, ErrorCode::Store);
        CHECK_MESSAGE(msg.find("PostgreSQL: cannot connect") == 0, msg);
        CHECK(msg.find(real_pw) == std::string::npos);
    }
    SUBCASE("no such database") {
        PgDirectory dir(parse_pg_options(with_dbname(url, "authp_no_such_db"), nullptr));
        const std::string msg = error_of([&] { dir.list_users_json(); }, ErrorCode::Store);
        CHECK_MESSAGE(msg.find("authp_no_such_db") != std::string::npos, msg);
        CHECK(msg.find(real_pw) == std::string::npos);
    }
}

TEST_CASE("the Unix-socket URL form works") {
    const std::string socket_url = env_url("AUTHP_TEST_PG_SOCKET_URL");
    if (socket_url.empty()) FAIL("AUTHP_TEST_PG_SOCKET_URL is not set (scripts/pg-cluster.sh env DIR)");
    TestDb db;
    PgDirectory dir(parse_pg_options(with_dbname(socket_url, db.name), nullptr));
    CHECK(dir.add_user(new_user("alice"), 100) > 0);
    CHECK(dir.find_user("alice") != nullptr);
}

TEST_CASE("migrations: fresh, idempotent, concurrent, newer refused") {
    TestDb db;
    SUBCASE("fresh and idempotent") {
        PgPool pool(db.options());
        CHECK(pool.read([](PgConnection& c) { return pg_schema_version(c); }) == 0);
        pg_migrate(pool);
        CHECK(pool.read([](PgConnection& c) { return pg_schema_version(c); }) == kPgSchemaVersion);
        pg_migrate(pool);
        CHECK(pool.read([](PgConnection& c) { return pg_schema_version(c); }) == kPgSchemaVersion);
        const int64_t tables = pool.read([](PgConnection& c) {
            return c
                .exec_script(
                    "SELECT count(*) FROM pg_tables WHERE tablename IN ('authp_user', 'authp_token', "
                    "'authp_oauth_token', 'authp_session', 'authp_secret', 'authp_schema', 'authp_throttle', "
                    "'authp_api_key')")
                .int64(0, 0);
        });
        CHECK(tables == 8);
        // A database at step 2 (before API keys) gets step 3 alone, its rows untouched.
        pool.write([](PgConnection& c) {
            c.exec_script("DROP TABLE authp_api_key; UPDATE authp_schema SET version = 2");
            c.exec_script("INSERT INTO authp_user (username, password, date_joined) VALUES ('kept', '!', 1)");
            return 0;
        });
        pg_migrate(pool);
        CHECK(pool.read([](PgConnection& c) { return pg_schema_version(c); }) == kPgSchemaVersion);
        CHECK(pool.read([](PgConnection& c) {
            return c.exec_script("SELECT count(*) FROM authp_api_key").int64(0, 0) +
                   c.exec_script("SELECT count(*) FROM authp_user WHERE username = 'kept'").int64(0, 0);
        }) == 1);
        CHECK(pool.read(
                  [](PgConnection& c) { return c.exec_script("SELECT count(*) FROM authp_schema").int64(0, 0); }) == 1);
    }
    SUBCASE("two at once") {
        PgPool a(db.options()), b(db.options());
        std::string error_a, error_b;
        std::thread ta([&] {
            try {
                pg_migrate(a);
            } catch (const std::exception& e) {
                error_a = e.what();
            }
        });
        std::thread tb([&] {
            try {
                pg_migrate(b);
            } catch (const std::exception& e) {
                error_b = e.what();
            }
        });
        ta.join();
        tb.join();
        CHECK(error_a.empty());
        CHECK(error_b.empty());
        CHECK(a.read([](PgConnection& c) { return pg_schema_version(c); }) == kPgSchemaVersion);
    }
    SUBCASE("a newer schema is refused") {
        {
            PgDirectory dir(db.options());
            dir.list_users_json();
            dir.pool().write([](PgConnection& c) { c.exec_script("UPDATE authp_schema SET version = 99"); });
        }
        PgDirectory dir(db.options());
        const std::string msg = error_of([&] { dir.find_user("alice"); }, ErrorCode::Store);
        CHECK_MESSAGE(msg.find("has schema version 99, newer than this library's " +
                               std::to_string(kPgSchemaVersion)) != std::string::npos,
                      msg);
        CHECK(msg.find(url_password(db.url)) == std::string::npos);
    }
}

TEST_CASE("users, with and without prepared statements") {
    TestDb db;
    PgOptions o = db.options();
    SUBCASE("prepared") {
        o.prepared_statements = true;
    }
    SUBCASE("unprepared (PgBouncer transaction mode)") {
        o.prepared_statements = false;
    }
    PgDirectory dir(o);

    NewUser alice = new_user("alice");
    alice.is_staff = true;
    const int64_t id = dir.add_user(alice, 1000);
    CHECK(id > 0);
    CHECK(error_of([&] { dir.add_user(new_user("alice"), 1001); }, ErrorCode::Exists) ==
          "a user with that username already exists");
    const int64_t bob = dir.add_user(new_user("bob"), 1002);

    UserPtr u = dir.find_user("alice");
    REQUIRE(u);
    CHECK(u->id == id);
    CHECK(u->username == "alice");
    CHECK(u->password == "pbkdf2_sha256$1$salt$hash");
    CHECK(u->is_active);
    CHECK(u->is_staff);
    CHECK_FALSE(u->is_superuser);
    CHECK(u->attributes_json == "{}");
    CHECK(dir.find_user(id)->username == "alice");
    CHECK(dir.find_user("nobody") == nullptr);
    CHECK(dir.find_user(int64_t{999999}) == nullptr);

    dir.set_password_hash("alice", "!unusable");
    CHECK(dir.find_user("alice")->password == "!unusable");
    dir.set_active("alice", false);
    CHECK_FALSE(dir.find_user("alice")->is_active);
    dir.set_roles("alice", false, true);
    CHECK_FALSE(dir.find_user("alice")->is_staff);
    CHECK(dir.find_user("alice")->is_superuser);
    for (const auto& fn : std::vector<std::function<void()>>{
             [&] { dir.set_password_hash("nobody", "x"); }, [&] { dir.set_active("nobody", true); },
             [&] { dir.set_roles("nobody", true, true); }, [&] { dir.delete_user("nobody"); }}) {
        CHECK(error_of(fn, ErrorCode::NotFound) == "no such user");
    }

    const json users = json::parse(dir.list_users_json());
    REQUIRE(users.size() == 2);
    CHECK(users[0].dump() == json::parse(R"({"id":)" + std::to_string(id) +
                                         R"(,"username":"alice","is_active":false,"is_staff":false,)"
                                         R"("is_superuser":true,"date_joined":1000})")
                                 .dump());
    // Key order as the SQLite backend writes it.
    CHECK(dir.list_users_json().find(R"({"id":)" + std::to_string(bob) +
                                     R"(,"username":"bob","is_active":true,"is_staff":false,"is_superuser":false,)"
                                     R"("date_joined":1002})") != std::string::npos);

    dir.delete_user("bob");
    CHECK(dir.find_user("bob") == nullptr);
    CHECK(json::parse(dir.list_users_json()).size() == 1);
}

TEST_CASE("tokens, OAuth tokens and sessions; delete cascades") {
    TestDb db;
    PgDirectory dir(db.options());
    const int64_t alice = dir.add_user(new_user("alice"), 10);
    dir.add_user(new_user("carol"), 11);
    const auto t1 = digest_of("token-1"), t2 = digest_of("token-2");

    // API tokens
    const int64_t id1 = dir.add_token(t1, "alice", "laptop", 100, std::nullopt);
    const int64_t id2 = dir.add_token(t2, "alice", "ci", 101, 5000);
    CHECK(id2 > id1);
    CHECK(error_of([&] { dir.add_token(t1, "alice", "again", 102, std::nullopt); }, ErrorCode::Exists)
              .find("PostgreSQL: ") == 0);
    CHECK(error_of([&] { dir.add_token(digest_of("x"), "nobody", "n", 1, std::nullopt); }, ErrorCode::NotFound) ==
          "no such user");
    auto rec = dir.find_token(t1);
    REQUIRE(rec);
    CHECK(rec->id == id1);
    CHECK(rec->name == "laptop");
    CHECK(rec->created == 100);
    CHECK_FALSE(rec->expires);
    CHECK(rec->user->username == "alice");
    CHECK(dir.find_token(t2)->expires == 5000);
    CHECK_FALSE(dir.find_token(digest_of("none")));
    CHECK(dir.list_tokens_json(std::nullopt) ==
          R"([{"id":)" + std::to_string(id1) + R"(,"username":"alice","name":"laptop","created":100,"expires":null},)" +
              R"({"id":)" + std::to_string(id2) + R"(,"username":"alice","name":"ci","created":101,"expires":5000}])");
    CHECK(json::parse(dir.list_tokens_json("alice")).size() == 2);
    CHECK(dir.list_tokens_json("carol") == "[]");
    CHECK(error_of([&] { dir.list_tokens_json("nobody"); }, ErrorCode::NotFound) == "no such user");
    CHECK(dir.revoke_token(t2));
    CHECK_FALSE(dir.revoke_token(t2));
    CHECK_FALSE(dir.find_token(t2));

    // OAuth tokens
    const auto o1 = digest_of("oauth-1");
    const int64_t oid = dir.add_oauth_token(o1, "alice", "client-a", "read write", 200, 900);
    CHECK(error_of([&] { dir.add_oauth_token(o1, "alice", "c", "s", 1, std::nullopt); }, ErrorCode::Exists).size() > 0);
    CHECK(error_of([&] { dir.add_oauth_token(digest_of("y"), "nobody", "c", "s", 1, std::nullopt); },
                   ErrorCode::NotFound) == "no such user");
    auto orec = dir.find_oauth_token(o1);
    REQUIRE(orec);
    CHECK(orec->id == oid);
    CHECK(orec->client_id == "client-a");
    CHECK(orec->scope == "read write");
    CHECK(orec->created == 200);
    CHECK(orec->expires == 900);
    CHECK(orec->user->id == alice);
    CHECK(dir.list_oauth_tokens_json("alice") ==
          R"([{"id":)" + std::to_string(oid) +
              R"(,"username":"alice","client_id":"client-a","scope":"read write","created":200,"expires":900}])");
    CHECK(dir.list_oauth_tokens_json("carol") == "[]");
    CHECK(error_of([&] { dir.list_oauth_tokens_json("nobody"); }, ErrorCode::NotFound) == "no such user");

    // Sessions
    const auto s1 = digest_of("session-1"), s2 = digest_of("session-2"), s3 = digest_of("session-3");
    dir.add_session(s1, SessionRow{alice, "hash1", 300, 300, 1300}, std::nullopt);
    auto srow = dir.find_session(s1);
    REQUIRE(srow);
    CHECK(srow->user_id == alice);
    CHECK(srow->auth_hash == "hash1");
    CHECK(srow->created == 300);
    CHECK(srow->last_seen == 300);
    CHECK(srow->expires == 1300);
    dir.add_session(s2, SessionRow{alice, "hash2", 310, 310, 400}, s1);  // rotation
    CHECK_FALSE(dir.find_session(s1));
    CHECK(dir.find_session(s2));
    CHECK(error_of(
              [&] {
                  dir.add_session(s2, SessionRow{alice, "h", 1, 1, 2}, std::nullopt);
              },
              ErrorCode::Exists)
              .size() > 0);
    dir.touch_session(s2, 350);
    CHECK(dir.find_session(s2)->last_seen == 350);
    dir.touch_session(s2, 340);  // never backwards
    CHECK(dir.find_session(s2)->last_seen == 350);
    dir.add_session(s3, SessionRow{alice, "hash3", 320, 320, 2000}, std::nullopt);
    CHECK(dir.purge_expired_sessions(400) == 1);  // s2
    CHECK_FALSE(dir.find_session(s2));
    CHECK(dir.remove_session(s3));
    CHECK_FALSE(dir.remove_session(s3));
    dir.add_session(s1, SessionRow{alice, "a", 1, 1, 9000}, std::nullopt);
    dir.add_session(s2, SessionRow{alice, "b", 1, 1, 9000}, std::nullopt);
    CHECK(dir.remove_user_sessions(alice) == 2);
    CHECK(dir.remove_user_sessions(alice) == 0);

    // Session secret: made once, the same for every directory on the database.
    const std::string secret = dir.session_secret();
    CHECK(secret.size() == 64);
    CHECK(dir.session_secret() == secret);
    PgDirectory other(db.options());
    CHECK(other.session_secret() == secret);

    // Deleting the user takes its tokens, OAuth tokens and sessions with it.
    dir.add_session(s3, SessionRow{alice, "c", 1, 1, 9000}, std::nullopt);
    dir.delete_user("alice");
    CHECK_FALSE(dir.find_token(t1));
    CHECK_FALSE(dir.find_oauth_token(o1));
    CHECK_FALSE(dir.find_session(s3));
    CHECK(dir.list_tokens_json(std::nullopt) == "[]");
    CHECK(dir.list_oauth_tokens_json(std::nullopt) == "[]");
    CHECK(dir.describe() == redact_conninfo(db.url));
    CHECK(dir.describe().find(url_password(db.url)) == std::string::npos);
}

TEST_CASE("payload decoding") {
    const auto d = digest_of("k");
    auto t = decode_revocation("t:" + hex(d));
    REQUIRE(t);
    CHECK(t->kind == Revocation::Kind::Token);
    CHECK(t->digest == d);
    CHECK(decode_revocation("o:" + hex(d))->kind == Revocation::Kind::OAuthToken);
    CHECK(decode_revocation("s:" + hex(d))->kind == Revocation::Kind::Session);
    auto u = decode_revocation("u:42");
    REQUIRE(u);
    CHECK(u->kind == Revocation::Kind::User);
    CHECK(u->user_id == 42);
    for (const char* bad : {"", "t:", "t:abc", "x:00", "u:", "u:-1", "u:4x", "u:0", "tt" /* no colon */})
        CHECK_FALSE(decode_revocation(bad));
    CHECK_FALSE(decode_revocation("t:" + hex(d) + "0"));
    CHECK_FALSE(decode_revocation("t:" + std::string(64, 'g')));
}

TEST_CASE("revocations are notified in the writing transaction") {
    TestDb db;
    PgDirectory writer(db.options());
    PgDirectory watcher(db.options());
    Recorder rec;
    const uint64_t subscription = watcher.subscribe(rec.sink());
    REQUIRE(eventually([&] { return watcher.revocations_live(); }));
    CHECK_FALSE(writer.revocations_live());  // not watching

    const int64_t alice = writer.add_user(new_user("alice"), 1);
    const auto t = digest_of("tok"), o = digest_of("oauth"), s = digest_of("sess"), s2 = digest_of("sess2");
    writer.add_token(t, "alice", "n", 1, std::nullopt);
    writer.add_oauth_token(o, "alice", "c", "s", 1, std::nullopt);
    writer.add_session(s, SessionRow{alice, "h", 1, 1, 9999}, std::nullopt);

    CHECK(writer.revoke_token(t));
    CHECK(rec.wait([&](const auto& v) { return has_token(v, Revocation::Kind::Token, t); }));
    CHECK(writer.revoke_oauth_token(o));
    CHECK(rec.wait([&](const auto& v) { return has_token(v, Revocation::Kind::OAuthToken, o); }));
    CHECK(writer.remove_session(s));
    CHECK(rec.wait([&](const auto& v) { return has_token(v, Revocation::Kind::Session, s); }));
    CHECK_FALSE(writer.revoke_token(t));  // nothing taken away: no notice

    // An API key's revocation reaches other processes as its verifier (what caches key it by).
    authpolicy::directory::NewApiKey key;
    key.selector = "SELECTOR0001";
    key.prefix = "ap_live_";
    key.verifier = digest_of("api-key-verifier");
    key.username = "alice";
    writer.add_api_key(key);
    CHECK(writer.revoke_api_key("SELECTOR0001", 5));
    CHECK(rec.wait([&](const auto& v) { return has_token(v, Revocation::Kind::Token, key.verifier); }));

    // A write that fails rolls back its notice with it: rotating onto a session of a user that
    // does not exist deletes s2, notifies, then fails on the foreign key.
    writer.add_session(s2, SessionRow{alice, "h", 1, 1, 9999}, std::nullopt);
    CHECK_THROWS_AS(writer.add_session(digest_of("orphan"), SessionRow{999999, "h", 1, 1, 9999}, s2), Error);
    CHECK(writer.find_session(s2));
    // A later, committed notice arrives; the rolled-back one must not have come before it.
    writer.set_active("alice", false);
    CHECK(rec.wait([&](const auto& v) {
        for (const auto& r : v)
            if (r.kind == Revocation::Kind::User && r.user_id == alice) return true;
        return false;
    }));
    CHECK_FALSE(has_token(rec.snapshot(), Revocation::Kind::Session, s2));

    // Every user change and the user's sessions.
    const size_t users_before = rec.count(Revocation::Kind::User);
    writer.set_password_hash("alice", "x");
    writer.set_roles("alice", true, false);
    CHECK(writer.remove_user_sessions(alice) == 1);
    CHECK(rec.wait([&](const auto& v) { return has_token(v, Revocation::Kind::Session, s2); }));
    writer.delete_user("alice");
    CHECK(rec.wait([&](const auto& v) {
        size_t n = 0;
        for (const auto& r : v) n += r.kind == Revocation::Kind::User;
        return n >= users_before + 3;
    }));
    CHECK(rec.count(Revocation::Kind::Everything) == 1);  // the first LISTEN only
    watcher.unsubscribe(subscription);

    // Malformed payloads are counted and ignored.
    writer.pool().write([](PgConnection& c) { c.exec_script("SELECT pg_notify('authp_revocation', 'junk')"); });
    PgListener probe(db.url, redact_conninfo(db.url), 5, 5, [](const Revocation&) {});
    REQUIRE(eventually([&] { return probe.live(); }));
    writer.pool().write([](PgConnection& c) { c.exec_script("SELECT pg_notify('authp_revocation', 'u:abc')"); });
    CHECK(eventually([&] { return probe.malformed() == 1; }));
}

TEST_CASE("listener: a lost session is reported, then recovered") {
    TestDb db;
    Recorder rec;
    PgListener listener(db.url, redact_conninfo(db.url), 5, 5, rec.sink());
    REQUIRE(eventually([&] { return listener.live() && listener.backend_pid() != 0; }));
    const int pid = listener.backend_pid();
    // The first LISTEN drops what engines cached before it was in force (delivered before live()).
    CHECK(rec.count(Revocation::Kind::Everything) == 1);

    auto admin = connect(db.url);
    CHECK(admin->exec("SELECT pg_terminate_backend($1::int)", {std::to_string(pid)}).boolean(0, 0));
    CHECK(rec.wait([](const auto& v) { return v.size() >= 2; }));
    CHECK(rec.snapshot()[1].kind == Revocation::Kind::Everything);
    // Back, on a new backend, with another Everything for the notices it could have missed.
    REQUIRE(
        eventually([&] { return listener.live() && listener.backend_pid() != 0 && listener.backend_pid() != pid; }));
    CHECK(rec.count(Revocation::Kind::Everything) == 3);

    const auto t = digest_of("after-reconnect");
    admin->exec("SELECT pg_notify('authp_revocation', $1::text)", {"t:" + hex(t)});
    CHECK(rec.wait([&](const auto& v) { return has_token(v, Revocation::Kind::Token, t); }));
}

TEST_CASE("listener: the database is down from the start") {
    Recorder rec;
    const std::string target =
        "postgresql://authp@127.0.0.1:" + std::to_string(authp_test::unused_loopback_port()) + "/x";
    const auto start = Clock::now();
    {
        PgListener listener(target, target, 1, 1, rec.sink());
        CHECK(rec.wait([](const auto& v) { return !v.empty(); }));
        CHECK_FALSE(listener.live());
        std::this_thread::sleep_for(std::chrono::milliseconds(400));  // a few failed retries
        CHECK(rec.count(Revocation::Kind::Everything) == 1);          // once, not once per retry
    }
    CHECK(Clock::now() - start < std::chrono::seconds(5));  // the destructor does not hang
}

TEST_CASE("statement timeout ends a hung statement") {
    TestDb db;
    PgPool pool(db.options(0.2));
    const auto start = Clock::now();
    const std::string msg =
        error_of([&] { pool.read([](PgConnection& c) { c.exec("SELECT pg_sleep(10)"); }); }, ErrorCode::Store);
    CHECK(Clock::now() - start < std::chrono::seconds(5));
    CHECK_MESSAGE(msg.find("statement timeout") != std::string::npos, msg);
    // The connection is still usable afterwards.
    CHECK(pool.read([](PgConnection& c) { return c.exec("SELECT 7").int64(0, 0); }) == 7);
}

TEST_CASE("pool: bounded, waits, transactions roll back") {
    TestDb db;
    PgOptions o = db.options();
    o.pool_size = 1;
    o.connect_timeout = 0.3;
    PgPool pool(o);
    pool.write([](PgConnection& c) { c.exec_script("CREATE TABLE t (v INT)"); });

    // The only connection is busy for longer than connect_timeout: the next caller gives up.
    std::thread busy([&] { pool.read([](PgConnection& c) { c.exec("SELECT pg_sleep(1)"); }); });
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    const std::string msg = error_of([&] { pool.read([](PgConnection& c) { c.exec("SELECT 1"); }); }, ErrorCode::Store);
    CHECK_MESSAGE(msg.find("no free connection") != std::string::npos, msg);
    busy.join();

    CHECK_THROWS_AS(pool.write([](PgConnection& c) {
        c.exec("INSERT INTO t VALUES (1)");
        throw Error(ErrorCode::Invalid, "changed my mind");
    }),
                    Error);
    CHECK(pool.read([](PgConnection& c) { return c.exec("SELECT count(*) FROM t").int64(0, 0); }) == 0);

    // A failed statement inside a write rolls back and the connection is reused cleanly.
    CHECK_THROWS_AS(pool.write([](PgConnection& c) {
        c.exec("INSERT INTO t VALUES (2)");
        c.exec("SELECT 1/0");
    }),
                    Error);
    pool.write([](PgConnection& c) { c.exec("INSERT INTO t VALUES (3)"); });
    CHECK(pool.read([](PgConnection& c) { return c.exec("SELECT sum(v) FROM t").int64(0, 0); }) == 3);

    // Many threads through a small pool.
    PgOptions o4 = db.options();
    o4.pool_size = 2;
    PgPool shared(o4);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            for (int k = 0; k < 20; ++k)
                if (shared.read([](PgConnection& c) { return c.exec("SELECT 1").int64(0, 0); }) == 1) ++ok;
        });
    for (auto& th : threads) th.join();
    CHECK(ok == 160);

    // A pooled connection killed under us: the next read reconnects transparently.
    const int pid = shared.read([](PgConnection& c) { return c.backend_pid(); });
    connect(db.url)->exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1::text AND pid <> pg_backend_pid()",
        {db.name});
    CHECK(eventually([&] {
        return connect(db.url)
                   ->exec("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", {std::to_string(pid)})
                   .int64(0, 0) == 0;
    }));
    CHECK(shared.read([](PgConnection& c) { return c.exec("SELECT 5").int64(0, 0); }) == 5);
    shared.write([](PgConnection& c) { c.exec("INSERT INTO t VALUES (4)"); });
}

TEST_CASE("database down: the directory comes up, fails fast, and backs off") {
    SUBCASE("closed port") {
        PgOptions o = parse_pg_options("postgresql://authp:pw-not-shown@127.0.0.1:" +
                                           std::to_string(authp_test::unused_loopback_port()) + "/authp_test",
                                       nullptr);
        PgDirectory dir(o);  // does not connect
        CHECK(dir.describe().find("pw-not-shown") == std::string::npos);
        const auto start = Clock::now();
        for (int i = 0; i < 20; ++i) {
            const std::string msg = error_of([&] { dir.find_user("alice"); }, ErrorCode::Store);
            CHECK(msg.find("pw-not-shown") == std::string::npos);
        }
        CHECK(Clock::now() - start < std::chrono::seconds(2));
    }
    SUBCASE("a server that never answers: one wait, then fail-fast within the backoff window") {
        SilentServer silent;
        const json opts = json::parse(R"({"CONNECT_TIMEOUT": 0.5})");
        PgDirectory dir(parse_pg_options(
            "postgresql://authp:pw-not-shown@127.0.0.1:" + std::to_string(silent.port) + "/authp_test", &opts));
        auto start = Clock::now();
        const std::string first = error_of([&] { dir.find_user("alice"); }, ErrorCode::Store);
        const auto first_took = Clock::now() - start;
        CHECK(first_took >= std::chrono::milliseconds(400));
        CHECK(first_took < std::chrono::seconds(3));
        CHECK_MESSAGE(first.find("no answer within 0.5 s") != std::string::npos, first);
        start = Clock::now();
        const std::string second = error_of([&] { dir.find_user("alice"); }, ErrorCode::Store);
        CHECK(Clock::now() - start < std::chrono::milliseconds(50));
        CHECK(second == first);
        CHECK(first.find("pw-not-shown") == std::string::npos);
    }
}

// doctest re-runs a case for each subcase: every run gets its own database.
void run_contract(bool prepared) {
    TestDb db;
    authp_contract::check_directory_contract([&] {
        PgOptions o = db.options();
        o.prepared_statements = prepared;
        // schema() reads without migrating (db status must see pending migrations); the contract
        // expects a directory in use, as SQLite's is once opened.
        auto dir = std::make_shared<PgDirectory>(o);
        dir->migrate();
        return dir;
    });
}

TEST_CASE("schema status: a fresh database reports pending migrations until migrate() or first use") {
    TestDb db;
    PgDirectory dir(db.options());
    CHECK(dir.schema().current == 0);
    CHECK(dir.schema().latest == kPgSchemaVersion);
    dir.migrate();
    CHECK(dir.schema().current == kPgSchemaVersion);
}

TEST_CASE("directory contract: PostgreSQL") {
    run_contract(true);
}

TEST_CASE("directory contract: PostgreSQL without prepared statements (PgBouncer transaction mode)") {
    run_contract(false);
}
