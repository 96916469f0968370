// DRF's rate strings (drf-spec §5.1) and client identity (§5.4).
#include <doctest/doctest.h>

#include "core/http/text_encoding.h"
#include "core/throttle/client_ident.h"
#include "core/throttle/rate.h"

using authpolicy::throttle::client_ident;
using authpolicy::throttle::parse_rate;

TEST_CASE("parse_rate: only the first letter of the period counts, case-sensitively") {
    const std::pair<const char*, std::pair<long, double>> ok[] = {
        {"100/day", {100, 86400}}, {"1/s", {1, 1}},       {"5/sec", {5, 1}},          {"10/minute", {10, 60}},
        {"3/hour", {3, 3600}},     {"3/hxyz", {3, 3600}}, {"7/dinosaur", {7, 86400}}, {"0/m", {0, 60}},
    };
    for (const auto& [text, expected] : ok) {
        CAPTURE(text);
        const auto r = parse_rate(text, nullptr);
        REQUIRE(r);
        CHECK(r->num_requests == expected.first);
        CHECK(r->duration == expected.second);
    }
    for (const char* bad : {"100", "100/", "x/d", "1/w", "1/2/3", "1/S", "-1/s", "/s"}) {
        CAPTURE(bad);
        std::string error;
        CHECK_FALSE(parse_rate(bad, &error));
        CHECK(error.find("invalid rate") == 0);
    }
}

namespace {
authpolicy::http::Request with(const char* remote, const char* xff) {
    authpolicy::http::Request r;
    if (remote) r.set_remote_addr(remote);
    if (xff) r.add_header("X-Forwarded-For", xff);
    return r;
}
}  // namespace

TEST_CASE("get_ident with NUM_PROXIES (REMOTE_ADDR 3.3.3.3, XFF '0.0.0.0, 1.1.1.1, 2.2.2.2')") {
    const auto r = with("3.3.3.3", "0.0.0.0, 1.1.1.1, 2.2.2.2");
    CHECK(client_ident(r, std::nullopt) == "0.0.0.0,1.1.1.1,2.2.2.2");
    CHECK(client_ident(r, 0) == "3.3.3.3");
    CHECK(client_ident(r, 1) == "2.2.2.2");
    CHECK(client_ident(r, 2) == "1.1.1.1");
    CHECK(client_ident(r, 5) == "0.0.0.0");
}

TEST_CASE("get_ident edge cases: padded XFF, empty XFF, no XFF, no REMOTE_ADDR") {
    for (std::optional<int> n :
         {std::optional<int>{}, std::optional<int>{1}, std::optional<int>{2}, std::optional<int>{5}})
        CHECK(client_ident(with("3.3.3.3", " 1.1.1.1 "), n) == "1.1.1.1");
    CHECK(client_ident(with("3.3.3.3", ""), std::nullopt) == "3.3.3.3");
    CHECK(client_ident(with("3.3.3.3", ""), 0) == "3.3.3.3");
    CHECK(client_ident(with("3.3.3.3", ""), 1) == "");
    for (std::optional<int> n : {std::optional<int>{}, std::optional<int>{0}, std::optional<int>{3}})
        CHECK(client_ident(with("3.3.3.3", nullptr), n) == "3.3.3.3");
    CHECK(client_ident(with(nullptr, nullptr), std::nullopt) == "None");  // throttle_anon_None
}

// Found by tests/fuzz/fuzz_config (docs/reliability.md): the message quoted the first 64 bytes of
// the rate and could cut a UTF-8 sequence in two, so authp_error_last() was not valid UTF-8.
TEST_CASE("parse_rate: the error message is valid UTF-8 when the quoted prefix ends inside a character") {
    const std::string rate = std::string(63, 'x') + "\xc3\xa9/day";  // 'é' straddles byte 64
    std::string error;
    CHECK_FALSE(parse_rate(rate, &error));
    CHECK(authpolicy::http::is_valid_utf8(error));
    CHECK(error.find(std::string(63, 'x') + "...'") != std::string::npos);  // shown_name marks the cut
}
