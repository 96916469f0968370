// The HTTP/1.1 listeners of `authpolicy serve`, on Boost.Beast + Asio (docs/serve.md says why):
// forward-auth on /auth, Envoy's HTTP ext_authz under its path prefix, and /healthz, /readyz,
// /metrics. One io_context per I/O thread, each connection owned by one thread (no locks on the
// hot path), decisions inline on that thread.
//
// Limits: max_connections open at once (one more gets a 503 and is closed at once); the request
// line + headers are capped (431) and so is the body (413); an idle keep-alive connection is closed
// after idle_timeout, and a request must be complete within request_timeout of its first byte
// (slowloris). An I/O thread that lags behind its timers by more than shed_lag while busy deciding
// for most of that time is over capacity:
// it answers 503 at once without deciding until it has caught up; nothing waits in a queue of ours.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "server/decider.h"
#include "server/metrics.h"
#include "server/serve_config.h"

namespace authpolicy::server {

class HttpServer {
  public:
    enum class Role {
        kAll,  // /auth, ext_authz, and (when there is no separate one) the operations endpoints
        kOps,  // /metrics, /healthz, /readyz only
    };

    HttpServer(const ServeSettings& settings, Decider& decider, Metrics& metrics, bool ops_on_main_listener);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds and listens; returns the bound "host:port". Throws std::runtime_error naming `address`.
    std::string listen(const std::string& address, Role role);
    // Starts the I/O threads.
    void start();
    // Stops accepting, closes idle keep-alive connections, lets requests in progress finish (their
    // answers carry Connection: close), and waits up to `timeout` for every connection to close.
    // True when all closed in time.
    bool drain(std::chrono::milliseconds timeout);
    // Stops the I/O threads and joins them (after drain, or at once).
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace authpolicy::server
