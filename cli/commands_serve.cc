// `authpolicy serve`: the engine as a decision service for proxies (forward-auth for nginx, Caddy
// and Traefik; Envoy's ext_authz when its front ends are built). docs/serve.md.
// stdout carries exactly one line, the JSON of the bound addresses once every listener is open;
// everything else goes to stderr. SIGHUP reloads the configuration, SIGTERM/SIGINT drain and exit 0.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_error.h"
#include "commands.h"
#include "server/config_watcher.h"
#include "server/decider.h"
#include "server/decision_log.h"
#include "server/http_server.h"
#include "server/metrics.h"

#if defined(AUTHP_SERVER_GRPC)
#include "server/grpc/ext_authz_grpc.h"
#endif

namespace authpolicy_cli {
namespace {

namespace srv = authpolicy::server;

struct ServeOptions {
    std::string config;
    std::string http;
    std::string grpc;
    std::string metrics;
};

// Each connection is a descriptor: take all the hard limit allows (10,000 idle connections need it).
void raise_file_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            std::cerr << "authpolicy serve: cannot raise RLIMIT_NOFILE" << std::endl;
    }
}

void log_line(const std::string& event, const std::string& message = {}) {
    nlohmann::json j = {{"event", event}};
    if (!message.empty()) j["message"] = message;
    std::cerr << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

int run_serve(ServeOptions o) {
    srv::LoadedConfig loaded;
    try {
        loaded = srv::load_serve_config(o.config);
    } catch (const std::invalid_argument& e) {
        throw CliError(kUsage, e.what());
    }
    srv::ServeSettings& s = loaded.settings;
    if (!o.http.empty()) s.http = o.http;  // flags win over SERVE
    if (!o.grpc.empty()) s.grpc = o.grpc;
    if (!o.metrics.empty()) s.metrics = o.metrics;
    if (s.http.empty()) throw CliError(kUsage, "--http: no address (give --http HOST:PORT or SERVE.http)");
    try {
        srv::parse_host_port(s.http, "--http");
        if (!s.grpc.empty()) srv::parse_host_port(s.grpc, "--grpc");
        if (!s.metrics.empty()) srv::parse_host_port(s.metrics, "--metrics");
    } catch (const std::invalid_argument& e) {
        throw CliError(kUsage, e.what());
    }
#if !defined(AUTHP_SERVER_GRPC)
    if (!s.grpc.empty())
        throw CliError(kUsage, "--grpc: gRPC front end not built (this authpolicy has no Envoy ext_authz gRPC server)");
#endif
    raise_file_limit();

    // Signals are taken by sigwait on this thread only: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a peer gone mid-write is an error code, not a dead process

    srv::Metrics metrics;
    std::unique_ptr<srv::DecisionLog> log;
    std::unique_ptr<srv::Decider> decider;
    try {
        log = std::make_unique<srv::DecisionLog>(s.decision_log);
        decider = std::make_unique<srv::Decider>(o.config, loaded, metrics, *log);
    } catch (const std::invalid_argument& e) {
        throw CliError(kUsage, e.what());
    }

    // The ready line, in the order and shape: {"http": "…", "grpc": "…", "metrics": "…"}.
    std::vector<std::pair<std::string, std::string>> ready;
    srv::HttpServer http(s, *decider, metrics, s.metrics.empty());
    std::string metrics_address;
    try {
        ready.emplace_back("http", http.listen(s.http, srv::HttpServer::Role::kAll));
        if (!s.metrics.empty()) metrics_address = http.listen(s.metrics, srv::HttpServer::Role::kOps);
    } catch (const std::runtime_error& e) {
        throw CliError(kFailed, e.what());
    }
#if defined(AUTHP_SERVER_GRPC)
    std::unique_ptr<srv::ExtAuthzGrpcServer> grpc;
    if (!s.grpc.empty()) {
        try {
            grpc = std::make_unique<srv::ExtAuthzGrpcServer>(decider->hooks(), s.grpc);
        } catch (const std::exception& e) {
            throw CliError(kFailed, std::string("--grpc: ") + e.what());
        }
        ready.emplace_back("grpc", grpc->bound_address());
    }
#endif
    // RELOAD.WATCH: a change of the file is answered as a SIGHUP (the watcher's thread has the
    // signals blocked, so this thread's sigwait takes it and reloads, one reload at a time).
    std::unique_ptr<srv::ConfigWatcher> watcher;
    if (loaded.watch) {
        try {
            watcher = std::make_unique<srv::ConfigWatcher>(o.config, [] { ::kill(::getpid(), SIGHUP); });
        } catch (const std::runtime_error& e) {
            throw CliError(kFailed, e.what());
        }
    }
    http.start();
    if (!metrics_address.empty()) ready.emplace_back("metrics", metrics_address);
    std::string line = "{";
    for (const auto& [key, address] : ready) {
        if (line.size() > 1) line += ", ";
        line += nlohmann::json(key).dump() + ": " + nlohmann::json(address).dump();
    }
    std::cout << line << "}" << std::endl;

    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGHUP) {
            std::string error;
            if (decider->reload(&error)) {
                log_line("reloaded");
            } else {
                log_line("reload_refused", error + " (the previous configuration keeps serving)");
            }
            continue;
        }
        log_line("draining", "in-flight requests finish, then exit");
        decider->start_draining();
#if defined(AUTHP_SERVER_GRPC)
        if (grpc) grpc->shutdown(s.drain_timeout);
#endif
        const bool clean = http.drain(s.drain_timeout);
        http.stop();
        log_line("stopped", clean ? "" : "drain timeout: some connections were closed in progress");
        return kOk;
    }
}

}  // namespace

void add_serve_command(CLI::App& app, int* rc) {
    auto o = std::make_shared<ServeOptions>();
    CLI::App* cmd = app.add_subcommand(
        "serve", "Run the decision service for proxies: forward-auth on /auth (nginx, Caddy, Traefik), /metrics");
    cmd->add_option("--config", o->config, "Configuration file (JSON; ROUTES and SERVE apply here)")->required();
    cmd->add_option("--http", o->http, "Forward-auth listener HOST:PORT (port 0 picks a free one)");
    cmd->add_option("--grpc", o->grpc, "Envoy ext_authz gRPC listener HOST:PORT");
    cmd->add_option("--metrics", o->metrics, "Separate /metrics, /healthz, /readyz listener HOST:PORT");
    cmd->callback([o, rc] { *rc = run_serve(*o); });
}

}  // namespace authpolicy_cli
