// The directory's own tables on PostgreSQL, mirroring the SQLite schema
// (core/directory/sqlite/sqlite_database.cc), with versioned migrations in authp_schema.
#pragma once

#include <atomic>
#include <mutex>

#include "core/directory/postgres/pg_connection.h"
#include "core/directory/postgres/pg_pool.h"

namespace authpolicy::directory::postgres {

inline constexpr int kPgSchemaVersion = 4;

// 0 when the database has no authp_schema table yet.
int pg_schema_version(PgConnection& c);

// Brings the schema to kPgSchemaVersion, one transaction per step, each under a transaction-scoped
// advisory lock (so processes migrating at once take turns). Throws Error(Store) for a database
// whose version is newer than this library's.
void pg_migrate(PgPool& pool);

// pg_migrate once per owner, on its first use rather than at construction: a database that is
// down at start fails that use (the 503), not the engine's creation, and the next use retries.
class PgMigrateOnce {
  public:
    void ensure(PgPool& pool);  // thread-safe; cheap once done

  private:
    std::mutex mutex_;
    std::atomic<bool> done_{false};
};

}  // namespace authpolicy::directory::postgres
