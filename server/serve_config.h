// SERVE: the settings of `authpolicy serve` (listeners, limits, identity headers, decision log).
// They come from the configuration file's "SERVE" object; command-line flags win. The engine's
// own parser ignores this key; this one validates it and names the bad key in its errors.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace authpolicy::server {

struct IdentityHeaderNames {
    std::string user = "x-auth-user";
    std::string user_id = "x-auth-user-id";
    std::string authenticator = "x-auth-authenticator";
};

struct DecisionLogSettings {
    std::string target = "stderr";  // "stderr", "off", or a file path (opened in append mode)
    double sample = 1.0;            // the share of decisions written, 0…1
};

struct ServeSettings {
    std::string http;     // "host:port" of the forward-auth listener
    std::string grpc;     // "host:port" of Envoy's ext_authz gRPC listener ("" = none)
    std::string metrics;  // "host:port" of a separate /metrics, /healthz, /readyz listener ("" = on http)
    std::string ext_authz_path_prefix = "/ext_authz";

    unsigned threads = 0;                              // I/O threads; 0 = one per core
    std::size_t max_connections = 10240;               // open connections at once; over it: 503 and close
    std::size_t max_in_flight = 1024;                  // decisions running at once, all front ends together
    std::size_t header_limit = 16384;                  // bytes of request line + headers
    std::size_t body_limit = 65536;                    // bytes of a request body (forward-auth needs none)
    std::chrono::milliseconds idle_timeout{75000};     // keep-alive wait for the next request
    std::chrono::milliseconds request_timeout{10000};  // first byte → complete request (slowloris)
    std::chrono::milliseconds shed_lag{50};            // I/O thread lag that means "over capacity"
    std::chrono::milliseconds drain_timeout{10000};    // SIGTERM: wait this long for in-flight requests

    IdentityHeaderNames identity;
    DecisionLogSettings decision_log;
};

// Reads "SERVE" (absent or null = the defaults). Throws std::invalid_argument naming the key.
ServeSettings parse_serve_settings(const nlohmann::json& serve);

// "host:port" → host and port (IPv6 as "[::1]:80"). Throws std::invalid_argument naming `what`.
struct HostPort {
    std::string host;
    unsigned short port = 0;
};
HostPort parse_host_port(const std::string& address, const std::string& what);

}  // namespace authpolicy::server
