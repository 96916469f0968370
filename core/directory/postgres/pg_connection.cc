#include "core/directory/postgres/pg_connection.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/common/error.h"
#include "core/crypto/hex.h"

namespace authpolicy::directory::postgres {
namespace {

std::string one_line(const char* msg) {
    std::string s = msg != nullptr ? msg : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s.empty() ? "unknown error" : s;
}

// The options and password the connection string already carries (libpq's parser).
void parsed_fields(const std::string& conninfo, std::string& options, std::string& password) {
    PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), nullptr);
    if (parsed == nullptr) return;  // PQconnect reports it
    for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        if (std::strcmp(o->keyword, "options") == 0) options = o->val;
        if (std::strcmp(o->keyword, "password") == 0) password = o->val;
    }
    PQconninfoFree(parsed);
}

}  // namespace

std::string mask_secret(std::string text, const std::string& secret) {
    if (secret.empty()) return text;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    return text;
}

std::string bytea_param(const crypto::Sha256& digest) {
    return "\\x" + crypto::to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
    if (this != &other) {
        PQclear(r_);
        r_ = other.r_;
        other.r_ = nullptr;
    }
    return *this;
}

std::string PgResult::text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

int64_t PgResult::int64(int row, int col) const {
    const char* p = PQgetvalue(r_, row, col);
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(p, p + PQgetlength(r_, row, col), v);
    if (ec != std::errc()) throw Error(ErrorCode::Store, "PostgreSQL: a column is not an integer");
    (void)end;
    return v;
}

bool PgResult::boolean(int row, int col) const {
    return PQgetvalue(r_, row, col)[0] == 't';
}

std::optional<int64_t> PgResult::optional_int64(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return int64(row, col);
}

int64_t PgResult::affected() const {
    const char* n = PQcmdTuples(r_);
    int64_t v = 0;
    if (n != nullptr) std::from_chars(n, n + std::strlen(n), v);
    return v;
}

PgConnection::PgConnection(const std::string& conninfo, const std::string& target, double connect_timeout,
                           double statement_timeout, bool prepared_statements)
    : target_(target), prepared_statements_(prepared_statements) {
    std::string options;
    parsed_fields(conninfo, options, password_);
    // libpq's connect_timeout is per host, whole seconds, at least 2; the loop below holds
    // the caller's (possibly fractional) deadline across all hosts.
    const std::string libpq_timeout = std::to_string(std::max(2, static_cast<int>(std::ceil(connect_timeout))));
    const long timeout_ms = std::max(1L, std::lround(statement_timeout * 1000));
    if (!options.empty()) options += ' ';
    options += "-c statement_timeout=" + std::to_string(timeout_ms);
    const char* keys[] = {"dbname", "connect_timeout", "options", "fallback_application_name", nullptr};
    const char* values[] = {conninfo.c_str(), libpq_timeout.c_str(), options.c_str(), "libauthpolicy", nullptr};
    conn_ = PQconnectStartParams(keys, values, 1);
    if (conn_ == nullptr) throw Error(ErrorCode::NoMemory, "PostgreSQL: out of memory (" + target_ + ")");
    // Server notices ("relation … already exists, skipping") would go to stderr by default.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    if (PQstatus(conn_) == CONNECTION_BAD) {
        const std::string msg = one_line(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw Error(ErrorCode::Store,
                    mask_secret("PostgreSQL: cannot connect: " + msg + " (" + target_ + ")", password_));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(connect_timeout);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        std::string error;
        if (st == PGRES_POLLING_FAILED) {
            error = "cannot connect: " + one_line(PQerrorMessage(conn_));
        } else {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{PQsocket(conn_), static_cast<short>(st == PGRES_POLLING_READING ? POLLIN : POLLOUT), 0};
            const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
            if (ready == 0) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%g", connect_timeout);
                error = std::string("cannot connect: no answer within ") + buf + " s";
            } else if (ready < 0 && errno != EINTR) {
                error = std::string("cannot connect: poll: ") + std::strerror(errno);
            } else {
                st = PQconnectPoll(conn_);
                continue;
            }
        }
        PQfinish(conn_);
        conn_ = nullptr;
        throw Error(ErrorCode::Store, mask_secret("PostgreSQL: " + error + " (" + target_ + ")", password_));
    }
}

PgConnection::~PgConnection() {
    PQfinish(conn_);
}

bool PgConnection::broken() const {
    return broken_ || PQstatus(conn_) == CONNECTION_BAD;
}

void PgConnection::fail(const std::string& what) const {
    throw Error(ErrorCode::Store, mask_secret("PostgreSQL: " + what + " (" + target_ + ")", password_));
}

PgResult PgConnection::check(PGresult* raw, const char* doing) {
    PgResult r(raw);
    const ExecStatusType st = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    if (PQstatus(conn_) == CONNECTION_BAD) broken_ = true;
    const char* state = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string msg = one_line(primary != nullptr ? primary : PQerrorMessage(conn_));
    if (state != nullptr && std::strcmp(state, "23505") == 0)
        throw Error(ErrorCode::Exists, mask_secret("PostgreSQL: " + msg, password_));
    fail(std::string(doing) + ": " + msg);
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    return run(sql, static_cast<int>(params.size()), values.data(), nullptr, nullptr);
}

PgResult PgConnection::exec(const std::string& sql, const crypto::Sha256& digest) {
    const char* value = reinterpret_cast<const char*>(digest.data());
    const int length = static_cast<int>(digest.size());
    const int binary = 1;
    return run(sql, 1, &value, &length, &binary);
}

PgResult PgConnection::run(const std::string& sql, int n, const char* const* values, const int* lengths,
                           const int* formats) {
    if (!prepared_statements_)
        return check(PQexecParams(conn_, sql.c_str(), n, nullptr, values, lengths, formats, 0), "running a statement");
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        // Prepared statements are per session and survive a rolled-back transaction.
        std::string name = "authp_" + std::to_string(prepared_.size() + 1);
        check(PQprepare(conn_, name.c_str(), sql.c_str(), n, nullptr), "preparing a statement");
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    return check(PQexecPrepared(conn_, it->second.c_str(), n, values, lengths, formats, 0), "running a statement");
}

PgResult PgConnection::exec_script(const std::string& sql) {
    return check(PQexec(conn_, sql.c_str()), "running SQL");
}

void PgConnection::begin() {
    exec_script("BEGIN");
}

void PgConnection::commit() {
    PgResult r = exec_script("COMMIT");
    // COMMIT of a failed transaction "succeeds" with the tag ROLLBACK.
    if (std::strcmp(PQcmdStatus(r.get()), "ROLLBACK") == 0) fail("the transaction was rolled back");
}

void PgConnection::rollback() noexcept {
    PGresult* r = PQexec(conn_, "ROLLBACK");
    if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK || !idle()) broken_ = true;
    PQclear(r);
}

}  // namespace authpolicy::directory::postgres
