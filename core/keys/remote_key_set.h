// A JWK Set fetched from an authorization server and kept fresh in the background.
//
// Readers (decisions) never wait on the network once keys are loaded: they read the published
// snapshot inside a grace::ReadSection (no lock, no reference count). One thread per key set
// refreshes it before it expires (Cache-Control max-age, clamped), revalidates with
// If-None-Match / If-Modified-Since, keeps the last good set on failure for stale_if_error, and
// serves unknown-kid refetches: at most one per cooldown, counted from the last such refetch;
// the decisions that asked wait on that one shared fetch, bounded by the fetch timeout.
// A malformed, oversized or keyless answer never replaces a good set.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/common/grace.h"
#include "core/jose/jwk.h"
#include "core/keys/cache_control.h"
#include "core/keys/discovery.h"
#include "core/keys/http_fetcher.h"

namespace authpolicy::keys {

// Where log lines go: level 0 error, 1 warning, 2 info. Must be callable from any thread.
using LogSink = std::function<void(int level, const std::string& line)>;

struct KeySetSettings {
    std::string jwks_uri;  // fetched as is; or
    std::string issuer;    // discovered (jwks_uri empty): OIDC Discovery, then RFC 8414
    std::vector<jose::Alg> allowed;
    HttpOptions http;
    TtlBounds ttl;
    double stale_if_error = 86400;     // seconds the last good set outlives its freshness
    double unknown_kid_cooldown = 30;  // seconds between unknown-kid refetches
    bool fetch_at_start = true;

    // Same settings, same key set: the registry shares it (and its cooldown) engine-wide.
    std::string identity() const;
};

struct KeySetStats {
    uint64_t fetches = 0;       // HTTP exchanges for the key set (discovery excluded)
    uint64_t not_modified = 0;  // 304 answers
    uint64_t failures = 0;      // fetches that kept the previous set
    uint64_t replaced = 0;      // new sets published
    uint64_t unknown_kid_refetches = 0;
    uint64_t waited = 0;  // decisions that waited on the network
};

class RemoteKeySet {
  public:
    using Clock = std::chrono::steady_clock;

    struct Snapshot {
        std::vector<jose::KeyPtr> keys;
        uint64_t version = 0;
    };

    RemoteKeySet(KeySetSettings settings, LogSink log);
    ~RemoteKeySet();
    RemoteKeySet(const RemoteKeySet&) = delete;
    RemoteKeySet& operator=(const RemoteKeySet&) = delete;

    // Fetches once (bounded by the timeouts) when fetch_at_start, then starts the refresher.
    // Never throws for an unreachable server: decisions answer 503 until keys arrive.
    void start();

    // Inside a read section: the keys, or nullptr when none are usable (none fetched yet, or
    // the last good set is older than its freshness plus stale_if_error): a 503.
    const Snapshot* usable() const;
    // Inside a read section, for a token whose kid `seen` does not hold: a newer snapshot after
    // the shared refetch, or `seen` itself when the cooldown forbids one or the fetch failed.
    const Snapshot* refetch_for_unknown_kid(const Snapshot* seen);

    KeySetStats stats() const;
    const KeySetSettings& settings() const { return settings_; }
    std::string describe() const;  // for logs: the URL without query or userinfo

  private:
    void run();
    // One fetch (discovery first when needed). Publishes on success; returns whether it did.
    bool refresh(bool unknown_kid);
    void publish(std::vector<jose::KeyPtr> keys);
    void reclaim(bool all);
    double seconds_since(Clock::time_point t) const;

    const KeySetSettings settings_;
    LogSink log_;
    std::string jwks_uri_;  // refresher thread only, once start() returned
    std::string etag_, last_modified_;
    std::string last_skipped_;
    bool failing_ = false;
    Clock::time_point next_due_{};  // refresher thread only

    std::atomic<const Snapshot*> current_{nullptr};
    std::atomic<int64_t> usable_until_{0};  // steady-clock nanoseconds
    uint64_t next_version_ = 1;
    struct Retired {
        const Snapshot* snapshot;
        grace::Token token;
    };
    std::vector<Retired> retired_;  // refresher thread only

    mutable std::mutex mutex_;
    std::condition_variable wake_;     // the refresher: stop, or an unknown-kid request
    std::condition_variable fetched_;  // decisions waiting on an unknown-kid refetch
    bool stop_ = false;
    bool unknown_requested_ = false;
    uint64_t unknown_done_ = 0, unknown_asked_ = 0;
    bool have_unknown_fetch_ = false;
    Clock::time_point last_unknown_fetch_{};
    KeySetStats stats_;
    std::thread thread_;
};

}  // namespace authpolicy::keys
