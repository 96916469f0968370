#include "core/django/django_database.h"

#include "core/common/error.h"
#include "core/django/postgres_django_database.h"
#include "core/django/sqlite_django_database.h"

namespace authpolicy::django {

std::shared_ptr<const DjangoDatabase> open_django_database(const DjangoSettings& settings, int busy_timeout_ms) {
    if (settings.postgres) return std::make_shared<const PostgresDjangoDatabase>(settings);
    return std::make_shared<const SqliteDjangoDatabase>(settings, busy_timeout_ms);
}

void missing_table(const char* table) {
    throw Error(ErrorCode::Config,
                std::string("the Django database has no table ") + table + " (is the package installed and migrated?)");
}

}  // namespace authpolicy::django
