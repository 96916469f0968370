// Where throttle state lives. Each operation is atomic per key: concurrent requests against
// a limit of L admit exactly L (DRF's cache read-modify-write does not guarantee that).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace authpolicy::throttle {

// DRF's sliding log after one allow_request(): the history is pruned of entries at or before
// now - duration; a request is admitted (and `now` recorded, newest first) while fewer than
// num_requests remain.
struct SlidingLogResult {
    bool allowed = false;
    size_t history_length = 0;     // after pruning, before recording
    std::optional<double> oldest;  // the oldest remaining entry, if any
};

// GCRA (a token bucket as one timestamp): allowed, or how long until it would be.
struct GcraResult {
    bool allowed = false;
    double wait = 0;
};

// Failed logins of one key (LOGIN_FAILURES): how many, the last one's time. A count lapses when
// `window` seconds pass without a failure.
struct FailureCount {
    long count = 0;
    double last = 0;
};

class ThrottleStore {
  public:
    virtual ~ThrottleStore() = default;
    // Throws Error(Store) when the backend cannot answer.
    virtual SlidingLogResult sliding_log(std::string_view key, double now, long num_requests, double duration) = 0;
    virtual GcraResult gcra(std::string_view key, double now, double emission_interval, double tolerance) = 0;
    // add: records one failure at now; otherwise only reads (and writes nothing).
    virtual FailureCount failures(std::string_view key, double now, double window, bool add) = 0;
    // Drops a key's state (a successful login resets its failure count).
    virtual void forget(std::string_view key) = 0;
};

}  // namespace authpolicy::throttle
