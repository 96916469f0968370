// A user read from a PostgreSQL row: the engine's directory (with attributes) and a Django
// database (without) read the same six leading columns the same way.
#pragma once

#include <memory>

#include "core/directory/postgres/pg_connection.h"
#include "core/engine/user.h"

namespace authpolicy::directory::postgres {

// id, username, password, is_active, is_staff, is_superuser and, with `attributes`, attributes,
// starting at column `first` of `row`.
inline UserPtr user_from_row(const PgResult& r, int row, int first, bool attributes = true) {
    auto u = std::make_shared<User>();
    u->id = r.int64(row, first);
    u->username = r.text(row, first + 1);
    u->password = r.text(row, first + 2);
    u->is_active = r.boolean(row, first + 3);
    u->is_staff = r.boolean(row, first + 4);
    u->is_superuser = r.boolean(row, first + 5);
    if (attributes) u->attributes_json = r.text(row, first + 6);
    return u;
}

}  // namespace authpolicy::directory::postgres
