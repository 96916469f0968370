// The embedded SQLite database: schema, one writer connection and a pool of readers.
// WAL mode lets readers run beside the writer and beside other processes (the CLI).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/directory/sqlite/sqlite_connection.h"

namespace authpolicy::directory::sqlite {

class SqliteDatabase {
  public:
    // ":memory:" gives a private in-memory database (one connection serves everything).
    explicit SqliteDatabase(std::string path, int busy_timeout_ms = 5000);

    const std::string& path() const { return path_; }
    // Set when an existing database file is readable by group or others, or owned by another
    // user: it holds password hashes and the session secret. The engine logs it.
    const std::string& exposure_warning() const { return exposure_warning_; }
    int schema_version() const;
    static int latest_schema_version();

    // Runs fn with a pooled read connection (autocommit, one statement = one read snapshot).
    template <class F>
    auto read(F&& fn) const {
        if (in_memory_) {
            std::lock_guard lock(writer_mutex_);
            return fn(*writer_);
        }
        Slot& slot = acquire();
        std::unique_lock lock(slot.mutex, std::adopt_lock);
        if (!slot.connection) slot.connection = std::make_unique<Connection>(path_, false, busy_timeout_ms_);
        return fn(*slot.connection);
    }

    // Runs fn inside BEGIN IMMEDIATE … COMMIT on the writer connection; rolls back on throw.
    template <class F>
    auto write(F&& fn) {
        std::lock_guard lock(writer_mutex_);
        Connection& c = writer();
        c.exec("BEGIN IMMEDIATE");
        try {
            if constexpr (std::is_void_v<decltype(fn(c))>) {
                fn(c);
                c.exec("COMMIT");
            } else {
                auto result = fn(c);
                c.exec("COMMIT");
                return result;
            }
        } catch (...) {
            sqlite3_exec(c.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

  private:
    void protect_file();
    struct Slot {
        std::mutex mutex;
        std::unique_ptr<Connection> connection;
    };
    Slot& acquire() const;  // returns a slot whose mutex is locked
    Connection& writer();
    void migrate();

    std::string path_;
    int busy_timeout_ms_;
    bool in_memory_;
    std::string exposure_warning_;
    mutable std::mutex writer_mutex_;
    std::unique_ptr<Connection> writer_;
    mutable std::vector<std::unique_ptr<Slot>> readers_;
};

}  // namespace authpolicy::directory::sqlite
