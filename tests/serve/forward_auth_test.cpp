// The forward-auth request (/auth) → ForwardedRequest: Traefik/Caddy X-Forwarded-*, nginx
// X-Original-*, failing closed without the original URI; identity header values lose CR/LF.
#include <doctest/doctest.h>

#include "server/forward_auth.h"

using authpolicy::server::find_header;
using authpolicy::server::forward_auth_request;
using authpolicy::server::header_safe;
using authpolicy::server::HeaderList;

TEST_CASE("forward-auth: Traefik / Caddy X-Forwarded-* headers") {
    const HeaderList h = {{"Host", "authp:8080"},
                          {"X-Forwarded-Method", "DELETE"},
                          {"X-Forwarded-Uri", "/api/items/7?token=secret"},
                          {"X-Forwarded-Host", "api.example"},
                          {"X-Forwarded-Proto", "https"},
                          {"Authorization", "Token abc"}};
    std::string error;
    const auto r = forward_auth_request("GET", h, "10.0.0.5", &error);
    REQUIRE(r.has_value());
    CHECK(r->method == "DELETE");
    CHECK(r->path == "/api/items/7");  // the query is gone before routing or logging
    CHECK(r->host == "api.example");
    CHECK(r->secure);
    CHECK(r->remote_addr == "10.0.0.5");
    CHECK(r->front_end == "forward_auth");
    REQUIRE(find_header(r->headers, "authorization") != nullptr);
    CHECK(*find_header(r->headers, "AUTHORIZATION") == "Token abc");
}

TEST_CASE("forward-auth: nginx X-Original-URI / X-Original-Method, Host as the host") {
    const HeaderList h = {{"host", "www.example"},
                          {"x-original-uri", "/a"},
                          {"x-original-method", "POST"},
                          {"x-forwarded-proto", "http"}};
    std::string error;
    const auto r = forward_auth_request("GET", h, "127.0.0.1", &error);
    REQUIRE(r.has_value());
    CHECK(r->method == "POST");
    CHECK(r->path == "/a");
    CHECK(r->host == "www.example");
    CHECK_FALSE(r->secure);
}

TEST_CASE("forward-auth: X-Forwarded-* wins over X-Original-*; the /auth method is the fallback") {
    const HeaderList h = {{"X-Original-URI", "/nginx"}, {"X-Forwarded-Uri", "/traefik"}};
    std::string error;
    const auto r = forward_auth_request("PATCH", h, "", &error);
    REQUIRE(r.has_value());
    CHECK(r->path == "/traefik");
    CHECK(r->method == "PATCH");
}

TEST_CASE("forward-auth: no original URI, or not a path, fails closed") {
    std::string error;
    CHECK_FALSE(forward_auth_request("GET", {{"Host", "x"}}, "", &error).has_value());
    CHECK(error == "the original request's URI is missing: send X-Forwarded-Uri or X-Original-URI");
    CHECK_FALSE(forward_auth_request("GET", {{"X-Forwarded-Uri", ""}}, "", &error).has_value());
    CHECK_FALSE(forward_auth_request("GET", {{"X-Forwarded-Uri", "http://evil/a"}}, "", &error).has_value());
    CHECK(error == "X-Forwarded-Uri / X-Original-URI must be a path starting with '/'");
    CHECK_FALSE(forward_auth_request("GET", {{"X-Forwarded-Uri", "?/a"}}, "", &error).has_value());
}

TEST_CASE("identity header values never carry CR, LF or NUL") {
    CHECK(header_safe("alice\r\nX-Admin: 1") == "aliceX-Admin: 1");
    CHECK(header_safe(std::string("a\0b", 3)) == "ab");
    CHECK(header_safe("zoë") == "zoë");
}
