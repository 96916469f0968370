#include "core/directory/open_directory.h"

#include "core/common/error.h"
#include "core/directory/sqlite/sqlite_directory.h"

namespace authpolicy::directory {

bool names_postgres(const std::string& database) {
    if (database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0) return true;
    // libpq's key=value form ("host=/run/postgresql dbname=app"); a SQLite path has no '='
    // followed by these keys at a word start.
    for (const char* key : {"host=", "hostaddr=", "dbname=", "service="}) {
        const size_t at = database.find(key);
        if (at != std::string::npos && (at == 0 || database[at - 1] == ' ')) return true;
    }
    return false;
}

std::shared_ptr<Directory> open_directory(const std::string& database, const nlohmann::json& options,
                                          int busy_timeout_ms) {
    if (names_postgres(database)) config_fail("$.DATABASE", "PostgreSQL support is being merged");
    if (!options.is_null())
        config_fail("$.DATABASE_OPTIONS", "applies to PostgreSQL databases only (DATABASE names a SQLite file)");
    return std::make_shared<sqlite::SqliteDirectory>(
        std::make_shared<sqlite::SqliteDatabase>(database, busy_timeout_ms));
}

}  // namespace authpolicy::directory
