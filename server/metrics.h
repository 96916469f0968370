// Prometheus counters and the decision latency histogram of `authpolicy serve`, rendered in the
// text exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/).
// Recording is lock-free on the hot path once a label set has been seen; label sets are bounded
// (views, authenticators and statuses come from the configuration, not from requests), and a cap
// folds anything past it into one "other" series.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace authpolicy::server {

class Metrics {
  public:
    struct DecisionLabels {
        std::string_view front_end;
        std::string_view view;  // "" = the default policy
        int status = 0;
        std::string_view authenticator;  // "" = none succeeded
    };

    void record_decision(const DecisionLabels& labels, std::chrono::nanoseconds latency);
    void record_shed(std::string_view front_end);
    void record_backend_error();
    void record_reload(bool ok);
    void record_connection_refused();  // over max_connections
    void record_bad_request();         // malformed HTTP, over a size cap, missing forwarded URI

    void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }

    // Where the engine's credential-cache counters come from (the decider's current engine).
    struct CacheCounts {
        std::uint64_t hits = 0;
        std::uint64_t misses = 0;
    };
    void set_cache_source(std::function<CacheCounts()> source) { cache_source_ = std::move(source); }

    std::string render() const;

    // Upper bounds of the latency buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 14> kBuckets = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                        0.0025,  0.005,    0.01,    0.025,  0.05,    0.1,    1.0};

  private:
    std::atomic<std::uint64_t>& series(std::string key);

    static constexpr std::size_t kMaxSeries = 4096;
    mutable std::shared_mutex mu_;
    std::unordered_map<std::string, std::unique_ptr<std::atomic<std::uint64_t>>> decisions_;  // key: label text

    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> latency_buckets_{};
    std::atomic<std::uint64_t> latency_count_{0};
    std::atomic<std::uint64_t> latency_sum_ns_{0};

    static constexpr std::array<std::string_view, 4> kFrontEnds = {"forward_auth", "ext_authz_http", "ext_authz_grpc",
                                                                   "other"};
    std::array<std::atomic<std::uint64_t>, kFrontEnds.size()> shed_{};
    std::atomic<std::uint64_t> backend_errors_{0};
    std::atomic<std::uint64_t> reloads_ok_{0};
    std::atomic<std::uint64_t> reloads_failed_{0};
    std::atomic<std::uint64_t> connections_refused_{0};
    std::atomic<std::uint64_t> bad_requests_{0};
    std::atomic<std::int64_t> open_connections_{0};
    std::function<CacheCounts()> cache_source_;
};

// A Prometheus label value: backslash, double quote and newline escaped.
std::string prometheus_label(std::string_view value);

}  // namespace authpolicy::server
