#include "server/decision_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace authpolicy::server {
namespace {

int open_target(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

std::string rfc3339_millis(std::chrono::system_clock::time_point now) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace

std::string format_decision_log_line(const DecisionLogEntry& e, std::chrono::system_clock::time_point now) {
    nlohmann::json j = {
        {"time", rfc3339_millis(now)},
        {"front_end", e.front_end},
        {"view", e.view},
        {"method", e.method},
        {"path", e.path},
        {"host", e.host},
        {"status", e.status},
        {"allowed", e.allowed},
        {"user_id", e.has_user_id ? nlohmann::json(e.user_id) : nlohmann::json(nullptr)},
        {"username", e.username},
        {"authenticator", e.authenticator.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.authenticator)},
        {"code", e.code.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.code)},
        {"latency_us", std::chrono::duration<double, std::micro>(e.latency).count()},
    };
    // Paths and usernames are client data: invalid UTF-8 is replaced, never an exception.
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    return line;
}

DecisionLog::DecisionLog(const DecisionLogSettings& settings) : settings_(settings) {
    if (settings_.target == "off" || settings_.sample <= 0) return;
    if (settings_.target == "stderr") {
        fd_ = STDERR_FILENO;
        return;
    }
    fd_ = open_target(settings_.target);
    if (fd_ < 0)
        throw std::invalid_argument("$.SERVE.decision_log.target: cannot open '" + settings_.target +
                                    "': " + std::strerror(errno));
    owns_fd_ = true;
}

DecisionLog::~DecisionLog() {
    if (owns_fd_) ::close(fd_);
}

bool DecisionLog::sampled() {
    if (settings_.sample >= 1) return true;
    thread_local std::minstd_rand rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0, 1)(rng) < settings_.sample;
}

void DecisionLog::write(const DecisionLogEntry& e) {
    if (fd_ < 0 || !sampled()) return;
    const std::string line = format_decision_log_line(e, std::chrono::system_clock::now());
    // One write(2) per line: O_APPEND (or a pipe/tty for stderr) keeps lines whole. A full disk
    // or a closed stderr loses log lines, never decisions.
    const ssize_t n = ::write(fd_, line.data(), line.size());
    (void)n;
}

bool DecisionLog::reopen() {
    if (!owns_fd_) return true;
    const int fd = open_target(settings_.target);
    if (fd < 0) return false;
    std::lock_guard lock(reopen_mu_);
    // dup2 swaps the file under the same descriptor number atomically for concurrent writers.
    ::dup2(fd, fd_);
    ::close(fd);
    return true;
}

}  // namespace authpolicy::server
