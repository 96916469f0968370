// Throttle state shared by processes: the clients the shared-state tests run against each
// backend (SQLite, Redis: throttle_shared_state_test.cpp; PostgreSQL: tests/postgres/).
#pragma once

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.h"

namespace authp_test {

// One anonymous request from 10.1.1.1 at time t.
inline authpolicy::Decision anon(Fixture& f, double t) {
    f.clock->set(t);
    auto r = authp_test::request();
    r.set_remote_addr("10.1.1.1");
    return f.decide(r);
}

// DRF's sliding log at 3/min, the §5.2 trace of docs/throttling.md, on whatever backend `f` has.
inline void check_sliding_log_trace(Fixture& f) {
    const std::pair<double, int> steps[] = {{0, 200},  {10, 200}, {20, 200}, {30, 429}, {59.9, 429}, {60, 200},
                                            {61, 429}, {69, 429}, {70, 200}, {80, 200}, {80, 429}};
    for (const auto& [t, status] : steps) {
        CAPTURE(t);
        CHECK(anon(f, t).status == status);
    }
    CHECK(authp_test::header(anon(f, 80), "Retry-After") == "40");
}

// `procs` processes × `threads` threads × `each` requests; returns how many were admitted.
inline int hammer(const std::string& config, int procs, int threads, int each) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    std::vector<pid_t> children;
    for (int p = 0; p < procs; ++p) {
        const pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            int admitted = 0;
            {
                Fixture f(config);
                std::atomic<int> count{0};
                std::vector<std::thread> ts;
                for (int t = 0; t < threads; ++t) {
                    ts.emplace_back([&] {
                        for (int i = 0; i < each; ++i) {
                            auto r = authp_test::request();
                            r.set_remote_addr("10.9.9.9");
                            authpolicy::AuthState s;
                            if (f.engine->evaluate(r, s).allowed) ++count;
                        }
                    });
                }
                for (auto& t : ts) t.join();
                admitted = count.load();
            }
            const ssize_t w = write(fds[1], &admitted, sizeof admitted);
            _exit(w == sizeof admitted ? 0 : 1);
        }
        children.push_back(pid);
    }
    close(fds[1]);
    int total = 0;
    for (pid_t c : children) {
        int status = 0;
        waitpid(c, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    int n = 0;
    while (read(fds[0], &n, sizeof n) == sizeof n) total += n;
    close(fds[0]);
    return total;
}

}  // namespace authp_test
