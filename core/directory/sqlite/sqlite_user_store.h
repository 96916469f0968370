// The built-in user directory (table authp_user).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/directory/directory.h"
#include "core/directory/sqlite/sqlite_database.h"

namespace authpolicy::directory::sqlite {

class SqliteUserStore {
  public:
    explicit SqliteUserStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

    UserPtr find_by_username(std::string_view username) const;
    UserPtr find_by_id(int64_t id) const;

    // Throws Error(Exists) for a taken username.
    int64_t add(const NewUser& user, int64_t now);
    // The id of a user inside another store's transaction; throws Error(NotFound) when absent.
    static int64_t id_of(Connection& c, std::string_view username);
    // Each returns the user's id and throws Error(NotFound) when the user does not exist.
    int64_t set_password_hash(std::string_view username, std::string_view encoded);
    int64_t set_active(std::string_view username, bool active);
    int64_t set_roles(std::string_view username, bool is_staff, bool is_superuser);
    int64_t remove(std::string_view username);
    // [{"id","username","is_active","is_staff","is_superuser","date_joined"}]
    std::string list_json() const;

  private:
    int64_t update_one(const char* sql, std::string_view username, int64_t a, int64_t b, bool two);
    std::shared_ptr<SqliteDatabase> db_;
};

// Reads the user columns (id, username, password, is_active, is_staff, is_superuser and, with
// `attributes`, attributes) starting at column `first` of a row. A Django user has no attributes.
UserPtr user_from_row(const Statement& s, int first, bool attributes = true);

}  // namespace authpolicy::directory::sqlite
