#include "core/keys/remote_key_set.h"

#include <algorithm>
#include <sstream>

#include "core/common/error.h"
#include "core/keys/jwks_document.h"

namespace authpolicy::keys {
namespace {

int64_t to_ns(RemoteKeySet::Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

RemoteKeySet::Clock::duration seconds(double s) {
    return std::chrono::duration_cast<RemoteKeySet::Clock::duration>(std::chrono::duration<double>(s));
}

}  // namespace

std::string KeySetSettings::identity() const {
    std::ostringstream s;
    s << (jwks_uri.empty() ? "discover " + issuer : "jwks " + jwks_uri) << '\n';
    for (auto a : allowed) s << jose::alg_name(a) << ',';
    s << '\n'
      << http.allow_insecure_http << ' ' << http.ca_file << '\n'
      << http.proxy << '\n'
      << http.connect_timeout << ' ' << http.timeout << ' ' << http.max_bytes << ' ' << ttl.min << ' ' << ttl.max << ' '
      << ttl.fallback << ' ' << stale_if_error << ' ' << unknown_kid_cooldown;
    return s.str();
}

RemoteKeySet::RemoteKeySet(KeySetSettings settings, LogSink log)
    : settings_(std::move(settings)), log_(std::move(log)), jwks_uri_(settings_.jwks_uri) {}

RemoteKeySet::~RemoteKeySet() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    fetched_.notify_all();
    if (thread_.joinable()) thread_.join();
    // The owner frees this only after every reader left (the engine's grace period).
    reclaim(true);
    delete current_.load();
}

std::string RemoteKeySet::describe() const {
    return settings_.jwks_uri.empty() ? "the keys of issuer " + url_for_log(settings_.issuer)
                                      : url_for_log(settings_.jwks_uri);
}

double RemoteKeySet::seconds_since(Clock::time_point t) const {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

void RemoteKeySet::start() {
    next_due_ = Clock::now();
    if (settings_.fetch_at_start) refresh(false);
    thread_ = std::thread([this] { run(); });
}

const RemoteKeySet::Snapshot* RemoteKeySet::usable() const {
    const Snapshot* s = current_.load(std::memory_order_seq_cst);
    if (s == nullptr) return nullptr;
    if (to_ns(Clock::now()) > usable_until_.load(std::memory_order_relaxed)) return nullptr;
    return s;
}

const RemoteKeySet::Snapshot* RemoteKeySet::refetch_for_unknown_kid(const Snapshot* seen) {
    std::unique_lock lock(mutex_);
    const Snapshot* now = current_.load(std::memory_order_seq_cst);
    if (now != seen && now != nullptr) return now;  // a newer set arrived meanwhile
    const bool in_flight = unknown_asked_ != unknown_done_;
    if (!in_flight) {
        if (have_unknown_fetch_ && seconds_since(last_unknown_fetch_) < settings_.unknown_kid_cooldown) return seen;
        have_unknown_fetch_ = true;
        last_unknown_fetch_ = Clock::now();
        ++unknown_asked_;
        unknown_requested_ = true;
        ++stats_.unknown_kid_refetches;
        wake_.notify_all();
    }
    const uint64_t target = unknown_asked_;
    ++stats_.waited;
    // Discovery and the key set: two exchanges at most, each bounded by the timeout.
    const auto deadline = Clock::now() + seconds(2 * settings_.http.timeout + 1);
    fetched_.wait_until(lock, deadline, [&] { return unknown_done_ >= target || stop_; });
    now = current_.load(std::memory_order_seq_cst);
    return now != nullptr ? now : seen;
}

KeySetStats RemoteKeySet::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void RemoteKeySet::run() {
    for (;;) {
        std::unique_lock lock(mutex_);
        auto until = next_due_;
        if (!retired_.empty()) until = std::min(until, Clock::now() + std::chrono::milliseconds(200));
        wake_.wait_until(lock, until, [&] { return stop_ || unknown_requested_; });
        if (stop_) return;
        const bool unknown = unknown_requested_;
        unknown_requested_ = false;
        const uint64_t asked = unknown_asked_;
        lock.unlock();
        if (unknown || Clock::now() >= next_due_) refresh(unknown);
        if (unknown) {
            lock.lock();
            unknown_done_ = asked;
            lock.unlock();
            fetched_.notify_all();
        }
        reclaim(false);
    }
}

bool RemoteKeySet::refresh(bool) {
    const bool have = current_.load() != nullptr;
    const double retry = std::clamp(settings_.ttl.min, 0.05, 30.0);
    try {
        if (jwks_uri_.empty()) {
            const ServerMetadata m = discover(settings_.issuer, settings_.http);
            if (m.jwks_uri.empty())
                throw Error(ErrorCode::Store, "the metadata of " + url_for_log(settings_.issuer) + " has no jwks_uri");
            jwks_uri_ = m.jwks_uri;
        }
        HttpRequest req;
        req.url = jwks_uri_;
        if (have) {
            req.if_none_match = etag_;
            req.if_modified_since = last_modified_;
        }
        {
            std::lock_guard lock(mutex_);
            ++stats_.fetches;
        }
        const HttpResponse r = http_fetch(req, settings_.http);
        const double ttl = freshness_seconds(r.cache_control, settings_.ttl);
        const auto now = Clock::now();
        bool published = false;
        if (r.status == 304 && have) {
            std::lock_guard lock(mutex_);
            ++stats_.not_modified;
        } else if (r.status != 200) {
            throw Error(ErrorCode::Store, url_for_log(jwks_uri_) + " answered " + std::to_string(r.status));
        } else {
            RemoteJwks doc;
            try {
                doc = parse_remote_jwks(r.body, settings_.allowed);
            } catch (const jose::KeyError& e) {
                throw Error(ErrorCode::Store, url_for_log(jwks_uri_) + ": " + e.what());
            }
            std::string skipped;
            for (const auto& s : doc.skipped) skipped += (skipped.empty() ? "" : "; ") + s;
            if (skipped != last_skipped_ && !skipped.empty())
                log_(1, "key set " + url_for_log(jwks_uri_) + ": skipped unusable keys: " + skipped);
            last_skipped_ = skipped;
            etag_ = r.etag;
            last_modified_ = r.last_modified;
            publish(std::move(doc.keys));
            published = true;
        }
        usable_until_.store(to_ns(now + seconds(ttl + settings_.stale_if_error)), std::memory_order_relaxed);
        // Refresh before the set expires, so that decisions never find it stale.
        next_due_ = now + seconds(std::max(ttl * 0.75, 0.05));
        if (failing_) log_(2, "key set " + describe() + " recovered");
        failing_ = false;
        return published;
    } catch (const std::bad_alloc&) {
        // Out of memory: keep the previous set and try again later.
    } catch (const std::exception& e) {
        if (!failing_)
            log_(have ? 1 : 0, std::string(e.what()) + (have ? "; the last good key set is kept (stale_if_error)"
                                                             : "; decisions needing these keys are denied with 503"));
        failing_ = true;
        if (settings_.jwks_uri.empty()) jwks_uri_.clear();  // discovered: discover again next time
    }
    {
        std::lock_guard lock(mutex_);
        ++stats_.failures;
    }
    next_due_ = Clock::now() + seconds(retry);
    return false;
}

void RemoteKeySet::publish(std::vector<jose::KeyPtr> keys) {
    auto* fresh = new Snapshot{std::move(keys), next_version_++};
    const Snapshot* old = current_.exchange(fresh, std::memory_order_seq_cst);
    {
        std::lock_guard lock(mutex_);
        ++stats_.replaced;
    }
    if (old != nullptr) retired_.push_back({old, grace::Token::now()});
}

void RemoteKeySet::reclaim(bool all) {
    auto keep = std::remove_if(retired_.begin(), retired_.end(), [&](const Retired& r) {
        if (!all && !r.token.passed()) return false;
        delete r.snapshot;
        return true;
    });
    retired_.erase(keep, retired_.end());
}

}  // namespace authpolicy::keys
