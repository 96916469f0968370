// Last-used times of API keys, noted in memory on the hot path and written in batches by a
// background thread (every LAST_USED_FLUSH_SECONDS, and once more at shutdown): a decision never
// waits for a write, and a failed write never changes a decision (it is logged and retried).
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/directory/api_key_record.h"

namespace authpolicy::apikey {

class LastUsedRecorder {
  public:
    // `write` stores one batch (throws on failure); `log` reports failures (no secret in them).
    using WriteFn = std::function<void(const std::vector<directory::ApiKeyUse>&)>;
    LastUsedRecorder(WriteFn write, double interval_seconds, std::function<void(const std::string&)> log);
    // Stops the thread and writes what is pending.
    ~LastUsedRecorder();
    LastUsedRecorder(const LastUsedRecorder&) = delete;
    LastUsedRecorder& operator=(const LastUsedRecorder&) = delete;

    // Hot path: one striped lock and a map update; starts the writer thread at the first use.
    void record(std::string_view selector, int64_t when);
    // Writes everything pending now; returns how many keys were written (0 on failure, which
    // puts the batch back for the next attempt).
    size_t flush();
    size_t pending() const;

    // Past this many distinct pending keys new ones are not noted (a store down for long must
    // not grow memory without bound); last_used is advisory.
    static constexpr size_t kMaxPending = 1'000'000;

  private:
    static constexpr size_t kStripes = 16;
    struct alignas(64) Stripe {
        mutable std::mutex mutex;
        std::unordered_map<std::string, int64_t> pending;
    };
    void run();
    void put_back(const std::vector<directory::ApiKeyUse>& batch);

    WriteFn write_;
    double interval_;
    std::function<void(const std::string&)> log_;
    std::array<Stripe, kStripes> stripes_;
    std::mutex flush_mutex_;  // one batch at a time
    std::mutex thread_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> started_{false};
    std::thread thread_;
};

}  // namespace authpolicy::apikey
