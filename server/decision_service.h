// The contract between the decision service's front ends (forward-auth over HTTP, Envoy's
// ext_authz over gRPC and HTTP) and the one place that decides: a front end translates its wire
// request into a ForwardedRequest, asks DecisionService::decide, and writes the ForwardedAnswer
// back in its own protocol. Routes, the engine, metrics, the decision log and reload live behind
// it, so every front end gives the same answer for the same request.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace authpolicy::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The original request, as the proxy describes it.
struct ForwardedRequest {
    std::string method;       // as sent ("GET"); the engine upper-cases it
    std::string path;         // the original path; any query string is stripped before routing
    std::string host;         // the original Host / :authority
    bool secure = false;      // the original scheme was https
    HeaderList headers;       // the original request's headers (names in any case, repeats kept)
    std::string remote_addr;  // the peer of the hop that reached us (an IP literal, no port)
    std::string front_end;    // "forward_auth", "ext_authz_http", "ext_authz_grpc" (metrics, log)
};

// What the proxy should do. On allow: status 200 and the identity headers (x-auth-user, …).
// On deny: the decision's status (401/403/429/503), WWW-Authenticate / Retry-After, and the
// DRF-shaped JSON body ({"detail": "…"}). A request the service could not decide is a 503 deny.
struct ForwardedAnswer {
    int status = 503;
    bool allowed = false;
    HeaderList headers;  // lower-case names; values never contain CR or LF
    std::string body;    // JSON text on deny; empty on allow
    std::string code;    // the decision's reason code ("not_authenticated", …), for logs/metrics
};

// How a front end reaches the decider and the readiness probe (/readyz, grpc.health.v1):
// front ends take these as plain functions so that they depend on this header alone.
// decide() is thread-safe and never throws; ready() is cheap.
struct DecisionHooks {
    std::function<ForwardedAnswer(const ForwardedRequest&)> decide;
    std::function<bool()> ready;
    // A front end that refuses a request before deciding reports it here, so /metrics counts
    // every front end's sheds and malformed requests alike (either may be empty).
    std::function<void(const char* front_end)> shed;
    std::function<void()> bad_request;
};

}  // namespace authpolicy::server
