// The revocation listener: one thread with its own session doing LISTEN authp_revocation and
// turning each notice into a directory::Revocation for the sink. When the session is lost (or
// cannot be made) the sink gets Revocation::Kind::Everything once and live() turns false; after
// reconnecting (backoff 100 ms doubling to 2 s) the sink gets Everything again, since notices
// sent during the gap are lost, and live() turns true. The first LISTEN also delivers
// Everything: whatever was cached before it was in force could have missed a notice.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/directory/directory.h"

namespace authpolicy::directory::postgres {

inline constexpr const char* kRevocationChannel = "authp_revocation";

// "t:<hex>", "o:<hex>", "s:<hex>" (64 hex digits) or "u:<user id>"; nullopt when malformed.
std::optional<Revocation> decode_revocation(std::string_view payload);

class PgListener {
  public:
    // `conninfo` is secret, `target` its redacted form; never uses prepared statements (works
    // through a plain session even where the pool goes through PgBouncer).
    PgListener(std::string conninfo, std::string target, double connect_timeout, double statement_timeout,
               RevocationSink sink);
    // Stops and joins promptly (at most a connection attempt in flight: CONNECT_TIMEOUT).
    ~PgListener();
    PgListener(const PgListener&) = delete;
    PgListener& operator=(const PgListener&) = delete;

    bool live() const { return live_.load(std::memory_order_acquire); }
    uint64_t malformed() const { return malformed_.load(); }  // payloads ignored
    uint64_t delivered() const { return delivered_.load(); }  // notices passed to the sink
    int backend_pid() const { return backend_pid_.load(); }   // 0 while disconnected

  private:
    void run();
    void deliver(const Revocation& r);
    // Sleeps up to ms, false when asked to stop.
    bool pause(int ms);

    std::string conninfo_;
    std::string target_;
    double connect_timeout_;
    double statement_timeout_;
    RevocationSink sink_;
    int wake_[2] = {-1, -1};  // self-pipe: the destructor writes to end a poll() at once
    std::atomic<bool> stop_{false};
    std::atomic<bool> live_{false};
    std::atomic<uint64_t> malformed_{0};
    std::atomic<uint64_t> delivered_{0};
    std::atomic<int> backend_pid_{0};
    std::thread thread_;
};

}  // namespace authpolicy::directory::postgres
