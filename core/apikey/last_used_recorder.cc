#include "core/apikey/last_used_recorder.h"

#include <algorithm>
#include <chrono>
#include <exception>

namespace authpolicy::apikey {

LastUsedRecorder::LastUsedRecorder(WriteFn write, double interval_seconds, std::function<void(const std::string&)> log)
    : write_(std::move(write)), interval_(interval_seconds), log_(std::move(log)) {}

LastUsedRecorder::~LastUsedRecorder() {
    {
        std::lock_guard lock(thread_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    flush();  // the final batch
}

void LastUsedRecorder::record(std::string_view selector, int64_t when) {
    if (selector.empty()) return;
    Stripe& s = stripes_[static_cast<unsigned char>(selector.back()) % kStripes];
    {
        std::lock_guard lock(s.mutex);
        auto it = s.pending.find(std::string(selector));
        if (it != s.pending.end()) {
            it->second = std::max(it->second, when);
        } else if (s.pending.size() < kMaxPending / kStripes) {
            s.pending.emplace(selector, when);
        }
    }
    if (!started_.load(std::memory_order_acquire)) {
        std::lock_guard lock(thread_mutex_);
        if (!started_.load(std::memory_order_relaxed) && !stopping_) {
            thread_ = std::thread([this] { run(); });
            started_.store(true, std::memory_order_release);
        }
    }
}

void LastUsedRecorder::run() {
    std::unique_lock lock(thread_mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::duration<double>(interval_), [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        flush();
        lock.lock();
    }
}

size_t LastUsedRecorder::flush() {
    std::lock_guard flushing(flush_mutex_);
    std::vector<directory::ApiKeyUse> batch;
    for (Stripe& s : stripes_) {
        std::lock_guard lock(s.mutex);
        for (auto& [selector, when] : s.pending) batch.push_back({selector, when});
        s.pending.clear();
    }
    if (batch.empty()) return 0;
    std::sort(batch.begin(), batch.end(),
              [](const auto& a, const auto& b) { return a.selector < b.selector; });  // a steady lock order
    try {
        write_(batch);
        return batch.size();
    } catch (const std::exception& e) {
        if (log_) log_("could not record the last use of " + std::to_string(batch.size()) + " API key(s): " + e.what());
    } catch (...) {
        if (log_) log_("could not record the last use of " + std::to_string(batch.size()) + " API key(s)");
    }
    put_back(batch);
    return 0;
}

void LastUsedRecorder::put_back(const std::vector<directory::ApiKeyUse>& batch) {
    for (const auto& use : batch) {
        Stripe& s = stripes_[static_cast<unsigned char>(use.selector.back()) % kStripes];
        std::lock_guard lock(s.mutex);
        auto [it, inserted] = s.pending.emplace(use.selector, use.when);
        if (!inserted) it->second = std::max(it->second, use.when);
    }
}

size_t LastUsedRecorder::pending() const {
    size_t n = 0;
    for (const Stripe& s : stripes_) {
        std::lock_guard lock(s.mutex);
        n += s.pending.size();
    }
    return n;
}

}  // namespace authpolicy::apikey
