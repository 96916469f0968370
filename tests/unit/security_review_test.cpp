// Security review (issue 22): the smaller findings that live in the engine's core (5, 7, 16).
// Each case names the finding it pins.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include <unistd.h>

#include "core/common/error.h"
#include "test_support.h"

using authp_test::basic;
using authp_test::Fixture;

TEST_CASE("finding 22.5: an unknown stored hash format is never written to the log") {
    std::vector<std::string> lines;
    authpolicy::HostHooks hooks;
    hooks.logger = [&](authpolicy::LogLevel, std::string_view m) { lines.emplace_back(m); };
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})", hooks);
    f.add_user("alice", "pw");
    f.engine->services().directory()->set_password_hash("alice", "hunter2-plain-text$x");
    CHECK(f.decide(basic("alice:pw")).status == 401);
    std::erase_if(lines, [](const std::string& l) { return l.find("failed login") == 0; });  // LOGIN_FAILURES
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("hunter2") == std::string::npos);
    CHECK(lines[0].find("unrecognised format") != std::string::npos);

    std::vector<std::string> known;
    hooks.logger = [&](authpolicy::LogLevel, std::string_view m) { known.emplace_back(m); };
    Fixture g(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})", hooks);
    g.add_user("bob", "pw");
    g.engine->services().directory()->set_password_hash("bob", "bcrypt_sha256$$2b$12$abc");
    CHECK(g.decide(basic("bob:pw")).status == 401);
    std::erase_if(known, [](const std::string& l) { return l.find("failed login") == 0; });
    REQUIRE(known.size() == 1);
    CHECK(known[0].find("'bcrypt_sha256'") != std::string::npos);
}

TEST_CASE("finding 22.7: a non-finite clock is a callback error (the safe 503), never an allow") {
    for (double t : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
        CAPTURE(t);
        Fixture f(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
                      "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})");
        f.add_user("alice", "pw");
        f.add_token("alice", "expiredkey", 1000);  // expired long ago
        f.clock->set(t);
        authpolicy::AuthState state;
        try {
            const auto d = f.engine->evaluate(authp_test::request("Token expiredkey"), state);
            CHECK_FALSE(d.allowed);
            FAIL("a non-finite clock was accepted");
        } catch (const authpolicy::Error& err) {
            CHECK(err.code() == authpolicy::ErrorCode::Callback);
        }
        CHECK_THROWS_AS(f.engine->services().now(), authpolicy::Error);
    }
}

TEST_CASE("finding 22.16: repeated Host headers are refused; repeated Cookie headers are joined with \"; \"") {
    authpolicy::http::Request r;
    r.add_header("Cookie", "a=1");
    r.add_header("cookie", "b=2");
    CHECK(*r.header("cookie") == "a=1; b=2");
    CHECK(r.oversize().empty());
    r.add_header("Host", "good.example");
    r.add_header("HOST", "evil.example");
    CHECK(r.oversize() == "Request has more than one Host header.");
    Fixture f("{}");
    CHECK(f.decide(r).status == 400);
}

TEST_CASE("finding 22.16: header lookups cap the name length as add_header does") {
    authpolicy::http::Request r;
    r.add_header("X-A", "1");
    CHECK(r.find_header(std::string(300, 'x')) == nullptr);
    CHECK(*r.find_header("x-a") == "1");
}

TEST_CASE("finding 22.4: the SQLite database and its -wal/-shm files are created 0600; a readable one is reported") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("authp_perm_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string db = (dir / "auth.sqlite3").string();
    std::vector<std::string> lines;
    authpolicy::HostHooks hooks;
    hooks.logger = [&](authpolicy::LogLevel, std::string_view m) { lines.emplace_back(m); };
    {
        Fixture f(R"({"DATABASE": ")" + db + "\"}", hooks);
        f.add_user("alice", "pw");
        for (const char* suffix : {"", "-wal", "-shm"}) {
            CAPTURE(suffix);
            REQUIRE(fs::exists(db + suffix));
            CHECK((fs::status(db + suffix).permissions() & fs::perms::all) ==
                  (fs::perms::owner_read | fs::perms::owner_write));
        }
    }
    CHECK(lines.empty());
    fs::permissions(db,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    { Fixture again(R"({"DATABASE": ")" + db + "\"}", hooks); }
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("readable by group or others") != std::string::npos);
    fs::remove_all(dir);
}

TEST_CASE("finding 22.14: a weaker stored hash is upgraded on a successful login in the embedded store") {
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 2000})");
    f.add_user("alice", "pw");
    authpolicy::passwords::PasswordHashers weak(1000);
    f.engine->services().directory()->set_password_hash("alice", weak.make("pw"));
    CHECK(f.engine->services().find_user("alice")->password.rfind("pbkdf2_sha256$1000$", 0) == 0);
    CHECK(f.decide(basic("alice:wrong")).status == 401);
    CHECK(f.engine->services().find_user("alice")->password.rfind("pbkdf2_sha256$1000$", 0) == 0);
    CHECK(f.decide(basic("alice:pw")).status == 200);
    const std::string upgraded = f.engine->services().find_user("alice")->password;
    CHECK(upgraded.rfind("pbkdf2_sha256$2000$", 0) == 0);
    f.engine->services().invalidate_caches();
    CHECK(f.decide(basic("alice:pw")).status == 200);
    CHECK(f.engine->services().find_user("alice")->password == upgraded);  // no second rewrite
}

TEST_CASE("finding 22.14: a wrong password against a cheaper stored hash also pays the configured cost") {
    // Django's harden_runtime: the answer is no faster than an unknown user's (one dummy check at
    // the configured iterations each), so a weak hash does not tell itself apart by timing.
    authpolicy::passwords::PasswordHashers configured(2000);
    const authpolicy::passwords::PasswordHashers weak(1000);
    const std::string cheap = weak.make("pw");
    CHECK(configured.verify("pw", cheap).matches);
    CHECK(configured.dummy_runs() == 0);  // a right password: no extra work (it is upgraded instead)
    CHECK_FALSE(configured.verify("wrong", cheap).matches);
    CHECK(configured.dummy_runs() == 1);
    CHECK_FALSE(configured.verify("wrong", configured.make("pw")).matches);
    CHECK(configured.dummy_runs() == 1);  // a hash at the configured cost already costs that much

    // Through the engine: an unknown user pays one dummy check, as a cheap-hash user does.
    Fixture f(R"({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 2000,
                  "LOGIN_FAILURES": null})");
    f.add_user("alice", "pw");
    f.engine->services().directory()->set_password_hash("alice", weak.make("pw"));
    const auto& hashers = f.engine->services().hashers();
    const std::uint64_t before = hashers.dummy_runs();
    CHECK(f.decide(basic("nobody:pw")).status == 401);
    CHECK(hashers.dummy_runs() == before + 1);
    CHECK(f.decide(basic("alice:wrong")).status == 401);
    CHECK(hashers.dummy_runs() == before + 2);
}

TEST_CASE("finding 22.8: key files and configurations are read with a bound, and the errors are configuration errors") {
    for (const char* key : {"jwks_file", "public_key_file"}) {
        CAPTURE(key);
        nlohmann::json j = {{"DEFAULT_AUTHENTICATION_CLASSES", {{{"class", "JWTAuthentication"}, {key, "/dev/zero"}}}}};
        try {
            authpolicy::Engine e(authpolicy::parse_config(j, ""), {});
            FAIL("accepted /dev/zero");
        } catch (const authpolicy::Error& err) {
            CHECK(err.code() == authpolicy::ErrorCode::Config);
            CHECK(std::string(err.what()).find(key) != std::string::npos);
            CHECK(std::string(err.what()).find("larger than 1 MiB") != std::string::npos);
        }
    }
    try {
        (void)authpolicy::parse_config_text(std::string(17u << 20, ' '), "");
        FAIL("accepted 17 MiB");
    } catch (const authpolicy::Error& err) {
        CHECK(err.code() == authpolicy::ErrorCode::Config);
        CHECK(std::string(err.what()).find("larger than") != std::string::npos);
    }
}
