// Opens the directory a DATABASE value names: a SQLite path, ":memory:" or "file:" URI (the
// embedded default), or a PostgreSQL URL / libpq key=value string (docs/postgresql.md).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/directory/directory.h"

namespace authpolicy::directory {

// True for postgresql:// and postgres:// URLs and libpq's key=value form.
bool names_postgres(const std::string& database);

// Validates DATABASE and DATABASE_OPTIONS without opening anything (configuration time);
// throws Error(Config) naming the key.
void check_database_settings(const std::string& database, const nlohmann::json& options);

// `options` is DATABASE_OPTIONS (null when absent). SQLite opens (and migrates) at once;
// PostgreSQL connects on first use, so a service comes up while its database is down.
std::shared_ptr<Directory> open_directory(const std::string& database, const nlohmann::json& options,
                                          int busy_timeout_ms);

}  // namespace authpolicy::directory
