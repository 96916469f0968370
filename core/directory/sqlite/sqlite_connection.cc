#include "core/directory/sqlite/sqlite_connection.h"

#include "core/common/error.h"

namespace authpolicy::directory::sqlite {

void throw_store_error(sqlite3* db, const char* what) {
    std::string msg = std::string("database error while ") + what + ": ";
    msg += db ? sqlite3_errmsg(db) : "out of memory";
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) throw Error(ErrorCode::Exists, msg);
    throw Error(ErrorCode::Store, msg);
}

Statement::~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
    // An empty view may carry a null pointer, which SQLite would bind as NULL, not as ''.
    const char* data = text.data() != nullptr ? text.data() : "";
    if (sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
        throw_store_error(db_, "binding a parameter");
    return *this;
}

Statement& Statement::bind_blob(int index, const void* data, size_t len) {
    if (sqlite3_bind_blob(stmt_, index, data, static_cast<int>(len), SQLITE_TRANSIENT) != SQLITE_OK)
        throw_store_error(db_, "binding a parameter");
    return *this;
}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) throw_store_error(db_, "binding a parameter");
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) throw_store_error(db_, "binding a parameter");
    return *this;
}

Statement& Statement::bind_optional(int index, std::optional<int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_optional(int index, std::optional<std::string_view> text) {
    return text ? bind(index, *text) : bind_null(index);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_store_error(db_, "running a statement");
}

void Statement::run() {
    while (step()) {
    }
}

std::string Statement::column_text(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
}

Connection::Connection(const std::string& path, bool create, int busy_timeout_ms) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    if (create) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string msg = "cannot open database '" + path + "': " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Error(ErrorCode::Store, msg);
    }
    sqlite3_extended_result_codes(db_, 0);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    // Memory-mapped reads: a random lookup in a database larger than the page cache costs a
    // page fault at most instead of pread() system calls (no effect on :memory:).
    sqlite3_exec(db_, "PRAGMA mmap_size=268435456", nullptr, nullptr, nullptr);
}

Connection::~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

Statement Connection::prepare(const char* sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
            throw_store_error(db_, "preparing a statement");
        it = statements_.emplace(sql, stmt).first;
    }
    return Statement(it->second, db_);
}

void Connection::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        sqlite3_free(err);
        throw_store_error(db_, "executing SQL");
    }
}

}  // namespace authpolicy::directory::sqlite
