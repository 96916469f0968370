// The decision log: one JSON object a line (time, front end, view, method, path without its
// query, host, status, user id and username, authenticator, reason code, latency). It never holds a
// credential, a cookie, a token or a query string: only what the decision itself names.
// Lines go to stderr or are appended to a file (reopened on SIGHUP, for logrotate) with one
// write(2) each, so concurrent lines never interleave; `sample` keeps that share of decisions.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "server/serve_config.h"

namespace authpolicy::server {

struct DecisionLogEntry {
    std::string_view front_end;
    std::string_view view;
    std::string_view method;
    std::string_view path;  // already without its query string
    std::string_view host;
    int status = 0;
    bool allowed = false;
    bool has_user_id = false;
    long long user_id = 0;
    std::string_view username;
    std::string_view authenticator;
    std::string_view code;
    std::chrono::nanoseconds latency{0};
};

class DecisionLog {
  public:
    // Throws std::invalid_argument when a file target cannot be opened.
    explicit DecisionLog(const DecisionLogSettings& settings);
    ~DecisionLog();
    DecisionLog(const DecisionLog&) = delete;
    DecisionLog& operator=(const DecisionLog&) = delete;

    void write(const DecisionLogEntry& e);
    // Reopens a file target (after logrotate moved it); false (and the old file kept) on failure.
    bool reopen();

  private:
    bool sampled();

    DecisionLogSettings settings_;
    std::mutex reopen_mu_;
    int fd_ = -1;  // -1: off
    bool owns_fd_ = false;
};

// Formats one entry as its JSON line (with the trailing newline); exposed for tests.
std::string format_decision_log_line(const DecisionLogEntry& e, std::chrono::system_clock::time_point now);

}  // namespace authpolicy::server
