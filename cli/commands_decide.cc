// `authpolicy decide`: one request JSON in, one decision JSON line out (or JSON Lines with --batch).
#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"
#include "line_reader.h"
#include "request_json.h"

namespace authpolicy_cli {
namespace {

struct DecideOptions {
    std::string config;
    std::string view;
    std::string request_file;
    bool batch = false;
    std::optional<double> now;
};

// Decides one request and prints its decision line. Returns kAllowed or kDenied; throws
// CliError(kUsage) for a bad request or an unknown view (no decision is printed then).
int decide_one(authp_engine* engine, authp_request* req, const std::string& text, const std::string& view) {
    authp_request_reset(req);
    fill_request(req, text, view);
    DecisionPtr d;
    const int rc = authp_engine_evaluate(&d.ptr, engine, req);
    // AUTHP_ENOTFOUND (unknown view) and misuse come without a decision.
    if (d.ptr == nullptr) throw CliError(kUsage, *authp_error_last() ? authp_error_last() : authp_strerror(rc));
    // The machinery failed (database, callback): *out is the safe denial (503), printed as any decision.
    if (rc != AUTHP_OK) std::cerr << "authpolicy: " << authp_error_last() << std::endl;
    std::cout << authp_decision_to_json(d.ptr, nullptr) << '\n' << std::flush;  // a host may wait on each line
    return authp_decision_allowed(d.ptr) ? kAllowed : kDenied;
}

void print_error_line(const std::string& message) {
    const nlohmann::json line = {{"error", message}};
    std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
}

// JSON Lines: one engine and one request handle for the whole stream; a bad line gets an error
// object in its place and the stream goes on. Blank lines are skipped.
int run_batch(authp_engine* engine, authp_request* req, std::istream& in, const std::string& view) {
    int status = kAllowed;
    std::string line;
    for (;;) {
        const ReadResult r = read_line(in, line);
        if (r == ReadResult::kEnd) break;
        if (r == ReadResult::kTooLong) {
            print_error_line("request: line longer than " + std::to_string(kMaxRequestBytes >> 20) + " MiB");
            status = kDenied;
            continue;
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            if (decide_one(engine, req, line, view) != kAllowed) status = kDenied;
        } catch (const CliError& e) {
            print_error_line(e.what());
            status = kDenied;
        }
    }
    return status;
}

int run_decide(const DecideOptions& o) {
    if (o.now && (!std::isfinite(*o.now) || *o.now < 0))
        throw CliError(kUsage, "--now: expected a finite number of seconds since the Unix epoch");
    EngineHandle engine(o.config, o.now);
    // An unknown --view would fail every request: it is a usage error before any input is read.
    if (!o.view.empty() && !authp_engine_has_view(engine.get(), o.view.data(), o.view.size()))
        throw CliError(kUsage, "--view: unknown view '" + o.view.substr(0, 100) + "'");
    std::ifstream file;
    const bool from_stdin = o.request_file.empty() || o.request_file == "-";
    if (!from_stdin) {
        file.open(o.request_file, std::ios::binary);
        if (!file) throw CliError(kUsage, "--request: cannot read '" + o.request_file + "'");
    }
    std::istream& in = from_stdin ? std::cin : file;
    RequestPtr req;
    check_rc(authp_request_new(&req.ptr, engine.get()), "decide");
    if (o.batch) return run_batch(engine.get(), req.ptr, in, o.view);
    return decide_one(engine.get(), req.ptr, read_all(in), o.view);
}

}  // namespace

void add_decide_command(CLI::App& app, int* rc) {
    auto o = std::make_shared<DecideOptions>();
    CLI::App* cmd = app.add_subcommand("decide", "Decide one request (JSON on stdin) and print the decision JSON");
    cmd->add_option("--config", o->config, "Configuration file (JSON)")->required();
    cmd->add_option("--view", o->view, "View whose policy applies (a request's \"view\" overrides it)");
    cmd->add_option("--request", o->request_file, "Read the request from FILE instead of stdin");
    cmd->add_flag("--batch", o->batch, "JSON Lines in, JSON Lines out, one engine for the whole stream");
    cmd->add_option("--now", o->now, "Fix the clock at this Unix time in seconds (tests, replays)");
    cmd->callback([o, rc] { *rc = run_decide(*o); });
}

}  // namespace authpolicy_cli
