// Envoy's external authorization over gRPC (envoy.service.auth.v3.Authorization/Check) and the
// standard health service (grpc.health.v1.Health) on one listener. Each Check is translated into
// a ForwardedRequest (front_end "ext_authz_grpc"), decided by DecisionHooks::decide on a bounded
// worker pool, and answered as Envoy expects (docs/serve.md, "Envoy ext_authz").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "server/decision_service.h"

namespace authpolicy::server {

class ExtAuthzGrpcServer {
  public:
    struct Limits {
        std::size_t workers = 8;               // threads running decide(); 0 = on gRPC's own threads
        std::size_t queue = 1024;              // Checks waiting (or, inline, deciding); more are shed with 503
        int max_message_bytes = 1 << 20;       // a larger CheckRequest is refused by gRPC
        int max_concurrent_streams = 256;      // per HTTP/2 connection
        std::size_t max_health_watchers = 64;  // concurrent Health/Watch streams
    };

    // Listens on addr ("host:port"; port 0 picks a free one). Throws std::runtime_error naming the
    // address when it cannot listen.
    ExtAuthzGrpcServer(DecisionHooks hooks, const std::string& addr);
    ExtAuthzGrpcServer(DecisionHooks hooks, const std::string& addr, const Limits& limits);
    ExtAuthzGrpcServer(const ExtAuthzGrpcServer&) = delete;
    ExtAuthzGrpcServer& operator=(const ExtAuthzGrpcServer&) = delete;
    ~ExtAuthzGrpcServer();  // shutdown(5 s) if not done yet

    // "host:port" with the port actually bound.
    std::string bound_address() const;

    // Stops accepting, lets Checks in flight finish for up to `grace` (then cancels them), ends
    // Health/Watch streams. Idempotent.
    void shutdown(std::chrono::milliseconds grace);

    // Checks answered without a decision, for metrics: shed (queue full) and malformed.
    std::uint64_t shed_count() const;
    std::uint64_t malformed_count() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace authpolicy::server
