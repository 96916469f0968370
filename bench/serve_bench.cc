// `authpolicy serve`'s decision path without the network: the forwarded headers of one /auth request
// → ForwardedRequest → normalised path → route table → the engine through the C API → the answer
// (identity headers, metrics, decision log off), as server/decider.cc runs it on an I/O thread.
// The engine alone (authp_engine_evaluate with the same token) is measured in the same run: the
// difference is what the service layer adds. Figures: docs/performance.md.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "authpolicy.h"
#include "server/decider.h"
#include "server/forward_auth.h"

namespace {

namespace srv = authpolicy::server;

struct Fixture {
    std::filesystem::path dir;
    std::string token;
    srv::Metrics metrics;
    std::unique_ptr<srv::DecisionLog> log;
    std::unique_ptr<srv::Decider> decider;
    authp_config* cfg = nullptr;
    authp_engine* engine = nullptr;

    Fixture() {
        char tmpl[] = "/tmp/authp-serve-bench-XXXXXX";
        if (mkdtemp(tmpl) == nullptr) std::abort();
        dir = tmpl;
        const std::string config = (dir / "authpolicy.json").string();
        std::ofstream(config) << R"({"DATABASE": "authpolicy.sqlite3",
          "DEFAULT_AUTHENTICATION_CLASSES": [{"class": "TokenAuthentication", "keyword": ["Token"]}],
          "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
          "VIEWS": {"admin": {"permission_classes": ["IsAdminUser"]}, "public": {"permission_classes": ["AllowAny"]}},
          "ROUTES": [{"path": "/admin/", "view": "admin"}, {"path": "/public/", "view": "public"},
                     {"path": "/users/*/keys", "match": "glob", "view": "admin"}],
          "SERVE": {"decision_log": {"target": "off"}}})";
        const srv::LoadedConfig loaded = srv::load_serve_config(config);
        log = std::make_unique<srv::DecisionLog>(loaded.settings.decision_log);
        decider = std::make_unique<srv::Decider>(config, loaded, metrics, *log);
        if (authp_config_new(&cfg) != AUTHP_OK || authp_config_load_file(cfg, config.c_str()) != AUTHP_OK ||
            authp_engine_new(&engine, cfg) != AUTHP_OK)
            std::abort();
        char* key = nullptr;
        if (authp_user_add(nullptr, engine, "bench", 5, "pw", 2, 0) != AUTHP_OK ||
            authp_token_create(&key, engine, "bench", 5, nullptr, 0, 0) != AUTHP_OK)
            std::abort();
        token = key;
        authp_free(key);
    }
    ~Fixture() {
        decider.reset();
        authp_engine_free(engine);
        authp_config_free(cfg);
        std::filesystem::remove_all(dir);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

srv::HeaderList forwarded_headers(const std::string& token) {
    return {{"Host", "authpolicy:8181"},
            {"X-Original-URI", "/api/things/42?page=2"},
            {"X-Original-Method", "GET"},
            {"X-Forwarded-Host", "api.example"},
            {"X-Forwarded-Proto", "https"},
            {"X-Forwarded-For", "203.0.113.7"},
            {"Authorization", "Token " + token},
            {"User-Agent", "Mozilla/5.0"},
            {"Accept", "*/*"}};
}

// The whole service-side decision of one /auth request (what an I/O thread runs between parsing
// the request and serialising the answer).
void BM_serve_decide_warm_token(benchmark::State& state) {
    Fixture& f = fixture();
    const srv::HeaderList headers = forwarded_headers(f.token);
    std::string error;
    for (auto _ : state) {
        auto fr = srv::forward_auth_request("GET", headers, "127.0.0.1", &error);
        const srv::ForwardedAnswer a = f.decider->decide(*fr);
        if (a.status != 200) state.SkipWithError("not allowed");
        benchmark::DoNotOptimize(a);
    }
}
BENCHMARK(BM_serve_decide_warm_token)->ThreadRange(1, 2)->UseRealTime();

// The engine alone on the same request, as a linked application calls it (the floor).
void BM_engine_evaluate_warm_token(benchmark::State& state) {
    Fixture& f = fixture();
    const std::string auth = "Token " + f.token;
    authp_request* req = nullptr;
    if (authp_request_new(&req, f.engine) != AUTHP_OK) std::abort();
    for (auto _ : state) {
        authp_request_reset(req);
        (void)authp_request_set_method(req, "GET", 3);
        (void)authp_request_set_path(req, "/api/things/42", 14);
        (void)authp_request_add_header(req, "Authorization", 13, auth.data(), auth.size());
        authp_decision* d = nullptr;
        if (authp_engine_evaluate(&d, f.engine, req) != AUTHP_OK || authp_decision_status(d) != 200)
            state.SkipWithError("not allowed");
        authp_decision_free(d);
    }
    authp_request_free(req);
}
BENCHMARK(BM_engine_evaluate_warm_token)->ThreadRange(1, 2)->UseRealTime();

// Request interpretation alone: headers → ForwardedRequest, path normalisation, three routes.
void BM_serve_route(benchmark::State& state) {
    const srv::RouteTable routes = srv::RouteTable::from_json(nlohmann::json::parse(
        R"([{"path": "/admin/", "view": "admin"}, {"path": "/public/", "view": "public"},
            {"path": "/users/*/keys", "match": "glob", "view": "admin"}])"));
    const srv::HeaderList headers = forwarded_headers("0123456789abcdef0123456789abcdef01234567");
    std::string error;
    for (auto _ : state) {
        auto fr = srv::forward_auth_request("GET", headers, "127.0.0.1", &error);
        const std::string path = srv::normalize_path(fr->path);
        benchmark::DoNotOptimize(routes.view_for(fr->method, fr->host, path));
    }
}
BENCHMARK(BM_serve_route);

}  // namespace

BENCHMARK_MAIN();
