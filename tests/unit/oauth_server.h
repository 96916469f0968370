// The test authorization server (tests/keys/oauth_test_server.py: real HTTPS, its own CA) started
// for one test on 127.0.0.1:0 and killed when the test ends, even on failure.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/keys/http_fetcher.h"

extern char** environ;

namespace authp_test {

class OAuthServer {
  public:
    explicit OAuthServer(bool tls = true) {
        char dir_template[] = "/tmp/authp-keys-XXXXXX";
        if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp");
        dir_ = dir_template;
        control_ = nlohmann::json::object();
        write();
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        const std::string script = std::string(AUTHP_TEST_KEYS_DIR) + "/oauth_test_server.py";
        std::vector<std::string> args{"/usr/bin/python3", script, "--state", dir_};
        if (!tls) args.push_back("--plain");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0)
            throw std::runtime_error("cannot start the test server");
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        FILE* f = fdopen(out[0], "r");
        char line[4096];
        if (fgets(line, sizeof line, f) == nullptr) {
            fclose(f);
            throw std::runtime_error("the test server did not start");
        }
        fclose(f);
        const auto hello = nlohmann::json::parse(line);
        port_ = hello["port"].get<int>();
        ca_ = hello["ca"].get<std::string>();
        base_ = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
    }
    ~OAuthServer() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    OAuthServer(const OAuthServer&) = delete;
    OAuthServer& operator=(const OAuthServer&) = delete;

    const std::string& base() const { return base_; }
    const std::string& ca() const { return ca_; }
    // Sets control members (null erases) and publishes them atomically.
    void set(const nlohmann::json& changes) {
        for (auto& [k, v] : changes.items()) {
            if (v.is_null())
                control_.erase(k);
            else
                control_[k] = v;
        }
        write();
    }
    nlohmann::json stats() const {
        authpolicy::keys::HttpRequest r;
        r.url = base_ + "/_stats";
        authpolicy::keys::HttpOptions o;
        o.ca_file = ca_;
        o.allow_insecure_http = true;
        return nlohmann::json::parse(authpolicy::keys::http_fetch(r, o).body);
    }
    int count(const std::string& what) const {
        const auto s = stats();
        return s.contains(what) ? s[what].get<int>() : 0;
    }

  private:
    void write() {
        const std::string tmp = dir_ + "/control.json.tmp";
        std::ofstream(tmp) << control_.dump();
        std::filesystem::rename(tmp, dir_ + "/control.json");
    }
    std::string dir_, ca_, base_;
    int port_ = 0;
    pid_t pid_ = -1;
    nlohmann::json control_;
};

}  // namespace authp_test
