#include "core/directory/open_directory.h"

#include "core/common/error.h"
#include "core/directory/postgres/pg_directory.h"
#include "core/directory/postgres/pg_options.h"
#include "core/directory/sqlite/sqlite_directory.h"

namespace authpolicy::directory {

bool names_postgres(const std::string& database) {
    return postgres::is_postgres_url(database);
}

void check_database_settings(const std::string& database, const nlohmann::json& options) {
    if (names_postgres(database)) {
        postgres::parse_pg_options(database, options.is_null() ? nullptr : &options);
    } else if (!options.is_null()) {
        config_fail("$.DATABASE_OPTIONS", "applies to PostgreSQL databases only (DATABASE names a SQLite file)");
    }
}

std::shared_ptr<Directory> open_directory(const std::string& database, const nlohmann::json& options,
                                          int busy_timeout_ms) {
    check_database_settings(database, options);
    if (names_postgres(database))
        return std::make_shared<postgres::PgDirectory>(
            postgres::parse_pg_options(database, options.is_null() ? nullptr : &options));
    return std::make_shared<sqlite::SqliteDirectory>(
        std::make_shared<sqlite::SqliteDatabase>(database, busy_timeout_ms));
}

}  // namespace authpolicy::directory
