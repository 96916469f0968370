// Throttle state on PostgreSQL (THROTTLE_BACKEND {"TYPE": "postgresql"}): shared by every server
// on the database, on the directory's DATABASE or a URL of its own. Each check is one transaction
// that locks the key's row, so concurrent requests against a limit of L admit exactly L across
// all servers. Keys are stored as SHA-256 digests (fixed size, any bytes).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "core/directory/postgres/pg_pool.h"
#include "core/directory/postgres/pg_schema.h"
#include "core/throttle/throttle_store.h"

namespace authpolicy::throttle {

class PostgresThrottleStore final : public ThrottleStore {
  public:
    // Does not connect: the first check does (and creates the table, schema step 2).
    explicit PostgresThrottleStore(directory::postgres::PgOptions options);

    SlidingLogResult sliding_log(std::string_view key, double now, long num_requests, double duration) override;
    GcraResult gcra(std::string_view key, double now, double emission_interval, double tolerance) override;
    FailureCount failures(std::string_view key, double now, double window, bool add) override;
    void forget(std::string_view key) override;

    const std::string& target() const { return pool_.target(); }

  private:
    struct Row {
        std::string history;  // doubles, packed as in the SQLite store
        double tat = 0;
        double expires_at = 0;
    };
    directory::postgres::PgPool& use();
    // Inside a transaction: makes sure the key's row exists, locks it and reads it.
    static Row lock_row(directory::postgres::PgConnection& c, const std::string& key);
    static void store_row(directory::postgres::PgConnection& c, const std::string& key, const Row& row);
    void purge_expired(directory::postgres::PgConnection& c, double now);

    directory::postgres::PgPool pool_;
    directory::postgres::PgMigrateOnce migration_;
    std::atomic<unsigned> writes_{0};
};

}  // namespace authpolicy::throttle
