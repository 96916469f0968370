// APIKeyAuthentication and the key format (docs/api-keys.md): strict parsing before any lookup,
// TokenAuthentication's decisions and messages, expiry, revocation, scopes, last-used batches.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/apikey/api_key_format.h"
#include "core/apikey/api_key_settings.h"
#include "core/apikey/last_used_recorder.h"
#include "core/common/error.h"
#include "core/directory/directory_admin.h"
#include "core/directory/open_directory.h"
#include "core/directory/sqlite/sqlite_directory.h"
#include "test_support.h"

using authp_test::Fixture;
using authp_test::header;
using nlohmann::json;
namespace apikey = authpolicy::apikey;

namespace {

constexpr const char* kPepperEnv = "AUTHP_UNIT_API_KEY_PEPPER";
constexpr const char* kPepper = "unit-test pepper: 0123456789abcdefghijklmnopqrstuvwxyz";

std::string config(json extra = json::object()) {
    setenv(kPepperEnv, kPepper, 1);
    json j{{"DEFAULT_AUTHENTICATION_CLASSES", {"APIKeyAuthentication"}},
           {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}},
           {"API_KEYS", {{"PEPPER_ENV", kPepperEnv}}},
           {"VIEWS",
            {{"read", {{"permission_classes", {"TokenHasScope"}}, {"required_scopes", {"read"}}}},
             {"write", {{"permission_classes", {"TokenHasScope"}}, {"required_scopes", {"write"}}}}}}};
    j.update(extra);
    return j.dump();
}

authpolicy::directory::DirectoryAdmin admin(Fixture& f) {
    return authpolicy::directory::DirectoryAdmin(f.engine->services().directory(), 1000,
                                                 [clock = f.clock] { return clock->now(); });
}

std::shared_ptr<const apikey::Pepper> pepper() {
    return std::make_shared<const apikey::Pepper>(kPepper);
}

std::string create(Fixture& f, const std::string& user, const std::string& scopes = "", int64_t expires_in = 0,
                   apikey::Environment env = apikey::Environment::Live) {
    return admin(f).create_api_key(*pepper(), user, "ci", scopes, expires_in, env);
}

// The same selector with another secret, under a valid checksum: only the verifier can refuse it.
std::string with_other_secret(const std::string& key) {
    std::string body = key.substr(0, apikey::kKeyLength - apikey::kChecksumLength);
    char& c = body[apikey::kPrefixLength + apikey::kSelectorLength];
    c = c == 'a' ? 'b' : 'a';
    return body + apikey::checksum(body);
}

}  // namespace

TEST_CASE("API key format: prefix, fixed length, base62, CRC32 checksum") {
    CHECK(apikey::checksum("") == "000000");
    CHECK(apikey::checksum("123456789") == "3jZRME");  // CRC32 check value 0xCBF43926 in base62
    const std::string live = apikey::generate_key(apikey::Environment::Live);
    const std::string test = apikey::generate_key(apikey::Environment::Test);
    CHECK(live.size() == apikey::kKeyLength);
    CHECK(live.rfind("ap_live_", 0) == 0);
    CHECK(test.rfind("ap_test_", 0) == 0);
    CHECK(live != apikey::generate_key(apikey::Environment::Live));
    const auto p = apikey::parse_key(live);
    REQUIRE(p);
    CHECK(p->environment == apikey::Environment::Live);
    CHECK(p->selector == live.substr(8, 12));
    CHECK(p->secret == live.substr(20, 32));
    CHECK(apikey::parse_key(test)->environment == apikey::Environment::Test);

    // Every single-character change and every swap of neighbours is caught by the checksum.
    for (size_t i = 0; i < live.size(); ++i) {
        std::string typo = live;
        typo[i] = typo[i] == 'x' ? 'y' : 'x';
        CHECK_FALSE(apikey::parse_key(typo));
        if (i + 1 < live.size() && live[i] != live[i + 1]) {
            std::string swapped = live;
            std::swap(swapped[i], swapped[i + 1]);
            CHECK_FALSE(apikey::parse_key(swapped));
        }
    }
    CHECK_FALSE(apikey::parse_key(live.substr(1)));
    CHECK_FALSE(apikey::parse_key(live + "0"));
    CHECK_FALSE(apikey::parse_key(""));
    std::string other_prefix = "ap_prod" + live.substr(7);
    CHECK_FALSE(apikey::parse_key(other_prefix.substr(0, 52) + apikey::checksum(other_prefix.substr(0, 52))));
    std::string bad_char = live.substr(0, 52);
    bad_char[30] = '-';
    CHECK_FALSE(apikey::parse_key(bad_char + apikey::checksum(bad_char)));  // checksum right, alphabet wrong
    CHECK(apikey::is_selector(std::string(p->selector)));
    CHECK_FALSE(apikey::is_selector("short"));
}

TEST_CASE("APIKeyAuthentication: TokenAuthentication's table, Api-Key keyword") {
    Fixture f(config());
    f.add_user("john", "pw");
    f.add_user("foo", "pw", /*active=*/false);
    const std::string key = create(f, "john");
    const std::string inactive = create(f, "foo");
    std::string typo = key;
    typo[25] = typo[25] == 'Q' ? 'R' : 'Q';
    struct Row {
        std::string authorization;
        int status;
        std::string detail;
    };
    const Row rows[] = {
        {"Api-Key " + key, 200, ""},
        {"api-key " + key, 200, ""},
        {"Api-Key", 401, "Invalid API key header. No credentials provided."},
        {"Api-Key a b", 401, "Invalid API key header. API key string should not contain spaces."},
        {"Api-Key " + typo, 401, "Invalid API key."},
        {"Api-Key " + with_other_secret(key), 401, "Invalid API key."},
        {"Api-Key " + apikey::generate_key(apikey::Environment::Live), 401, "Invalid API key."},
        {"Api-Key " + inactive, 401, "User inactive or deleted."},
        {"Api-Key " + std::string(5000, 'a'), 401, "Invalid API key."},
        {"Token " + key, 401, "Authentication credentials were not provided."},
        {"", 401, "Authentication credentials were not provided."},
    };
    for (const auto& row : rows) {
        CAPTURE(row.authorization);
        const auto d = f.decide(row.authorization);
        CHECK(d.status == row.status);
        CHECK(d.detail == row.detail);
        if (row.status == 401) CHECK(header(d, "WWW-Authenticate") == "Api-Key");
    }
    const auto d = f.decide("Api-Key " + key);
    CHECK(d.authenticator == "APIKeyAuthentication");
    CHECK(d.user->username == "john");
    const json auth = json::parse(*d.auth);
    CHECK(auth["type"] == "api_key");
    CHECK(auth["selector"] == key.substr(8, 12));
    CHECK(auth["name"] == "ci");
    CHECK(auth.dump().find(key.substr(20, 32)) == std::string::npos);  // the secret is not shown
}

TEST_CASE("a malformed key is refused before any lookup: a broken store is never reached") {
    Fixture f(config());
    f.add_user("john", "pw");
    const std::string key = create(f, "john");
    std::string typo = key;
    typo[30] = typo[30] == 'Z' ? 'Y' : 'Z';
    // Break the table: any lookup is now a store error (a 503), so a 401 proves none was made.
    auto sqlite =
        std::dynamic_pointer_cast<authpolicy::directory::sqlite::SqliteDirectory>(f.engine->services().directory());
    REQUIRE(sqlite);
    sqlite->database()->write([](authpolicy::directory::sqlite::Connection& c) { c.exec("DROP TABLE authp_api_key"); });
    CHECK_THROWS_AS(f.decide("Api-Key " + key), authpolicy::Error);  // well-formed: looked up, store fails
    const auto d = f.decide("Api-Key " + typo);
    CHECK(d.status == 401);
    CHECK(d.detail == "Invalid API key.");
    CHECK(f.decide("Api-Key ap_live_nothing").detail == "Invalid API key.");
}

TEST_CASE("keyword option, expiry (also once cached), revocation, deactivation") {
    Fixture f(config({{"DEFAULT_AUTHENTICATION_CLASSES", {{{"class", "APIKeyAuthentication"}, {"keyword", "Key"}}}}}));
    f.add_user("john", "pw");
    const std::string key = create(f, "john", "", 60);
    CHECK(f.decide("Key " + key).status == 200);
    CHECK(f.decide("Api-Key " + key).status == 401);
    CHECK(header(f.decide(""), "WWW-Authenticate") == "Key");
    f.clock->advance(59);
    CHECK(f.decide("Key " + key).status == 200);
    f.clock->advance(1);
    CHECK(f.decide("Key " + key).detail == "Invalid API key.");

    const std::string other = create(f, "john");
    CHECK(f.decide("Key " + other).status == 200);  // cached now
    auto& dir = *f.engine->services().directory();
    dir.set_active("john", false);
    CHECK(f.decide("Key " + other).detail == "User inactive or deleted.");
    dir.set_active("john", true);
    CHECK(f.decide("Key " + other).status == 200);
    admin(f).revoke_api_key(other.substr(8, 12));  // by selector; the cache drops it at once
    CHECK(f.decide("Key " + other).detail == "Invalid API key.");
    CHECK_THROWS_AS(admin(f).revoke_api_key(other), authpolicy::Error);  // already revoked
    const json listed = json::parse(admin(f).list_api_keys_json("john"));
    REQUIRE(listed.size() == 2);
    CHECK(listed[1]["selector"] == other.substr(8, 12));
    CHECK(listed[1]["revoked"].is_number());
    CHECK(listed[0]["revoked"].is_null());
    CHECK(listed[0]["expires"] == static_cast<int64_t>(f.clock->now()));  // made 60 s ago with expires_in 60
    CHECK(listed.dump().find(other.substr(20, 32)) == std::string::npos);
    try {
        admin(f).revoke_api_key("ap_live_" + std::string(50, 'x'));
        FAIL("a malformed key must be refused");
    } catch (const authpolicy::Error& e) {
        CHECK(e.code() == authpolicy::ErrorCode::Invalid);
        CHECK(std::string(e.what()).find("xxxx") == std::string::npos);  // never quoted
    }
}

TEST_CASE("scopes reach TokenHasScope as OAuth's do") {
    Fixture f(config());
    f.add_user("john", "pw");
    const std::string key = create(f, "john", "  read   deploy ");
    CHECK(f.decide("Api-Key " + key, "GET", "read").status == 200);
    const auto d = f.decide("Api-Key " + key, "GET", "write");
    CHECK(d.status == 403);
    CHECK(header(d, "WWW-Authenticate").find("insufficient_scope") != std::string::npos);
    CHECK(json::parse(*f.decide("Api-Key " + key, "GET", "read").auth)["scopes"] == json{"read", "deploy"});
    CHECK(json::parse(admin(f).list_api_keys_json(std::nullopt))[0]["scopes"] == "read deploy");
    CHECK_THROWS_AS(create(f, "john", "bad\"scope"), authpolicy::Error);
}

TEST_CASE("a key made under another pepper is refused") {
    Fixture f(config());
    f.add_user("john", "pw");
    const std::string key = admin(f).create_api_key(apikey::Pepper("another pepper, 32 bytes or more......"), "john",
                                                    "", "", 0, apikey::Environment::Test);
    CHECK(f.decide("Api-Key " + key).detail == "Invalid API key.");
}

TEST_CASE("last_used: noted on the hot path, written in batches, never in the way of a decision") {
    Fixture f(config());
    f.add_user("john", "pw");
    const std::string key = create(f, "john");
    CHECK(f.decide("Api-Key " + key).status == 200);
    CHECK(json::parse(admin(f).list_api_keys_json("john"))[0]["last_used"].is_null());  // not written per request
    auto* usage = f.engine->services().api_key_usage();
    REQUIRE(usage != nullptr);
    CHECK(usage->pending() == 1);
    CHECK(usage->flush() == 1);
    CHECK(json::parse(admin(f).list_api_keys_json("john"))[0]["last_used"] == static_cast<int64_t>(f.clock->now()));
    f.clock->advance(100);
    CHECK(f.decide("Api-Key " + key).status == 200);
    CHECK(usage->flush() == 1);
    CHECK(json::parse(admin(f).list_api_keys_json("john"))[0]["last_used"] == static_cast<int64_t>(f.clock->now()));

    // A failing write: decisions (from the cache) go on, the batch is kept for the next attempt.
    auto sqlite =
        std::dynamic_pointer_cast<authpolicy::directory::sqlite::SqliteDirectory>(f.engine->services().directory());
    sqlite->database()->write([](authpolicy::directory::sqlite::Connection& c) {
        c.exec("ALTER TABLE authp_api_key RENAME TO authp_api_key_away");
    });
    CHECK(f.decide("Api-Key " + key).status == 200);
    CHECK(usage->flush() == 0);
    CHECK(usage->pending() == 1);
    sqlite->database()->write([](authpolicy::directory::sqlite::Connection& c) {
        c.exec("ALTER TABLE authp_api_key_away RENAME TO authp_api_key");
    });
    CHECK(usage->flush() == 1);
}

TEST_CASE("last_used: the background writer's interval, and a final batch at shutdown") {
    const auto dir = std::filesystem::temp_directory_path() / ("authp_apikey_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string db = (dir / "d.sqlite3").string();
    std::filesystem::remove(db);
    std::string key;
    {
        Fixture f(
            config({{"DATABASE", db}, {"API_KEYS", {{"PEPPER_ENV", kPepperEnv}, {"LAST_USED_FLUSH_SECONDS", 0.05}}}}));
        f.add_user("john", "pw");
        key = create(f, "john");
        CHECK(f.decide("Api-Key " + key).status == 200);
        bool written = false;
        for (int i = 0; i < 200 && !written; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            written = !json::parse(admin(f).list_api_keys_json("john"))[0]["last_used"].is_null();
        }
        CHECK(written);
    }
    {
        Fixture f(
            config({{"DATABASE", db}, {"API_KEYS", {{"PEPPER_ENV", kPepperEnv}, {"LAST_USED_FLUSH_SECONDS", 3600}}}}));
        f.clock->advance(500);
        CHECK(f.decide("Api-Key " + key).status == 200);
    }  // the engine goes: its services write the last batch
    auto reopened = authpolicy::directory::open_directory(db, nullptr, 1000);
    CHECK(json::parse(reopened->list_api_keys_json("john"))[0]["last_used"] == 1700000500);
    std::filesystem::remove_all(dir);
}

TEST_CASE("API_KEYS: the pepper is required, never inline, at least 32 bytes; errors never show it") {
    auto build = [](const std::string& text) {
        authpolicy::Engine e(authpolicy::parse_config(json::parse(text), ""), {});
    };
    auto message = [&](const std::string& text) -> std::string {
        try {
            build(text);
        } catch (const authpolicy::Error& e) {
            CHECK(e.code() == authpolicy::ErrorCode::Config);
            return e.what();
        }
        return "<built>";
    };
    CHECK(message(R"({"DEFAULT_AUTHENTICATION_CLASSES": ["APIKeyAuthentication"]})")
              .find("APIKeyAuthentication needs \"API_KEYS\"") != std::string::npos);
    CHECK(message(R"({"API_KEYS": {"PEPPER": "inline-secret-inline-secret-inline-secret"}})")
              .find("use PEPPER_FILE or PEPPER_ENV") != std::string::npos);
    CHECK(message(R"({"API_KEYS": {}})").find("exactly one of PEPPER_FILE or PEPPER_ENV") != std::string::npos);
    unsetenv("AUTHP_UNIT_NO_SUCH_PEPPER");
    CHECK(message(R"({"API_KEYS": {"PEPPER_ENV": "AUTHP_UNIT_NO_SUCH_PEPPER"}})").find("is not set") !=
          std::string::npos);
    setenv("AUTHP_UNIT_SHORT_PEPPER", "short-secret", 1);
    const std::string short_msg = message(R"({"API_KEYS": {"PEPPER_ENV": "AUTHP_UNIT_SHORT_PEPPER"}})");
    CHECK(short_msg.find("at least 32 bytes") != std::string::npos);
    CHECK(short_msg.find("short-secret") == std::string::npos);
    const auto file = std::filesystem::temp_directory_path() / ("authp_pepper_" + std::to_string(::getpid()));
    std::ofstream(file) << std::string(40, 'p') << "\n";
    CHECK(message(json{{"DEFAULT_AUTHENTICATION_CLASSES", {"APIKeyAuthentication"}},
                       {"API_KEYS", {{"PEPPER_FILE", file.string()}}}}
                      .dump()) == "<built>");
    std::filesystem::remove(file);
    CHECK(message(json{{"API_KEYS", {{"PEPPER_FILE", file.string()}}}}.dump()).find("cannot read") !=
          std::string::npos);
}
