// The PostgreSQL directory's settings: DATABASE (a libpq URL or key=value string) plus the
// optional DATABASE_OPTIONS object. The connection string holds a password: only its redacted
// form (redact_conninfo) may ever appear in an error, a log line or a message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace authpolicy::directory::postgres {

struct PgOptions {
    std::string conninfo;            // as given; secret
    double connect_timeout = 2.0;    // seconds; also the longest wait for a pooled connection
    double statement_timeout = 2.0;  // seconds; a hung statement ends (server-side) after this
    size_t pool_size = 4;
    bool prepared_statements = true;  // false behind PgBouncer in transaction mode
    std::string listen_conninfo;      // empty = conninfo (LISTEN needs a session, not PgBouncer)
};

// Throws config_fail("$.DATABASE…" / "$.DATABASE_OPTIONS.KEY", …) for a bad value or unknown key;
// `where` names the setting when it is not the top-level one ("$.DJANGO.DATABASE": the options are
// then "$.DJANGO.DATABASE_OPTIONS").
PgOptions parse_pg_options(std::string_view database, const nlohmann::json* database_options,
                           const std::string& where = "$.DATABASE");

// postgresql://, postgres://, or a key=value string with host= or dbname=.
bool is_postgres_url(std::string_view database);

// The connection string with any password (URL user:password@, ?password=, password=) as "***".
std::string redact_conninfo(std::string_view conninfo);

// Validates with libpq's own parser; throws config_fail(where, <libpq's reason, password-free>).
void check_conninfo(std::string_view conninfo, const std::string& where);

}  // namespace authpolicy::directory::postgres
