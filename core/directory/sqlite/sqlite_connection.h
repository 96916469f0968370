// A thin RAII layer over one sqlite3 connection with a cache of prepared statements.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace authpolicy::directory::sqlite {

// A prepared statement borrowed from its connection's cache; reset and unbound on scope exit.
class Statement {
  public:
    explicit Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text);
    Statement& bind_blob(int index, const void* data, size_t len);
    Statement& bind(int index, int64_t value);
    Statement& bind_null(int index);
    // NULL when absent.
    Statement& bind_optional(int index, std::optional<int64_t> value);
    Statement& bind_optional(int index, std::optional<std::string_view> text);
    // true while a row is available; throws Error(Store) on failure.
    bool step();
    void run();  // steps to completion

    int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
    bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
    std::string column_text(int i) const;        // also reads blobs
    sqlite3_stmt* raw() const { return stmt_; }  // for the typed calls this wrapper does not cover

  private:
    sqlite3_stmt* stmt_;
    sqlite3* db_;
};

class Connection {
  public:
    // Opens (creating if allowed) the database; throws Error(Store) with SQLite's reason.
    Connection(const std::string& path, bool create, int busy_timeout_ms);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // The statement is prepared once per connection and reused.
    Statement prepare(const char* sql);
    void exec(const char* sql);
    int64_t changes() const { return sqlite3_changes64(db_); }
    int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    sqlite3* handle() const { return db_; }

  private:
    sqlite3* db_ = nullptr;
    std::unordered_map<const char*, sqlite3_stmt*> statements_;  // keyed by the SQL literal's address
};

[[noreturn]] void throw_store_error(sqlite3* db, const char* what);

}  // namespace authpolicy::directory::sqlite
