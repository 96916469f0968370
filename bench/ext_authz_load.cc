// A gRPC load generator for Envoy's ext_authz Check (docs/performance.md, "Envoy ext_authz"):
// open loop at a fixed rate (--rate N per second: latency is measured from each request's
// scheduled send time, so a stall is not hidden by coordinated omission) or closed loop with
// --concurrency N calls in flight (the highest sustainable rate). --health sends
// grpc.health.v1.Health/Check instead: the same server and transport with no decision, i.e. the
// floor under a Check. Prints one JSON line.
//   authp_ext_authz_load --target 127.0.0.1:9191 --token KEY --rate 1000 --seconds 10
//   authp_ext_authz_load --target 127.0.0.1:9191 --token KEY --concurrency 32 --seconds 10
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "envoy/service/auth/v3/external_auth.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
using envoy::service::auth::v3::Authorization;
using envoy::service::auth::v3::CheckRequest;
using envoy::service::auth::v3::CheckResponse;

struct Call {
    grpc::ClientContext ctx;
    CheckResponse resp;
    grpc::health::v1::HealthCheckResponse health;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<CheckResponse>> reader;
    std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::health::v1::HealthCheckResponse>> health_reader;
    Clock::time_point scheduled;
};

struct Options {
    std::string target = "127.0.0.1:9191";
    std::string token;
    std::string path = "/api/items";
    double rate = 0;  // 0: closed loop
    int concurrency = 16;
    double seconds = 10;
    double warmup = 1;
    int channels = 2;
    bool health = false;
};

CheckRequest make_request(const Options& o) {
    CheckRequest r;
    auto* sock = r.mutable_attributes()->mutable_source()->mutable_address()->mutable_socket_address();
    sock->set_address("203.0.113.7");
    sock->set_port_value(40000);
    auto* http = r.mutable_attributes()->mutable_request()->mutable_http();
    http->set_method("GET");
    http->set_path(o.path);
    http->set_host("api.example");
    http->set_scheme("https");
    http->set_protocol("HTTP/1.1");
    auto& h = *http->mutable_headers();
    h[":authority"] = "api.example";
    h[":method"] = "GET";
    h[":path"] = o.path;
    h["user-agent"] = "authp_ext_authz_load";
    h["accept"] = "*/*";
    h["x-request-id"] = "3f1c1a1e-8e1b-4b3e-9d3c-2a4f0e3a9b11";
    if (!o.token.empty()) h["authorization"] = "Token " + o.token;
    return r;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

bool arg(int& i, int argc, char** argv, const char* name, std::string& out) {
    if (std::strcmp(argv[i], name) != 0 || i + 1 >= argc) return false;
    out = argv[++i];
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string v;
        if (arg(i, argc, argv, "--target", v))
            o.target = v;
        else if (arg(i, argc, argv, "--token", v))
            o.token = v;
        else if (arg(i, argc, argv, "--path", v))
            o.path = v;
        else if (arg(i, argc, argv, "--rate", v))
            o.rate = std::atof(v.c_str());
        else if (arg(i, argc, argv, "--concurrency", v))
            o.concurrency = std::atoi(v.c_str());
        else if (arg(i, argc, argv, "--seconds", v))
            o.seconds = std::atof(v.c_str());
        else if (arg(i, argc, argv, "--warmup", v))
            o.warmup = std::atof(v.c_str());
        else if (arg(i, argc, argv, "--channels", v))
            o.channels = std::max(1, std::atoi(v.c_str()));
        else if (std::strcmp(argv[i], "--health") == 0)
            o.health = true;
        else {
            std::fprintf(stderr,
                         "usage: %s --target HOST:PORT [--token KEY] [--path P] [--rate N | --concurrency N] "
                         "[--seconds S] [--warmup S] [--channels N] [--health]\n",
                         argv[0]);
            return 2;
        }
    }
    const CheckRequest request = make_request(o);
    const grpc::health::v1::HealthCheckRequest health_request;
    std::vector<std::unique_ptr<Authorization::Stub>> stubs;
    std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health_stubs;
    for (int c = 0; c < o.channels; ++c) {
        grpc::ChannelArguments args;
        args.SetInt("grpc.channel_id", c);  // distinct channels, distinct connections
        auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
        stubs.push_back(Authorization::NewStub(channel));
        health_stubs.push_back(grpc::health::v1::Health::NewStub(channel));
    }
    grpc::CompletionQueue cq;
    std::atomic<bool> stop_sending{false};
    std::atomic<long> in_flight{0};
    std::size_t next_stub = 0;

    auto start_call = [&](Clock::time_point scheduled) {
        auto* call = new Call;
        call->scheduled = scheduled;
        call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        const std::size_t k = next_stub++ % stubs.size();
        if (o.health) {
            call->health_reader = health_stubs[k]->AsyncCheck(&call->ctx, health_request, &cq);
            call->health_reader->Finish(&call->health, &call->status, call);
        } else {
            call->reader = stubs[k]->AsyncCheck(&call->ctx, request, &cq);
            call->reader->Finish(&call->resp, &call->status, call);
        }
        in_flight.fetch_add(1);
    };

    const auto t0 = Clock::now();
    const auto measure_from = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
    const auto end =
        measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
    std::vector<double> latencies_us;
    latencies_us.reserve(static_cast<std::size_t>((o.rate > 0 ? o.rate : 50000) * o.seconds));
    std::map<std::string, long> outcomes;
    long measured = 0;

    std::thread sender;
    if (o.rate > 0) {
        // Open loop: the sender schedules request k at t0 + k / rate.
        sender = std::thread([&] {
            const double interval = 1.0 / o.rate;
            for (long k = 0;; ++k) {
                const auto at =
                    t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(k * interval));
                if (at >= end) break;
                std::this_thread::sleep_until(at);
                start_call(at);
            }
            stop_sending = true;
        });
    } else {
        for (int k = 0; k < o.concurrency; ++k) start_call(Clock::now());
    }

    void* tag = nullptr;
    bool ok = false;
    for (;;) {
        // A bounded wait: the last call may complete before the sender says it is done.
        const auto got = cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + std::chrono::milliseconds(50));
        if (got == grpc::CompletionQueue::SHUTDOWN) break;
        if (got == grpc::CompletionQueue::TIMEOUT) {
            if (o.rate > 0 && stop_sending && in_flight.load() == 0) break;
            continue;
        }
        auto* call = static_cast<Call*>(tag);
        const auto now = Clock::now();
        if (call->scheduled >= measure_from && call->scheduled < end) {
            latencies_us.push_back(std::chrono::duration<double, std::micro>(now - call->scheduled).count());
            ++measured;
            const std::string key = !call->status.ok() ? "grpc_error_" + std::to_string(call->status.error_code())
                                    : o.health         ? "serving_status_" + std::to_string(call->health.status())
                                                       : "rpc_code_" + std::to_string(call->resp.status().code());
            ++outcomes[key];
        }
        delete call;
        const long left = in_flight.fetch_sub(1) - 1;
        if (o.rate <= 0) {
            if (now < end)
                start_call(now);
            else if (left == 0)
                break;
        } else if (stop_sending && left == 0) {
            break;
        }
    }
    if (sender.joinable()) sender.join();
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) delete static_cast<Call*>(tag);

    std::vector<double> sorted = latencies_us;
    const double p50 = percentile(sorted, 0.50), p90 = percentile(sorted, 0.90), p99 = percentile(sorted, 0.99),
                 p999 = percentile(sorted, 0.999);
    std::printf(
        "{\"rpc\": \"%s\", \"mode\": \"%s\", \"rate_target\": %.0f, \"concurrency\": %d, \"seconds\": %.1f, "
        "\"completed\": %ld, "
        "\"rate_achieved\": %.0f, \"p50_us\": %.1f, \"p90_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f, "
        "\"outcomes\": {",
        o.health ? "Health/Check" : "Authorization/Check", o.rate > 0 ? "open" : "closed", o.rate,
        o.rate > 0 ? 0 : o.concurrency, o.seconds, measured, static_cast<double>(measured) / o.seconds, p50, p90, p99,
        p999);
    bool first = true;
    for (const auto& [k, n] : outcomes) {
        std::printf("%s\"%s\": %ld", first ? "" : ", ", k.c_str(), n);
        first = false;
    }
    std::printf("}}\n");
    return 0;
}
