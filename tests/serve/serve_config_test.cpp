// SERVE: defaults, every key, and errors that name the key.
#include <doctest/doctest.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "server/serve_config.h"

using authpolicy::server::parse_host_port;
using authpolicy::server::parse_serve_settings;

namespace {
std::string error_of(const char* json) {
    try {
        parse_serve_settings(nlohmann::json::parse(json));
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("SERVE: defaults (>= 256 keep-alive connections, ext_authz prefix)") {
    const auto s = parse_serve_settings(nullptr);
    CHECK(s.max_connections >= 256);
    CHECK(s.ext_authz_path_prefix == "/ext_authz");
    CHECK(s.identity.user == "x-auth-user");
    CHECK(s.decision_log.target == "stderr");
    CHECK(s.http.empty());
}

TEST_CASE("SERVE: keys") {
    const auto s = parse_serve_settings(nlohmann::json::parse(R"({
      "http": "127.0.0.1:0", "grpc": "[::1]:9001", "metrics": "127.0.0.1:9100",
      "ext_authz_path_prefix": "/envoy", "threads": 2, "max_connections": 300, "max_in_flight": 8,
      "header_limit": 4096, "body_limit": 0, "idle_timeout_ms": 1000, "request_timeout_ms": 500,
      "shed_lag_ms": 20, "drain_timeout_ms": 0,
      "identity_headers": {"user": "X-User", "user_id": "x-uid", "authenticator": "x-authn"},
      "decision_log": {"target": "off", "sample": 0.5}})"));
    CHECK(s.grpc == "[::1]:9001");
    CHECK(s.ext_authz_path_prefix == "/envoy");
    CHECK(s.max_connections == 300);
    CHECK(s.request_timeout.count() == 500);
    CHECK(s.identity.user == "x-user");  // sent lower-case
    CHECK(s.decision_log.sample == 0.5);
}

TEST_CASE("SERVE: errors name the key") {
    CHECK(error_of("[]") == "$.SERVE: expected an object");
    CHECK(error_of(R"({"http": 80})") == "$.SERVE.http: expected a string");
    CHECK(error_of(R"({"http": "localhost"})").rfind("$.SERVE.http: expected host:port", 0) == 0);
    CHECK(error_of(R"({"http": "127.0.0.1:70000"})") == "$.SERVE.http: the port is a number from 0 to 65535");
    CHECK(error_of(R"({"max_connections": 0})") == "$.SERVE.max_connections: expected an integer from 1 to 1000000");
    CHECK(error_of(R"({"ext_authz_path_prefix": "/auth"})") ==
          "$.SERVE.ext_authz_path_prefix: may not overlap the forward-auth path /auth");
    CHECK(error_of(R"({"identity_headers": {"user": "x user"}})") ==
          "$.SERVE.identity_headers.user: not a valid header name");
    CHECK(error_of(R"({"decision_log": {"sample": 2}})") ==
          "$.SERVE.decision_log.sample: expected a number from 0 to 1");
    CHECK(error_of(R"({"bogus": 1})").rfind("$.SERVE.bogus: unknown key", 0) == 0);
}

TEST_CASE("host:port") {
    CHECK(parse_host_port("[::1]:8080", "x").host == "::1");
    CHECK(parse_host_port("127.0.0.1:0", "x").port == 0);
    CHECK_THROWS_AS(parse_host_port(":80", "x"), std::invalid_argument);
    CHECK_THROWS_AS(parse_host_port("h:", "x"), std::invalid_argument);
    CHECK_THROWS_AS(parse_host_port("h:8x", "x"), std::invalid_argument);
}
