// The LOGIN_FAILURES scenario (issue 22 finding 13), run against each counter backend: memory,
// SQLite (login_failures_test.cpp) and Redis (throttle_shared_state_test.cpp).
#pragma once

#include <doctest/doctest.h>

#include <atomic>

#include "test_support.h"

namespace authp_test {

// `backend` is a THROTTLE_BACKEND object as JSON text ("" for the default, memory).
inline void check_login_failures(const std::string& backend, const std::string& database = ":memory:") {
    auto verifications = std::make_shared<std::atomic<int>>(0);
    auto lines = std::make_shared<std::vector<std::string>>();
    authpolicy::HostHooks hooks;
    // Counts the password checks that reach the hasher (then lets the engine check the hash).
    hooks.password_verify = [verifications](const authpolicy::User&, std::string_view) -> std::optional<bool> {
        ++*verifications;
        return std::nullopt;
    };
    hooks.logger = [lines](authpolicy::LogLevel, std::string_view m) { lines->emplace_back(m); };
    std::string config = R"({"LOGIN_FAILURES": {"LIMIT": 3, "WINDOW": 60, "CLIENT_LIMIT": 10},
                             "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "CACHE": {"TTL": 0},
                             "DATABASE": ")" +
                         database + "\"";
    if (!backend.empty()) config += R"(, "THROTTLE_BACKEND": )" + backend;
    Fixture f(config + "}", hooks);
    f.add_user("alice", "right");
    f.add_user("bob", "right");
    const double t0 = f.clock->now();
    auto login = [&](const char* user, const char* password, const char* client) {
        auto r = request(basic(std::string(user) + ":" + password));
        r.set_remote_addr(client);
        return f.decide(r);
    };
    for (int i = 0; i < 3; ++i) CHECK(login("alice", "guess", "203.0.113.1").status == 401);
    CHECK(*verifications == 3);
    // Locked: refused with 429 and Retry-After, and the hasher does not run (not even for the right password).
    auto d = login("alice", "right", "203.0.113.1");
    CHECK(d.status == 429);
    CHECK(d.code == "throttled");
    CHECK(header(d, "Retry-After") == "1");
    CHECK(d.detail == "Request was throttled. Expected available in 1 second.");
    CHECK(*verifications == 3);
    // The same user from elsewhere is not locked out; neither is another user from the same client.
    CHECK(login("alice", "right", "198.51.100.7").status == 200);
    CHECK(login("bob", "right", "203.0.113.1").status == 200);
    // Exponential back-off: each failure after the limit doubles the wait (1, 2, 4 s).
    f.clock->set(t0 + 1);
    CHECK(login("alice", "guess", "203.0.113.1").status == 401);  // 4th failure
    CHECK(header(login("alice", "guess", "203.0.113.1"), "Retry-After") == "2");
    f.clock->set(t0 + 3);
    CHECK(login("alice", "guess", "203.0.113.1").status == 401);  // 5th failure
    CHECK(header(login("alice", "guess", "203.0.113.1"), "Retry-After") == "4");
    // A success resets the pair.
    f.clock->set(t0 + 7);
    CHECK(login("alice", "right", "203.0.113.1").status == 200);
    CHECK(login("alice", "guess", "203.0.113.1").status == 401);
    CHECK(login("alice", "guess", "203.0.113.1").status == 401);
    CHECK(login("alice", "right", "203.0.113.1").status == 200);
    // CLIENT_LIMIT: failures across usernames from one client lock that client (the 7 above count).
    f.clock->set(t0 + 8);
    CHECK(login("carol", "x", "203.0.113.1").status == 401);  // unknown users count too
    CHECK(login("dave", "x", "203.0.113.1").status == 401);
    CHECK(login("frank", "x", "203.0.113.1").status == 401);  // the 10th
    CHECK(login("erin", "x", "203.0.113.1").status == 429);
    CHECK(login("bob", "right", "203.0.113.1").status == 429);
    CHECK(login("bob", "right", "198.51.100.7").status == 200);
    // The window: a count lapses WINDOW seconds after its last failure.
    f.clock->set(t0 + 8 + 61);
    CHECK(login("erin", "x", "203.0.113.1").status == 401);
    // The failures reached the host's logger, without the password.
    REQUIRE(lines->size() >= 3);
    CHECK((*lines)[0].find("failed login for user 'alice' from client '203.0.113.1'") != std::string::npos);
    bool refused_line = false;
    for (const auto& l : *lines) {
        CHECK(l.find("guess") == std::string::npos);
        refused_line = refused_line || l.find("this pair is now refused") != std::string::npos;
    }
    CHECK(refused_line);
}

}  // namespace authp_test
