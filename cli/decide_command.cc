// `authpolicy decide`: one request JSON in, one decision JSON out (or JSON Lines with --batch).
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"
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

struct RequestPtr {
    authp_request* ptr = nullptr;
    ~RequestPtr() { authp_request_free(ptr); }
};
struct DecisionPtr {
    authp_decision* ptr = nullptr;
    ~DecisionPtr() { authp_decision_free(ptr); }
};

// Decides one request and prints the decision line; returns allowed / denied, throws on usage errors.
int decide_one(authp_engine* engine, authp_request* req, const std::string& text, const std::string& view) {
    authp_request_reset(req);
    fill_request(req, text, view);
    DecisionPtr d;
    const int rc = authp_engine_evaluate(&d.ptr, engine, req);
    if (rc != AUTHP_OK && d.ptr == nullptr) throw CliError(kUsage, authp_error_last());  // unknown view, misuse
    if (rc != AUTHP_OK) std::cerr << "authpolicy: " << authp_error_last() << '\n';       // a safe denial follows
    std::cout << authp_decision_to_json(d.ptr, nullptr) << '\n';
    return authp_decision_allowed(d.ptr) ? kAllowed : kDenied;
}

int run_decide(const DecideOptions& o) {
    EngineHandle engine(o.config, o.now);
    std::ifstream file;
    if (!o.request_file.empty()) {
        file.open(o.request_file);
        if (!file) throw CliError(kUsage, "cannot read request file '" + o.request_file + "'");
    }
    std::istream& in = o.request_file.empty() ? std::cin : file;
    RequestPtr req;
    check_rc(authp_request_new(&req.ptr, engine.get()), "request");
    if (!o.batch) {
        std::stringstream text;
        text << in.rdbuf();
        return decide_one(engine.get(), req.ptr, text.str(), o.view);
    }
    int status = kAllowed;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            if (decide_one(engine.get(), req.ptr, line, o.view) != kAllowed) status = kDenied;
        } catch (const CliError& e) {
            // One bad line does not stop the stream: it gets an error object in its place.
            std::cout << "{\"error\":" << '"';
            for (char c : std::string(e.what())) {
                if (c == '"' || c == '\\') std::cout << '\\';
                if (static_cast<unsigned char>(c) >= 0x20) std::cout << c;
            }
            std::cout << "\"}\n";
            status = kDenied;
        }
    }
    return status;
}

}  // namespace

void add_decide_command(CLI::App& app, int* rc) {
    auto o = std::make_shared<DecideOptions>();
    CLI::App* cmd = app.add_subcommand("decide", "Decide one request (JSON on stdin) and print the decision JSON");
    cmd->add_option("--config", o->config, "Configuration file (JSON)")->required();
    cmd->add_option("--view", o->view, "View whose policy applies (default: the default policy)");
    cmd->add_option("--request", o->request_file, "Read the request from FILE instead of stdin");
    cmd->add_flag("--batch", o->batch, "JSON Lines in, JSON Lines out, one engine for the whole stream");
    cmd->add_option("--now", o->now, "Fix the clock at this Unix time (tests, replays)");
    cmd->callback([o, rc] { *rc = run_decide(*o); });
}

}  // namespace authpolicy_cli
