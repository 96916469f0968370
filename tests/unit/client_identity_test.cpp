// Security review (issue 22) findings 1 and 2: who an anonymous request is, and whose budget it
// spends. Each case names the finding it pins.
#include <doctest/doctest.h>

#include "core/common/error.h"
#include "core/throttle/client_ident.h"
#include "test_support.h"

using authp_test::basic;
using authp_test::Fixture;
using authpolicy::throttle::client_ident;
using authpolicy::throttle::ClientIdentitySettings;

namespace {

authpolicy::Decision anon(Fixture& f, const char* remote, const char* xff) {
    auto r = authp_test::request();
    r.set_remote_addr(remote);
    if (xff) r.add_header("X-Forwarded-For", xff);
    return f.decide(r);
}

authpolicy::http::Request with(const char* remote, const char* xff) {
    authpolicy::http::Request r;
    if (remote) r.set_remote_addr(remote);
    if (xff) r.add_header("X-Forwarded-For", xff);
    return r;
}

ClientIdentitySettings trusting(std::initializer_list<const char*> blocks, std::optional<int> n = {}) {
    ClientIdentitySettings s;
    for (const char* b : blocks) REQUIRE(s.trusted.add(b));
    s.num_proxies = n;
    return s;
}

}  // namespace

TEST_CASE("finding 22.1: with NUM_PROXIES unset, rotating X-Forwarded-For does not bypass the anonymous throttle") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "2/min"}})");
    CHECK(anon(f, "198.51.100.9", "1.1.1.1").status == 200);
    CHECK(anon(f, "198.51.100.9", "2.2.2.2").status == 200);
    CHECK(anon(f, "198.51.100.9", "3.3.3.3").status == 429);  // same remote address, same budget
    CHECK(anon(f, "198.51.100.10", "3.3.3.3").status == 200);
}

TEST_CASE("finding 22.1: \"CLIENT_IDENTITY\": \"drf\" keeps DRF's unset rule (the whole header)") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"], "DEFAULT_THROTTLE_RATES": {"anon": "1/min"},
                  "CLIENT_IDENTITY": "drf"})");
    CHECK(anon(f, "198.51.100.9", "1.1.1.1").status == 200);
    CHECK(anon(f, "198.51.100.9", "2.2.2.2").status == 200);
    CHECK(anon(f, "198.51.100.9", "2.2.2.2").status == 429);
    ClientIdentitySettings drf;
    drf.mode = ClientIdentitySettings::Mode::Drf;
    CHECK(client_ident(with("3.3.3.3", " 0.0.0.0, 1.1.1.1"), drf) == "0.0.0.0,1.1.1.1");
    CHECK(client_ident(with("3.3.3.3", " 0.0.0.0, 1.1.1.1"), ClientIdentitySettings{}) == "3.3.3.3");
}

TEST_CASE("finding 22.1: NUM_PROXIES set applies DRF's rule as before") {
    ClientIdentitySettings s;
    s.num_proxies = 1;
    CHECK(client_ident(with("3.3.3.3", "0.0.0.0, 1.1.1.1, 2.2.2.2"), s) == "2.2.2.2");
    s.num_proxies = 2;
    CHECK(client_ident(with("3.3.3.3", "0.0.0.0, 1.1.1.1, 2.2.2.2"), s) == "1.1.1.1");
}

TEST_CASE("finding 22.1: TRUSTED_PROXIES believes a hop's entry only when the hop is trusted") {
    const char* xff = "6.6.6.6, 203.0.113.5, 10.1.2.3";
    // The remote address is not a proxy: the header is a client's claim.
    CHECK(client_ident(with("198.51.100.9", xff), trusting({"10.0.0.0/8"})) == "198.51.100.9");
    // 10.0.0.1 → its entry 10.1.2.3 (also trusted) → its entry 203.0.113.5 (not trusted): the client.
    CHECK(client_ident(with("10.0.0.1", xff), trusting({"10.0.0.0/8"})) == "203.0.113.5");
    // NUM_PROXIES caps the walk.
    CHECK(client_ident(with("10.0.0.1", xff), trusting({"10.0.0.0/8"}, 1)) == "10.1.2.3");
    // IPv6 blocks, IPv4-mapped addresses, single addresses; garbage is never trusted.
    CHECK(client_ident(with("2001:db8::1", "5.5.5.5"), trusting({"2001:db8::/32"})) == "5.5.5.5");
    CHECK(client_ident(with("::ffff:10.9.9.9", "5.5.5.5"), trusting({"10.0.0.0/8"})) == "5.5.5.5");
    CHECK(client_ident(with("192.0.2.7", "5.5.5.5"), trusting({"192.0.2.7"})) == "5.5.5.5");
    CHECK(client_ident(with("192.0.2.8", "5.5.5.5"), trusting({"192.0.2.7"})) == "192.0.2.8");
    CHECK(client_ident(with("10.0.0.1", "junk, 10.0.0.2"), trusting({"10.0.0.0/8"})) == "junk");
    CHECK(client_ident(with("10.0.0.1", "10.0.0.3, junk"), trusting({"10.0.0.0/8"})) == "junk");
    ClientIdentitySettings bad;
    for (const char* b : {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "::/129", "x", "", "10.0.0.0/8x", "1.2.3.4/-1"}) {
        CAPTURE(b);
        CHECK_FALSE(bad.trusted.add(b));
    }
}

TEST_CASE("finding 22.1: TRUSTED_PROXIES and CLIENT_IDENTITY are validated at configuration") {
    for (const char* bad : {R"({"TRUSTED_PROXIES": ["10.0.0.0/40"]})", R"({"TRUSTED_PROXIES": "10.0.0.0/8"})",
                            R"({"TRUSTED_PROXIES": [7]})", R"({"CLIENT_IDENTITY": "xff"})",
                            R"({"CLIENT_IDENTITY": "drf", "TRUSTED_PROXIES": ["10.0.0.0/8"]})"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(Fixture{bad}, authpolicy::Error);
    }
    Fixture ok(
        R"({"TRUSTED_PROXIES": ["10.0.0.0/8", "fd00::/8"], "NUM_PROXIES": 2, "CLIENT_IDENTITY": "remote_addr"})");
}

TEST_CASE("finding 22.2: anonymous and user throttle keys are separate key spaces") {
    Fixture f(R"({"DEFAULT_THROTTLE_CLASSES": ["UserRateThrottle"], "DEFAULT_THROTTLE_RATES": {"user": "2/min"},
                  "NUM_PROXIES": 1})");
    const int64_t id = f.add_user("alice", "pw");
    REQUIRE(id == 1);
    CHECK(anon(f, "198.51.100.9", std::to_string(id).c_str()).status == 200);
    CHECK(anon(f, "198.51.100.9", std::to_string(id).c_str()).status == 200);
    CHECK(anon(f, "198.51.100.9", std::to_string(id).c_str()).status == 429);
    auto r = authp_test::request(basic("alice:pw"));
    r.set_remote_addr("198.51.100.9");
    CHECK(f.decide(r).status == 200);  // user 1's budget is untouched
}
