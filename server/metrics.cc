#include "server/metrics.h"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <vector>

namespace authpolicy::server {

std::string prometheus_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::atomic<std::uint64_t>& Metrics::series(std::string key) {
    {
        std::shared_lock lock(mu_);
        const auto it = decisions_.find(key);
        if (it != decisions_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    if (decisions_.size() >= kMaxSeries && decisions_.find(key) == decisions_.end())
        key = R"(front_end="other",view="other",status="other",authenticator="other")";
    auto& slot = decisions_[key];
    if (!slot) slot = std::make_unique<std::atomic<std::uint64_t>>(0);
    return *slot;
}

void Metrics::record_decision(const DecisionLabels& labels, std::chrono::nanoseconds latency) {
    std::string key;
    key.reserve(96);
    key += "front_end=\"";
    key += prometheus_label(labels.front_end);
    key += "\",view=\"";
    key += prometheus_label(labels.view);
    key += "\",status=\"";
    key += std::to_string(labels.status);
    key += "\",authenticator=\"";
    key += prometheus_label(labels.authenticator);
    key += '"';
    series(std::move(key)).fetch_add(1, std::memory_order_relaxed);

    const double seconds = std::chrono::duration<double>(latency).count();
    const auto bucket =
        static_cast<std::size_t>(std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
    latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
    latency_count_.fetch_add(1, std::memory_order_relaxed);
    latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(latency.count()), std::memory_order_relaxed);
}

void Metrics::record_shed(std::string_view front_end) {
    std::size_t i = 0;
    while (i + 1 < kFrontEnds.size() && kFrontEnds[i] != front_end) ++i;
    shed_[i].fetch_add(1, std::memory_order_relaxed);
}
void Metrics::record_backend_error() {
    backend_errors_.fetch_add(1, std::memory_order_relaxed);
}
void Metrics::record_reload(bool ok) {
    (ok ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed);
}
void Metrics::record_connection_refused() {
    connections_refused_.fetch_add(1, std::memory_order_relaxed);
}
void Metrics::record_bad_request() {
    bad_requests_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
    std::string out;
    auto counter = [&out](const char* name, const char* help) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += " counter\n";
    };
    auto line = [&out](const std::string& name_and_labels, double value) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %.17g\n", value);
        out += name_and_labels;
        out += buf;
    };
    counter("authp_decisions_total", "Decisions by front end, view, HTTP status and authenticator.");
    {
        std::vector<std::pair<std::string, std::uint64_t>> rows;
        {
            std::shared_lock lock(mu_);
            for (const auto& [k, v] : decisions_) rows.emplace_back(k, v->load(std::memory_order_relaxed));
        }
        std::sort(rows.begin(), rows.end());
        for (const auto& [k, v] : rows) line("authp_decisions_total{" + k + "}", static_cast<double>(v));
    }
    out += "# HELP authp_decision_duration_seconds Time to decide one request (routing, engine, answer).\n";
    out += "# TYPE authp_decision_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < latency_buckets_.size(); ++i) {
        cumulative += latency_buckets_[i].load(std::memory_order_relaxed);
        char le[32];
        if (i < kBuckets.size()) {
            std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        } else {
            std::snprintf(le, sizeof le, "+Inf");
        }
        line(std::string("authp_decision_duration_seconds_bucket{le=\"") + le + "\"}", static_cast<double>(cumulative));
    }
    line("authp_decision_duration_seconds_sum", static_cast<double>(latency_sum_ns_.load()) / 1e9);
    line("authp_decision_duration_seconds_count", static_cast<double>(latency_count_.load()));

    counter("authp_shed_total", "Requests answered 503 without a decision because the service was over capacity.");
    for (std::size_t i = 0; i < kFrontEnds.size(); ++i)
        line("authp_shed_total{front_end=\"" + std::string(kFrontEnds[i]) + "\"}",
             static_cast<double>(shed_[i].load()));
    counter("authp_backend_errors_total", "Decisions the engine could not reach (database, callback): answered 503.");
    line("authp_backend_errors_total", static_cast<double>(backend_errors_.load()));
    counter("authp_reloads_total", "Configuration reloads (SIGHUP) by result.");
    line("authp_reloads_total{result=\"ok\"}", static_cast<double>(reloads_ok_.load()));
    line("authp_reloads_total{result=\"failed\"}", static_cast<double>(reloads_failed_.load()));
    counter("authp_connections_refused_total",
            "Connections answered 503 and closed because max_connections were open.");
    line("authp_connections_refused_total", static_cast<double>(connections_refused_.load()));
    counter("authp_bad_requests_total", "Requests answered 400/413/431 (malformed, over a cap, no original URI).");
    line("authp_bad_requests_total", static_cast<double>(bad_requests_.load()));
    if (cache_source_) {
        const CacheCounts c = cache_source_();
        counter("authp_credential_cache_hits_total",
                "Basic/Token/Session credential checks answered from the engine's cache.");
        line("authp_credential_cache_hits_total", static_cast<double>(c.hits));
        counter("authp_credential_cache_misses_total", "Credential checks that went to the store or the KDF.");
        line("authp_credential_cache_misses_total", static_cast<double>(c.misses));
    }
    out += "# HELP authp_open_connections Connections open on the HTTP listeners.\n";
    out += "# TYPE authp_open_connections gauge\n";
    line("authp_open_connections", static_cast<double>(open_connections_.load()));
    return out;
}

}  // namespace authpolicy::server
