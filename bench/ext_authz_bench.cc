// The per-Check work the ext_authz gRPC front end adds around a decision: parsing the
// CheckRequest bytes, translating them into a ForwardedRequest, building and serializing the
// CheckResponse (docs/performance.md, "Envoy ext_authz").
#include <benchmark/benchmark.h>

#include <string>

#include "server/grpc/check_translation.h"

namespace {

using envoy::service::auth::v3::CheckRequest;
using envoy::service::auth::v3::CheckResponse;
namespace ea = authpolicy::server::ext_authz;

// What Envoy sends for a typical API call (12 headers).
std::string envoy_like_request() {
    CheckRequest r;
    auto* sock = r.mutable_attributes()->mutable_source()->mutable_address()->mutable_socket_address();
    sock->set_address("203.0.113.7");
    sock->set_port_value(40000);
    auto* http = r.mutable_attributes()->mutable_request()->mutable_http();
    http->set_id("10433455817339187391");
    http->set_method("GET");
    http->set_path("/api/items/42?expand=owner");
    http->set_host("api.example");
    http->set_scheme("https");
    http->set_protocol("HTTP/1.1");
    http->set_size(0);
    auto& h = *http->mutable_headers();
    h[":authority"] = "api.example";
    h[":method"] = "GET";
    h[":path"] = "/api/items/42?expand=owner";
    h[":scheme"] = "https";
    h["accept"] = "application/json";
    h["authorization"] = "Token 0123456789abcdef0123456789abcdef01234567";
    h["user-agent"] = "curl/7.88.1";
    h["x-forwarded-proto"] = "https";
    h["x-request-id"] = "3f1c1a1e-8e1b-4b3e-9d3c-2a4f0e3a9b11";
    h["x-envoy-expected-rq-timeout-ms"] = "200";
    h["cookie"] = "sessionid=abc; csrftoken=def";
    h["accept-encoding"] = "gzip";
    return r.SerializeAsString();
}

void BM_ExtAuthzCheckRequestToForwarded(benchmark::State& state) {
    const std::string bytes = envoy_like_request();
    for (auto _ : state) {
        CheckRequest r;
        r.ParseFromString(bytes);
        auto fr = ea::forwarded_request_from_check(r, nullptr);
        benchmark::DoNotOptimize(fr);
    }
}
BENCHMARK(BM_ExtAuthzCheckRequestToForwarded);

void BM_ExtAuthzAnswerToCheckResponse(benchmark::State& state) {
    authpolicy::server::ForwardedAnswer allow;
    allow.allowed = true;
    allow.status = 200;
    allow.headers = {
        {"x-auth-user", "alice"}, {"x-auth-user-id", "1"}, {"x-auth-authenticator", "TokenAuthentication"}};
    for (auto _ : state) {
        CheckResponse resp;
        ea::check_response_from_answer(allow, &resp);
        std::string out = resp.SerializeAsString();
        benchmark::DoNotOptimize(out);
    }
}
BENCHMARK(BM_ExtAuthzAnswerToCheckResponse);

}  // namespace

BENCHMARK_MAIN();
