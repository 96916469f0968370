// The directory contract: one set of cases every backend must pass with the same results
// (issue 13: "the directory contract suite runs once per backend"). A backend's test calls
// check_directory_contract(fresh) inside a TEST_CASE; `fresh` returns an empty directory.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/apikey/api_key_format.h"
#include "core/apikey/api_key_settings.h"
#include "core/common/error.h"
#include "core/directory/directory.h"
#include "core/directory/directory_admin.h"

namespace authp_contract {

using authpolicy::Error;
using authpolicy::ErrorCode;
using authpolicy::crypto::sha256;
using authpolicy::directory::Directory;
using authpolicy::directory::DirectoryAdmin;
using authpolicy::directory::NewUser;
using authpolicy::directory::Revocation;
using authpolicy::directory::SessionRow;
using Fresh = std::function<std::shared_ptr<Directory>()>;

inline ErrorCode code_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::Error;  // "no error" reads as a failure in the CHECKs below
}

inline int64_t add(Directory& d, const char* name, bool active = true) {
    return d.add_user(NewUser{name, "pbkdf2_sha256$1000$salt$hash", active, false, false}, 100);
}

inline SessionRow session_of(int64_t user_id, int64_t expires = 10'000) {
    return SessionRow{user_id, "authhash", 100, 100, expires};
}

inline void check_directory_contract(const Fresh& fresh) {
    std::shared_ptr<Directory> dir = fresh();
    Directory& d = *dir;
    d.migrate();  // SQLite migrates when opened, PostgreSQL on first use: either way, now
    REQUIRE(d.schema().current == d.schema().latest);

    SUBCASE("users: add, find by name and id, taken names, unknown names") {
        const int64_t id = add(d, "alice");
        CHECK(id > 0);
        auto by_name = d.find_user("alice");
        REQUIRE(by_name);
        CHECK(by_name->id == id);
        CHECK(by_name->password == "pbkdf2_sha256$1000$salt$hash");
        CHECK(by_name->is_active);
        CHECK_FALSE(by_name->is_staff);
        REQUIRE(d.find_user(id));
        CHECK(d.find_user(id)->username == "alice");
        CHECK_FALSE(d.find_user("ALICE"));  // exact, case-sensitive match as Django's
        CHECK_FALSE(d.find_user(id + 1000));
        CHECK(code_of([&] { add(d, "alice"); }) == ErrorCode::Exists);
        CHECK(code_of([&] { d.set_active("nobody", false); }) == ErrorCode::NotFound);
        CHECK(code_of([&] { d.set_roles("nobody", true, true); }) == ErrorCode::NotFound);
        CHECK(code_of([&] { d.set_password_hash("nobody", "x"); }) == ErrorCode::NotFound);
        CHECK(code_of([&] { d.delete_user("nobody"); }) == ErrorCode::NotFound);
        d.set_roles("alice", true, true);
        d.set_active("alice", false);
        d.set_password_hash("alice", "!unusable");
        auto changed = d.find_user("alice");
        CHECK(changed->is_staff);
        CHECK(changed->is_superuser);
        CHECK_FALSE(changed->is_active);
        CHECK(changed->password == "!unusable");
        const auto list = nlohmann::json::parse(d.list_users_json());
        REQUIRE(list.size() == 1);
        CHECK(list[0] == nlohmann::json{{"id", id},
                                        {"username", "alice"},
                                        {"is_active", false},
                                        {"is_staff", true},
                                        {"is_superuser", true},
                                        {"date_joined", 100}});
    }

    SUBCASE("tokens: the owner in one query, expiry, revocation, listing without keys") {
        add(d, "alice");
        add(d, "bob");
        const auto k1 = sha256("key-one");
        const auto k2 = sha256("key-two");
        CHECK(d.add_token(k1, "alice", "laptop", 100, std::nullopt) > 0);
        CHECK(d.add_token(k2, "bob", "", 100, int64_t{500}) > 0);
        CHECK(code_of([&] { d.add_token(sha256("k3"), "nobody", "", 100, std::nullopt); }) == ErrorCode::NotFound);
        CHECK(code_of([&] { d.add_token(k1, "bob", "", 100, std::nullopt); }) == ErrorCode::Exists);
        auto t1 = d.find_token(k1);
        REQUIRE(t1);
        REQUIRE(t1->user);
        CHECK(t1->user->username == "alice");
        CHECK(t1->name == "laptop");
        CHECK(t1->created == 100);
        CHECK_FALSE(t1->expires);
        CHECK(d.find_token(k2)->expires == 500);
        CHECK_FALSE(d.find_token(sha256("unknown")));
        const auto all = nlohmann::json::parse(d.list_tokens_json(std::nullopt));
        REQUIRE(all.size() == 2);
        CHECK(all[0] ==
              nlohmann::json{
                  {"id", t1->id}, {"username", "alice"}, {"name", "laptop"}, {"created", 100}, {"expires", nullptr}});
        CHECK(nlohmann::json::parse(d.list_tokens_json("bob")).size() == 1);
        CHECK(code_of([&] { d.list_tokens_json("nobody"); }) == ErrorCode::NotFound);
        CHECK(d.revoke_token(k1));
        CHECK_FALSE(d.revoke_token(k1));
        CHECK_FALSE(d.find_token(k1));
        CHECK(nlohmann::json::parse(d.list_tokens_json("alice")).empty());
    }

    SUBCASE("sessions: find, touch, rotation on login, logout, per-user logout, purge") {
        const int64_t alice = add(d, "alice");
        const int64_t bob = add(d, "bob");
        const auto s1 = sha256("session-1");
        const auto s2 = sha256("session-2");
        d.add_session(s1, session_of(alice), std::nullopt);
        auto row = d.find_session(s1);
        REQUIRE(row);
        CHECK(row->user_id == alice);
        CHECK(row->auth_hash == "authhash");
        CHECK(row->expires == 10'000);
        d.touch_session(s1, 200);
        CHECK(d.find_session(s1)->last_seen == 200);
        d.touch_session(s1, 150);  // never backwards
        CHECK(d.find_session(s1)->last_seen == 200);
        d.add_session(s2, session_of(alice), s1);  // rotation: s1 goes in the same transaction
        CHECK_FALSE(d.find_session(s1));
        CHECK(d.find_session(s2));
        d.add_session(sha256("bob-1"), session_of(bob), std::nullopt);
        d.add_session(sha256("bob-2"), session_of(bob, 150), std::nullopt);
        CHECK(d.purge_expired_sessions(160) == 1);
        CHECK(d.remove_user_sessions(bob) == 1);
        CHECK(d.remove_session(s2));
        CHECK_FALSE(d.remove_session(s2));
        CHECK(d.remove_user_sessions(alice) == 0);
    }

    SUBCASE("OAuth tokens: stored by digest with client, scope and expiry") {
        add(d, "alice");
        const auto t = sha256("oauth-token");
        CHECK(d.add_oauth_token(t, "alice", "cli", "read write", 100, int64_t{900}) > 0);
        CHECK(code_of([&] { d.add_oauth_token(sha256("x"), "nobody", "", "", 100, std::nullopt); }) ==
              ErrorCode::NotFound);
        auto r = d.find_oauth_token(t);
        REQUIRE(r);
        CHECK(r->client_id == "cli");
        CHECK(r->scope == "read write");
        CHECK(r->expires == 900);
        CHECK(r->user->username == "alice");
        const auto list = nlohmann::json::parse(d.list_oauth_tokens_json(std::nullopt));
        REQUIRE(list.size() == 1);
        CHECK(list[0] == nlohmann::json{{"id", r->id},
                                        {"username", "alice"},
                                        {"client_id", "cli"},
                                        {"scope", "read write"},
                                        {"created", 100},
                                        {"expires", 900}});
        CHECK(code_of([&] { d.list_oauth_tokens_json("nobody"); }) == ErrorCode::NotFound);
        CHECK(d.revoke_oauth_token(t));
        CHECK_FALSE(d.revoke_oauth_token(t));
        CHECK_FALSE(d.find_oauth_token(t));
    }

    SUBCASE("deleting a user takes its tokens, OAuth tokens and sessions with it") {
        const int64_t id = add(d, "alice");
        d.add_token(sha256("k"), "alice", "", 100, std::nullopt);
        d.add_oauth_token(sha256("o"), "alice", "", "", 100, std::nullopt);
        d.add_session(sha256("s"), session_of(id), std::nullopt);
        d.delete_user("alice");
        CHECK_FALSE(d.find_user("alice"));
        CHECK_FALSE(d.find_token(sha256("k")));
        CHECK_FALSE(d.find_oauth_token(sha256("o")));
        CHECK_FALSE(d.find_session(sha256("s")));
        add(d, "alice");  // the name is free again
    }

    SUBCASE("the session secret is made once and kept") {
        const std::string secret = d.session_secret();
        CHECK(secret.size() >= 32);
        CHECK(d.session_secret() == secret);
    }

    SUBCASE("every write that takes something away is published, and only those") {
        const int64_t alice = add(d, "alice");
        const int64_t bob = add(d, "bob");
        std::mutex mutex;  // a backend may publish on its own thread (PostgreSQL's listener)
        std::vector<Revocation> seen;
        const uint64_t sub = d.subscribe([&](const Revocation& r) {
            std::lock_guard lock(mutex);
            seen.push_back(r);
        });
        const auto saw = [&](auto&& match) {
            std::lock_guard lock(mutex);
            for (const auto& r : seen)
                if (match(r)) return true;
            return false;
        };
        const auto eventually = [&](auto&& match) {
            for (int i = 0; i < 300 && !saw(match); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return saw(match);
        };
        const auto token = [](const authpolicy::crypto::Sha256& digest) {
            return [digest](const Revocation& r) { return r.kind == Revocation::Kind::Token && r.digest == digest; };
        };
        const auto user = [](int64_t id) {
            return [id](const Revocation& r) { return r.kind == Revocation::Kind::User && r.user_id == id; };
        };
        d.add_token(sha256("k"), "alice", "", 100, std::nullopt);
        CHECK(d.revoke_token(sha256("k")));
        CHECK(eventually(token(sha256("k"))));
        d.set_active("alice", false);
        CHECK(eventually(user(alice)));
        d.add_oauth_token(sha256("o"), "alice", "", "", 100, std::nullopt);
        CHECK(d.revoke_oauth_token(sha256("o")));
        CHECK(eventually(
            [](const Revocation& r) { return r.kind == Revocation::Kind::OAuthToken && r.digest == sha256("o"); }));
        d.add_session(sha256("s"), session_of(alice), std::nullopt);
        CHECK(d.remove_session(sha256("s")));
        CHECK(eventually(
            [](const Revocation& r) { return r.kind == Revocation::Kind::Session && r.digest == sha256("s"); }));
        // Nothing taken away, nothing said; and nothing reaches a sink once unsubscribed.
        CHECK_FALSE(d.revoke_token(sha256("never-issued")));
        CHECK_FALSE(d.remove_session(sha256("never-made")));
        d.unsubscribe(sub);
        d.set_active("bob", false);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        CHECK_FALSE(saw(token(sha256("never-issued"))));
        CHECK_FALSE(saw([](const Revocation& r) { return r.digest == sha256("never-made"); }));
        CHECK_FALSE(saw(user(bob)));
    }

    SUBCASE("API keys: by selector with owner and verifier; revoke keeps the row; last-used batches") {
        const int64_t alice = add(d, "alice");
        add(d, "bob");
        authpolicy::directory::NewApiKey k;
        k.selector = "AAAAAAAAAAA1";
        k.prefix = "ap_live_";
        k.verifier = sha256("verifier-1");
        k.username = "alice";
        k.name = "ci";
        k.scopes = "read deploy";
        k.created = 100;
        k.expires = 5000;
        const int64_t id = d.add_api_key(k);
        CHECK(id > 0);
        auto found = d.find_api_key("AAAAAAAAAAA1");
        REQUIRE(found);
        CHECK(found->id == id);
        CHECK(found->selector == "AAAAAAAAAAA1");
        CHECK(found->prefix == "ap_live_");
        CHECK(found->verifier == sha256("verifier-1"));
        CHECK(found->name == "ci");
        CHECK(found->scopes == "read deploy");
        CHECK(found->created == 100);
        CHECK(found->expires == 5000);
        CHECK_FALSE(found->revoked);
        REQUIRE(found->user);
        CHECK(found->user->id == alice);
        CHECK_FALSE(d.find_api_key("AAAAAAAAAAA2"));
        CHECK_FALSE(d.find_api_key("aaaaaaaaaaa1"));  // exact match
        CHECK(code_of([&] { d.add_api_key(k); }) == ErrorCode::Exists);
        k.selector = "AAAAAAAAAAA2";
        k.username = "ghost";
        CHECK(code_of([&] { d.add_api_key(k); }) == ErrorCode::NotFound);
        k.username = "bob";
        k.expires = std::nullopt;
        k.verifier = sha256("verifier-2");
        d.add_api_key(k);
        CHECK_FALSE(d.find_api_key("AAAAAAAAAAA2")->expires);

        d.record_api_keys_used({{"AAAAAAAAAAA1", 700}, {"AAAAAAAAAAA2", 800}, {"NOSUCHKEY000", 900}});
        d.record_api_keys_used({{"AAAAAAAAAAA1", 600}});  // never backwards
        d.record_api_keys_used({});
        auto listed = nlohmann::json::parse(d.list_api_keys_json(std::nullopt));
        REQUIRE(listed.size() == 2);
        CHECK(listed[0]["id"] == id);
        CHECK(listed[0]["selector"] == "AAAAAAAAAAA1");
        CHECK(listed[0]["prefix"] == "ap_live_");
        CHECK(listed[0]["username"] == "alice");
        CHECK(listed[0]["name"] == "ci");
        CHECK(listed[0]["scopes"] == "read deploy");
        CHECK(listed[0]["created"] == 100);
        CHECK(listed[0]["expires"] == 5000);
        CHECK(listed[0]["last_used"] == 700);
        CHECK(listed[0]["revoked"].is_null());
        CHECK(listed[1]["last_used"] == 800);
        CHECK(listed[1]["expires"].is_null());
        CHECK(nlohmann::json::parse(d.list_api_keys_json("bob")).size() == 1);
        CHECK(code_of([&] { d.list_api_keys_json("ghost"); }) == ErrorCode::NotFound);

        std::vector<Revocation> seen;
        std::mutex m;
        const uint64_t sub = d.subscribe([&](const Revocation& r) {
            std::lock_guard lock(m);
            seen.push_back(r);
        });
        CHECK(d.revoke_api_key("AAAAAAAAAAA1", 1234));
        CHECK_FALSE(d.revoke_api_key("AAAAAAAAAAA1", 1300));  // already revoked
        CHECK_FALSE(d.revoke_api_key("NOSUCHKEY000", 1300));
        // The caches key API keys by verifier: the revocation carries it as a token digest.
        bool told = false;
        for (int i = 0; i < 500 && !told; ++i) {
            {
                std::lock_guard lock(m);
                for (const auto& r : seen)
                    told = told || (r.kind == Revocation::Kind::Token && r.digest == sha256("verifier-1"));
            }
            if (!told) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CHECK(told);
        d.unsubscribe(sub);
        CHECK(d.find_api_key("AAAAAAAAAAA1")->revoked == 1234);
        CHECK(nlohmann::json::parse(d.list_api_keys_json("alice"))[0]["revoked"] == 1234);

        d.delete_user("bob");  // its keys go with it
        CHECK_FALSE(d.find_api_key("AAAAAAAAAAA2"));
    }

    SUBCASE("DirectoryAdmin: API keys are minted, shown once, and never stored") {
        add(d, "john");
        DirectoryAdmin admin(dir, 1000, [] { return 1000.0; });
        const authpolicy::apikey::Pepper pepper(std::string(40, 'p'));
        const std::string key = admin.create_api_key(pepper, "john", "deploy", " write  read ", 3600,
                                                     authpolicy::apikey::Environment::Live);
        const auto parsed = authpolicy::apikey::parse_key(key);
        REQUIRE(parsed);
        auto row = d.find_api_key(parsed->selector);
        REQUIRE(row);
        CHECK(row->verifier == pepper.verifier(parsed->selector, parsed->secret));
        CHECK(row->scopes == "write read");
        CHECK(row->expires == 1000 + 3600);
        CHECK(row->created == 1000);
        const std::string listing = admin.list_api_keys_json("john");
        CHECK(listing.find(std::string(parsed->secret)) == std::string::npos);
        CHECK(listing.find(key) == std::string::npos);
        const std::string test_key =
            admin.create_api_key(pepper, "john", "", "", 0, authpolicy::apikey::Environment::Test);
        CHECK(d.find_api_key(authpolicy::apikey::parse_key(test_key)->selector)->prefix == "ap_test_");
        CHECK(code_of([&] {
                  admin.create_api_key(pepper, "ghost", "", "", 0, authpolicy::apikey::Environment::Live);
              }) == ErrorCode::NotFound);
        CHECK(code_of([&] {
                  admin.create_api_key(pepper, "john", "", "", -1, authpolicy::apikey::Environment::Live);
              }) == ErrorCode::Invalid);
        CHECK(code_of([&] {
                  admin.create_api_key(pepper, "john", "", "a\\b", 0, authpolicy::apikey::Environment::Live);
              }) == ErrorCode::Invalid);
        CHECK(code_of([&] { admin.revoke_api_key("not-a-key"); }) == ErrorCode::Invalid);
        admin.revoke_api_key(key);  // by the whole key
        CHECK(code_of([&] { admin.revoke_api_key(parsed->selector); }) == ErrorCode::NotFound);
        CHECK(code_of([&] { admin.revoke_api_key("ZZZZZZZZZZZZ"); }) == ErrorCode::NotFound);
    }

    SUBCASE("DirectoryAdmin: the business rules, written once") {
        DirectoryAdmin admin(dir, 1000, [] { return 1000.0; });
        // NFKC as Django's normalize_username: fullwidth letters become ASCII.
        const int64_t id = admin.add_user("\xef\xbd\x8a\xef\xbd\x8f\xef\xbd\x88\xef\xbd\x8e", "pw", {});
        CHECK(d.find_user(id)->username == "john");
        CHECK(d.find_user("john")->password.rfind("pbkdf2_sha256$1000$", 0) == 0);
        CHECK(code_of([&] { admin.add_user("a b", "pw", {}); }) == ErrorCode::Invalid);
        CHECK(code_of([&] { admin.add_user(std::string(151, 'a'), "pw", {}); }) == ErrorCode::Invalid);
        CHECK(code_of([&] { admin.add_user("a:b", "pw", {}); }) == ErrorCode::Invalid);
        CHECK(code_of([&] { admin.add_user("admin\xe2\x80\x8b", "pw", {}); }) == ErrorCode::Invalid);  // ZWSP
        CHECK(code_of([&] { admin.set_active("a b", false); }) == ErrorCode::Invalid);
        admin.add_user("nopass", std::nullopt, {false, true, false});
        CHECK(d.find_user("nopass")->password.rfind('!', 0) == 0);
        CHECK_FALSE(d.find_user("nopass")->is_active);
        CHECK(d.find_user("nopass")->is_staff);

        const std::string key = admin.create_token("john", "ci", 3600);
        CHECK(key.size() == 40);
        CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
        auto token = d.find_token(sha256(key));
        REQUIRE(token);
        CHECK(token->expires == 1000 + 3600);
        CHECK(d.list_tokens_json(std::nullopt).find(key) == std::string::npos);
        CHECK(code_of([&] { admin.create_token("john", "", -1); }) == ErrorCode::Invalid);
        CHECK(code_of([&] { admin.create_token("john", std::string(201, 'n'), 0); }) == ErrorCode::Invalid);
        CHECK(code_of([&] { admin.create_token("ghost", "", 0); }) == ErrorCode::NotFound);
        admin.revoke_token(key);
        CHECK(code_of([&] { admin.revoke_token(key); }) == ErrorCode::NotFound);

        const std::string oauth = admin.create_oauth_token("john", "cli", "  read   write ", 0);
        CHECK(oauth.size() == 43);
        CHECK(d.find_oauth_token(sha256(oauth))->scope == "read write");
        CHECK(code_of([&] { admin.create_oauth_token("john", "cli", "re\"ad", 0); }) == ErrorCode::Invalid);
        admin.revoke_oauth_token(oauth);
        CHECK(code_of([&] { admin.revoke_oauth_token(oauth); }) == ErrorCode::NotFound);

        d.add_session(sha256("s"), session_of(id), std::nullopt);
        CHECK(admin.logout_user("john") == 1);
        CHECK(code_of([&] { admin.logout_user("ghost"); }) == ErrorCode::NotFound);
        admin.delete_user("nopass");
        CHECK_FALSE(d.find_user("nopass"));

        DirectoryAdmin broken_clock(dir, 1000, [] { return std::numeric_limits<double>::quiet_NaN(); });
        CHECK(code_of([&] { broken_clock.create_token("john", "", 0); }) == ErrorCode::Callback);
    }
}

}  // namespace authp_contract
