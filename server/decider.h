// The one place that decides, for every front end: routes the forwarded request to a view, asks
// the engine through the C API (as a linked application does, so the proxy and the app agree),
// and turns the decision into a ForwardedAnswer; it records the metrics and the decision log.
//
// One engine lives as long as the decider; reload() rebuilds its policy in place through
// authp_engine_reload (so remote key sets, the directory and unchanged authenticators keep their
// caches across SIGHUP) and then swaps the ROUTES snapshot, or refuses a bad file and keeps
// serving the old policy and routes. Decisions run
// on the caller's thread (the I/O threads for the fast path); at most max_in_flight run at once,
// and one over that is answered 503 at once (shed), never queued.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "server/decision_log.h"
#include "server/decision_service.h"
#include "server/metrics.h"
#include "server/route_table.h"
#include "server/serve_config.h"

struct authp_config;
struct authp_decision;
struct authp_engine;

namespace authpolicy::server {

// The configuration file as `serve` reads it: the engine's policy plus ROUTES and SERVE.
struct LoadedConfig {
    std::string text;      // the file's JSON text, handed to the engine as is
    std::string base_dir;  // relative paths inside it (DATABASE) resolve against this
    RouteTable routes;
    ServeSettings settings;
    bool watch = false;  // "RELOAD": {"WATCH": true}: reload when the file changes (read at start)
};

// Reads and validates ROUTES and SERVE. Throws std::invalid_argument naming the file or the key.
LoadedConfig load_serve_config(const std::string& path);

class Decider {
  public:
    // Builds the first engine. Throws std::invalid_argument with the library's message (or the
    // route naming an unknown view) on failure.
    Decider(std::string config_path, const LoadedConfig& initial, Metrics& metrics, DecisionLog& log);
    ~Decider();
    Decider(const Decider&) = delete;
    Decider& operator=(const Decider&) = delete;

    // Thread-safe; never throws; a request it could not decide is a 503 deny.
    ForwardedAnswer decide(const ForwardedRequest& request);
    // The answer for a request refused because the service is over capacity (counted as shed).
    ForwardedAnswer shed(std::string_view front_end);
    // Alive, has a policy, not draining, and no backend error in the last few seconds.
    bool ready() const;

    // Rebuilds the policy from the configuration file; on failure the old one keeps serving and
    // *error says why (never a secret: the library's messages name keys, not values).
    bool reload(std::string* error);
    // From now on ready() is false (SIGTERM: the proxy stops sending before we stop listening).
    void start_draining() { draining_.store(true); }
    std::size_t in_flight() const { return in_flight_.load(); }

    DecisionHooks hooks();
    // The engine's credential-cache hits and misses since start (across reloads).
    Metrics::CacheCounts cache_counts() const;

  private:
    struct EngineHandle;
    struct Policy;
    struct ThreadState;
    // The configuration for the engine, with ROUTES checked against its VIEWS.
    static authp_config* engine_config(const LoadedConfig& loaded);
    ThreadState& thread_state();
    // Routes the request with the thread's routes, fills its request handle and evaluates it.
    int fill_and_evaluate(authp_decision** out, ThreadState& ts, const ForwardedRequest& fr, const std::string& path,
                          std::string* view);
    // ENOTFOUND for a routed view happens only between a reload's engine swap and its routes
    // swap: wait for the routes (bounded), then route again.
    bool routes_moved_since(std::uint64_t generation) const;

    const std::string config_path_;
    const std::uint64_t instance_;  // tells this decider's thread-local state from another's
    Metrics& metrics_;
    DecisionLog& log_;
    const IdentityHeaderNames identity_;
    const std::size_t max_in_flight_;

    // Shared with each thread's request handle, which must be freed before its engine.
    std::shared_ptr<EngineHandle> engine_;
    std::mutex reload_mu_;  // one reload at a time
    std::atomic<bool> reloading_{false};
    std::atomic<std::shared_ptr<const Policy>> policy_;  // the ROUTES in force
    std::atomic<std::uint64_t> generation_{1};
    std::atomic<std::size_t> in_flight_{0};
    std::atomic<bool> draining_{false};
    std::atomic<std::int64_t> last_backend_error_ns_{0};
    // Cache counters of the engines replaced by reloads, so that the exported counters never go back.
    std::atomic<std::uint64_t> retired_hits_{0};
    std::atomic<std::uint64_t> retired_misses_{0};
};

}  // namespace authpolicy::server
