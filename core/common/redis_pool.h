// Connections to one Redis server, shared by the stores that keep state there (THROTTLE_BACKEND,
// DPOP_REPLAY_BACKEND): bounded connect and command timeouts, one connection per slot chosen by
// thread, and no retry storm after a failure (a failed slot waits RETRY_AFTER before it
// reconnects; meanwhile its commands fail at once). Messages name host:port only.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct redisContext;
struct redisReply;

namespace authpolicy {

struct RedisConnectionSettings {
    std::string host = "127.0.0.1";
    int port = 6379;
    int timeout_ms = 100;        // connect and per command
    double retry_after_s = 1.0;  // after a failure, a connection is not retried sooner
    int pool_size = 4;
};

class RedisPool {
  public:
    // One reply, freed with it.
    class Reply {
      public:
        Reply() = default;
        explicit Reply(redisReply* r) : r_(r) {}
        Reply(Reply&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
        Reply& operator=(Reply&& o) noexcept;
        Reply(const Reply&) = delete;
        Reply& operator=(const Reply&) = delete;
        ~Reply();
        const redisReply* operator->() const { return r_; }
        const redisReply* get() const { return r_; }

      private:
        redisReply* r_ = nullptr;
    };

    explicit RedisPool(RedisConnectionSettings settings);
    ~RedisPool();
    RedisPool(const RedisPool&) = delete;
    RedisPool& operator=(const RedisPool&) = delete;

    // Sends one command (binary-safe arguments) and returns the server's reply, which may be an
    // error reply. Throws Error(Store) when the server cannot be reached or does not answer
    // within the timeout; that connection is dropped.
    Reply command(const std::vector<std::string>& args);
    // "redis host:port", for messages.
    const std::string& where() const { return where_; }
    const RedisConnectionSettings& settings() const { return settings_; }

  private:
    struct Slot;
    RedisConnectionSettings settings_;
    std::string where_;
    std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace authpolicy
