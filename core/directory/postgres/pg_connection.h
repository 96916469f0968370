// One libpq connection (RAII over PGconn*) and its results (RAII over PGresult*). Parameters
// travel as text; with prepared statements on, each SQL text is prepared once per connection.
// Every failure is Error(Store, "PostgreSQL: … (<redacted target>)"), a unique violation
// Error(Exists); no message ever carries the password.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/crypto/digest.h"

namespace authpolicy::directory::postgres {

struct PgOptions;

// A text parameter; nullopt is SQL NULL.
using PgParam = std::optional<std::string>;
// A SHA-256 digest as a bytea text parameter ("\x…" hex).
std::string bytea_param(const crypto::Sha256& digest);

class PgResult {
  public:
    PgResult() = default;
    explicit PgResult(PGresult* r) : r_(r) {}
    ~PgResult() { PQclear(r_); }
    PgResult(PgResult&& other) noexcept : r_(other.r_) { other.r_ = nullptr; }
    PgResult& operator=(PgResult&& other) noexcept;
    PgResult(const PgResult&) = delete;
    PgResult& operator=(const PgResult&) = delete;

    int rows() const { return r_ != nullptr ? PQntuples(r_) : 0; }
    bool is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
    std::string text(int row, int col) const;
    int64_t int64(int row, int col) const;
    bool boolean(int row, int col) const;
    std::optional<int64_t> optional_int64(int row, int col) const;
    // Rows a DELETE/UPDATE/INSERT touched.
    int64_t affected() const;
    PGresult* get() const { return r_; }

  private:
    PGresult* r_ = nullptr;
};

class PgConnection {
  public:
    // Connects within options.connect_timeout (fractional seconds honoured: libpq's own
    // connect_timeout is whole seconds, at least 2); the session's statement_timeout is set
    // through the startup `options` so a hung statement ends server-side. `conninfo` is the
    // secret string, `target` its redacted form for messages.
    PgConnection(const std::string& conninfo, const std::string& target, double connect_timeout,
                 double statement_timeout, bool prepared_statements);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // One statement with $1… text parameters.
    PgResult exec(const std::string& sql, const std::vector<PgParam>& params = {});
    // One statement whose only parameter ($1::bytea) is a digest, sent binary: no hex encoding
    // here nor decoding in the server, on the reads every cold decision makes.
    PgResult exec(const std::string& sql, const crypto::Sha256& digest);
    // Several statements, no parameters, never prepared (migrations, LISTEN, BEGIN/COMMIT).
    PgResult exec_script(const std::string& sql);

    void begin();
    // Throws Error(Store) when the server rolled the transaction back instead.
    void commit();
    // Never throws; a failed rollback marks the connection broken.
    void rollback() noexcept;

    // CONNECTION_BAD was seen, or the session is in an unknown state: the pool discards it.
    bool broken() const;
    bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }
    int backend_pid() const { return PQbackendPID(conn_); }
    PGconn* handle() const { return conn_; }
    const std::string& target() const { return target_; }

    // "PostgreSQL: <what> (<target>)" with any occurrence of the password masked.
    [[noreturn]] void fail(const std::string& what) const;

  private:
    PgResult check(PGresult* r, const char* doing);
    // Prepares `sql` once per connection (when prepared statements are on) and runs it.
    PgResult run(const std::string& sql, int n, const char* const* values, const int* lengths, const int* formats);

    PGconn* conn_ = nullptr;
    std::string target_;
    std::string password_;  // only to mask it should a message ever echo it
    bool prepared_statements_;
    bool broken_ = false;
    std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// Masks every occurrence of `secret` (when not empty) in `text`.
std::string mask_secret(std::string text, const std::string& secret);

}  // namespace authpolicy::directory::postgres
