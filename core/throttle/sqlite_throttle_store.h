// Throttle state in the embedded SQLite database: shared by every process on one machine that
// opens the same DATABASE. Each check is one IMMEDIATE transaction, so it is atomic across
// processes.
#pragma once

#include <atomic>
#include <memory>

#include "core/directory/sqlite/sqlite_database.h"
#include "core/throttle/throttle_store.h"

namespace authpolicy::throttle {

class SqliteThrottleStore final : public ThrottleStore {
  public:
    explicit SqliteThrottleStore(std::shared_ptr<directory::sqlite::SqliteDatabase> db) : db_(std::move(db)) {}
    SlidingLogResult sliding_log(std::string_view key, double now, long num_requests, double duration) override;
    GcraResult gcra(std::string_view key, double now, double emission_interval, double tolerance) override;
    FailureCount failures(std::string_view key, double now, double window, bool add) override;
    void forget(std::string_view key) override;

  private:
    void purge_expired(directory::sqlite::Connection& c, double now);
    std::shared_ptr<directory::sqlite::SqliteDatabase> db_;
    std::atomic<unsigned> writes_{0};
};

}  // namespace authpolicy::throttle
