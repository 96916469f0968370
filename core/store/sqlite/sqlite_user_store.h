// The built-in user directory (table authp_user).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/store/sqlite/sqlite_database.h"
#include "core/store/user_source.h"

namespace authpolicy::store::sqlite {

struct NewUser {
    std::string_view username;
    std::string password_hash;  // encoded; unusable ("!…") when the user has no password
    bool is_active = true;
    bool is_staff = false;
    bool is_superuser = false;
};

class SqliteUserStore final : public UserSource {
  public:
    explicit SqliteUserStore(std::shared_ptr<SqliteDatabase> db) : db_(std::move(db)) {}

    UserPtr find_by_username(std::string_view username) const override;
    UserPtr find_by_id(int64_t id) const override;

    // Throws Error(Exists) for a taken username.
    int64_t add(const NewUser& user, int64_t now);
    // The id of a user inside another store's transaction; throws Error(NotFound) when absent.
    static int64_t id_of(Connection& c, std::string_view username);
    // Each throws Error(NotFound) when the user does not exist.
    void set_password_hash(std::string_view username, std::string_view encoded);
    void set_active(std::string_view username, bool active);
    void set_roles(std::string_view username, bool is_staff, bool is_superuser);
    // [{"id","username","is_active","is_staff","is_superuser","date_joined"}]
    std::string list_json() const;

  private:
    void update_one(const char* sql, std::string_view username, int64_t a, int64_t b, bool two);
    std::shared_ptr<SqliteDatabase> db_;
};

// Reads the user columns (id, username, password, is_active, is_staff, is_superuser,
// attributes) starting at column `first` of a row.
UserPtr user_from_row(const Statement& s, int first);

}  // namespace authpolicy::store::sqlite
