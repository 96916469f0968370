// A private redis-server on 127.0.0.1 for the duration of a test (the Redis throttle and DPoP
// replay tests): a real server, stopped and started again to test failures.
#pragma once

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace authp_test {

inline bool port_open(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

class RedisServer {
  public:
    // `extra`: further redis-server arguments ("--rename-command", "SET", "").
    explicit RedisServer(int port, std::vector<std::string> extra = {}) : port_(port), extra_(std::move(extra)) {
        start();
    }
    ~RedisServer() { stop(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;
    void start() {
        const std::string p = std::to_string(port_);
        std::vector<const char*> argv = {"redis-server", "--port", p.c_str(),   "--bind",   "127.0.0.1", "--save", "",
                                         "--appendonly", "no",     "--logfile", "/dev/null"};
        for (const auto& a : extra_) argv.push_back(a.c_str());
        argv.push_back(nullptr);
        REQUIRE_MESSAGE(
            posix_spawnp(&pid_, "redis-server", nullptr, nullptr, const_cast<char**>(argv.data()), environ) == 0,
            "redis-server is required for these tests (apt-get install redis-server)");
        for (int i = 0; i < 200 && !port_open(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        REQUIRE(port_open(port_));
    }
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

  private:
    int port_;
    std::vector<std::string> extra_;
    pid_t pid_ = -1;
};

}  // namespace authp_test
