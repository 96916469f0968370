// Concurrency stress over the C API (docs/reliability.md): decider threads evaluate requests on one
// shared engine (A) and on a second engine over the same database file (B, standing for another
// process), while writer threads create and revoke tokens, change passwords, deactivate and
// reactivate users through A, and another thread drops A's caches.
//
// Oracle, per decision: the state of the credential's user is snapshotted before the evaluation
// together with a change generation; when no change of that user started or was in flight during
// the evaluation, the expected answer is exact (token live, password current, user active -> 200;
// otherwise 401). Engine A must match it exactly (changes through the same engine invalidate its
// caches at once, docs/configuration.md "Caches"). Engine B may disagree only within CACHE.TTL
// (1 s here) plus a 0.25 s margin after that user's last change completed. Anything else is a
// violation; so is an evaluation error, a crash or a leak (run it under ASan too).
//
// Usage: authp_stress_concurrency [seconds]   (default: $AUTHP_STRESS_SECONDS or 30)
#include <atomic>
#include <cinttypes>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "stress_common.h"

using namespace authp_stress;

namespace {

constexpr int kUsers = 16;
constexpr double kTtlB = 1.0;
constexpr double kMargin = 0.25;
constexpr size_t kMaxSlots = 48;

struct Slot {
    std::string key;
    bool live = true;
};

struct UserState {
    std::mutex m;
    uint64_t gen = 0;  // bumped when a change starts and when it ends
    int busy = 0;      // changes in flight
    bool active = true;
    int pw_version = 0;
    std::vector<Slot> slots;
    double last_change = -1e9;  // when a change of this user last completed (steady clock)
};

std::string username(int i) {
    char b[16];
    std::snprintf(b, sizeof b, "user%02d", i);
    return b;
}
std::string password(int i, int version) {
    return "pw-" + username(i) + "-" + std::to_string(version);
}

UserState users[kUsers];
std::atomic<bool> stop{false};
std::atomic<uint64_t> decisions_a{0}, decisions_b{0}, checked_a{0}, checked_b{0}, stale_b{0};
std::atomic<uint64_t> n_create{0}, n_revoke{0}, n_password{0}, n_active{0}, n_invalidate{0};
std::atomic<uint64_t> violations{0};
std::mutex report_m;

void violation(const std::string& what) {
    if (violations.fetch_add(1) < 20) {
        std::lock_guard<std::mutex> g(report_m);
        std::fprintf(stderr, "VIOLATION: %s\n", what.c_str());
    }
}

// Runs `api` as one change of user u; `commit` updates the model when it succeeded.
template <class Api, class Commit>
void change(int u, Api&& api, Commit&& commit) {
    UserState& s = users[u];
    {
        std::lock_guard<std::mutex> g(s.m);
        ++s.busy;
        ++s.gen;
    }
    const int rc = api();
    std::lock_guard<std::mutex> g(s.m);
    if (rc == AUTHP_OK)
        commit();
    else
        violation(std::string("a change failed: ") + authp_strerror(rc) + ": " + authp_error_last());
    --s.busy;
    ++s.gen;
    s.last_change = now_s();
}

void decider(authp_engine* e, bool is_b, unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load(std::memory_order_relaxed)) {
        const int u = static_cast<int>(rng() % kUsers);
        UserState& s = users[u];
        std::string header;
        bool expected = false;
        uint64_t gen0;
        bool stable0;
        {
            std::lock_guard<std::mutex> g(s.m);
            gen0 = s.gen;
            stable0 = s.busy == 0;
            if (!s.slots.empty() && rng() % 2 == 0) {
                const Slot& slot = s.slots[rng() % s.slots.size()];
                header = token_header(slot.key);
                expected = slot.live && s.active;
            } else {
                const int v = s.pw_version - (s.pw_version > 0 && rng() % 3 == 0 ? 1 : 0);
                header = basic_header(username(u), password(u, v));
                expected = v == s.pw_version && s.active;
            }
        }
        const double t0 = now_s();
        const Outcome o = decide(e, header);
        (is_b ? decisions_b : decisions_a).fetch_add(1, std::memory_order_relaxed);
        if (o.rc != AUTHP_OK || (o.status != 200 && o.status != 401)) {
            violation("evaluation failed: rc " + std::to_string(o.rc) + " status " + std::to_string(o.status) + " " +
                      authp_error_last());
            continue;
        }
        bool stable;
        double last_change;
        {
            std::lock_guard<std::mutex> g(s.m);
            stable = stable0 && s.busy == 0 && s.gen == gen0;
            last_change = s.last_change;
        }
        if (!stable) continue;
        (is_b ? checked_b : checked_a).fetch_add(1, std::memory_order_relaxed);
        const bool accepted = o.status == 200;
        if (accepted == expected) continue;
        if (is_b && t0 < last_change + kTtlB + kMargin) {
            stale_b.fetch_add(1, std::memory_order_relaxed);  // within the documented bound
            continue;
        }
        violation(std::string(is_b ? "engine B" : "engine A") + (accepted ? " accepted " : " refused ") + username(u) +
                  (header.rfind("Token", 0) == 0 ? " token" : " password") + " " + std::to_string(t0 - last_change) +
                  " s after its last change");
    }
}

// Two token writers split the users (even / odd), so that they never revoke the same key.
void token_writer(authp_engine* a, unsigned seed, int part) {
    std::mt19937 rng(seed);
    while (!stop.load(std::memory_order_relaxed)) {
        const int u = static_cast<int>(rng() % (kUsers / 2)) * 2 + part;
        UserState& s = users[u];
        std::string victim;
        {
            std::lock_guard<std::mutex> g(s.m);
            std::vector<size_t> live;
            for (size_t i = 0; i < s.slots.size(); ++i)
                if (s.slots[i].live) live.push_back(i);
            if (!live.empty() && (rng() % 5 < 2 || s.slots.size() >= kMaxSlots))
                victim = s.slots[live[rng() % live.size()]].key;
        }
        if (victim.empty()) {
            char* key = nullptr;
            const std::string name = username(u);
            change(
                u, [&] { return authp_token_create(&key, a, name.data(), name.size(), "stress", 6, 0); },
                [&] {
                    if (s.slots.size() >= kMaxSlots) {  // forget the oldest revoked key
                        for (auto it = s.slots.begin(); it != s.slots.end(); ++it)
                            if (!it->live) {
                                s.slots.erase(it);
                                break;
                            }
                    }
                    s.slots.push_back({key, true});
                });
            authp_free(key);
            n_create.fetch_add(1);
        } else {
            change(
                u, [&] { return authp_token_revoke(a, victim.data(), victim.size()); },
                [&] {
                    for (Slot& slot : s.slots)
                        if (slot.key == victim) slot.live = false;
                });
            n_revoke.fetch_add(1);
        }
    }
}

void password_writer(authp_engine* a, unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load(std::memory_order_relaxed)) {
        const int u = static_cast<int>(rng() % kUsers);
        int next;
        {
            std::lock_guard<std::mutex> g(users[u].m);
            next = users[u].pw_version + 1;
        }
        // Only this thread changes passwords, so `next` stays the next version.
        const std::string name = username(u), pw = password(u, next);
        change(
            u, [&] { return authp_user_set_password(a, name.data(), name.size(), pw.data(), pw.size()); },
            [&] { users[u].pw_version = next; });
        n_password.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void active_writer(authp_engine* a, unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load(std::memory_order_relaxed)) {
        const int u = static_cast<int>(rng() % kUsers);
        bool active;
        {
            std::lock_guard<std::mutex> g(users[u].m);
            active = users[u].active;
        }
        const std::string name = username(u);
        change(
            u, [&] { return authp_user_set_active(a, name.data(), name.size(), active ? 0 : 1); },
            [&] { users[u].active = !active; });
        n_active.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void invalidator(authp_engine* a) {
    while (!stop.load(std::memory_order_relaxed)) {
        authp_engine_invalidate_caches(a);
        n_invalidate.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// After the run: every credential's final state, on both engines (B after its TTL).
void final_check(authp_engine* e, const char* which) {
    for (int u = 0; u < kUsers; ++u) {
        UserState& s = users[u];
        for (const Slot& slot : s.slots) {
            const bool want = slot.live && s.active;
            const Outcome o = decide(e, token_header(slot.key));
            if (o.rc != AUTHP_OK || (o.status == 200) != want)
                violation(std::string(which) + " final: token of " + username(u) + " gives " +
                          std::to_string(o.status));
        }
        for (int v = std::max(0, s.pw_version - 1); v <= s.pw_version; ++v) {
            const bool want = v == s.pw_version && s.active;
            const Outcome o = decide(e, basic_header(username(u), password(u, v)));
            if (o.rc != AUTHP_OK || (o.status == 200) != want)
                violation(std::string(which) + " final: password of " + username(u) + " gives " +
                          std::to_string(o.status));
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 30;
    if (const char* env = std::getenv("AUTHP_STRESS_SECONDS")) seconds = std::atof(env);
    if (argc > 1) seconds = std::atof(argv[1]);
    const std::string dir = make_tempdir();
    const std::string db = dir + "/stress.sqlite3";
    const std::string common = R"("DATABASE": ")" + db + R"(",
      "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication"],
      "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "PASSWORD_ITERATIONS": 1,
      "LOGIN_FAILURES": null)";
    authp_engine* a = engine_from("{" + common + R"(, "CACHE": {"TTL": 5}})");
    authp_engine* b = engine_from("{" + common + R"(, "CACHE": {"TTL": 1}})");
    for (int u = 0; u < kUsers; ++u) {
        const std::string name = username(u), pw = password(u, 0);
        must(authp_user_add(nullptr, a, name.data(), name.size(), pw.data(), pw.size(), 0), "authp_user_add");
        for (int t = 0; t < 4; ++t) {
            char* key = nullptr;
            must(authp_token_create(&key, a, name.data(), name.size(), "seed", 4, 0), "authp_token_create");
            users[u].slots.push_back({key, true});
            authp_free(key);
        }
    }
    std::printf(
        "stress: %.0f s, %d users, 4 deciders on engine A (TTL 5 s), 2 on engine B (TTL 1 s), "
        "writers: tokens, passwords, active flags, cache drops\n",
        seconds, kUsers);
    std::fflush(stdout);
    const double t_start = now_s();
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < 4; ++i) threads.emplace_back(decider, a, false, 100 + i);
    for (unsigned i = 0; i < 2; ++i) threads.emplace_back(decider, b, true, 200 + i);
    threads.emplace_back(token_writer, a, 300, 0);
    threads.emplace_back(token_writer, a, 301, 1);
    threads.emplace_back(password_writer, a, 400);
    threads.emplace_back(active_writer, a, 500);
    threads.emplace_back(invalidator, a);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    const double elapsed = now_s() - t_start;
    final_check(a, "engine A");
    std::this_thread::sleep_for(std::chrono::duration<double>(kTtlB + kMargin));
    final_check(b, "engine B");
    authp_engine_free(b);
    authp_engine_free(a);
    std::remove(db.c_str());
    std::remove((db + "-wal").c_str());
    std::remove((db + "-shm").c_str());
    rmdir(dir.c_str());

    const uint64_t changes = n_create + n_revoke + n_password + n_active;
    std::printf("decisions: A %" PRIu64 " (%" PRIu64 " with a stable expectation), B %" PRIu64 " (%" PRIu64
                " stable, %" PRIu64 " stale within TTL)\n",
                decisions_a.load(), checked_a.load(), decisions_b.load(), checked_b.load(), stale_b.load());
    std::printf("changes: %" PRIu64 " (token creations %" PRIu64 ", revocations %" PRIu64 ", password changes %" PRIu64
                ", active toggles %" PRIu64 "), cache drops %" PRIu64 "\n",
                changes, n_create.load(), n_revoke.load(), n_password.load(), n_active.load(), n_invalidate.load());
    std::printf("throughput: %.0f decisions/s, %.0f changes/s over %.1f s\n", (decisions_a + decisions_b) / elapsed,
                changes / elapsed, elapsed);
    std::printf("violations: %" PRIu64 "\n", violations.load());
    return violations.load() == 0 ? 0 : 1;
}
