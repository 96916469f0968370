#include "core/directory/sqlite/sqlite_user_store.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace authpolicy::directory::sqlite {
namespace {

constexpr const char* kByUsername =
    "SELECT id, username, password, is_active, is_staff, is_superuser, attributes FROM authp_user WHERE username = ?";
constexpr const char* kById =
    "SELECT id, username, password, is_active, is_staff, is_superuser, attributes FROM authp_user WHERE id = ?";

}  // namespace

UserPtr user_from_row(const Statement& s, int first, bool attributes) {
    auto u = std::make_shared<User>();
    u->id = s.column_int(first);
    u->username = s.column_text(first + 1);
    u->password = s.column_text(first + 2);
    u->is_active = s.column_int(first + 3) != 0;
    u->is_staff = s.column_int(first + 4) != 0;
    u->is_superuser = s.column_int(first + 5) != 0;
    if (attributes) u->attributes_json = s.column_text(first + 6);
    return u;
}

UserPtr SqliteUserStore::find_by_username(std::string_view username) const {
    return db_->read([&](Connection& c) -> UserPtr {
        Statement s = c.prepare(kByUsername);
        s.bind(1, username);
        return s.step() ? user_from_row(s, 0) : nullptr;
    });
}

UserPtr SqliteUserStore::find_by_id(int64_t id) const {
    return db_->read([&](Connection& c) -> UserPtr {
        Statement s = c.prepare(kById);
        s.bind(1, id);
        return s.step() ? user_from_row(s, 0) : nullptr;
    });
}

int64_t SqliteUserStore::add(const NewUser& user, int64_t now) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare(
            "INSERT INTO authp_user (username, password, is_active, is_staff, is_superuser, date_joined) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        s.bind(1, user.username).bind(2, user.password_hash);
        s.bind(3, int64_t{user.is_active}).bind(4, int64_t{user.is_staff}).bind(5, int64_t{user.is_superuser});
        s.bind(6, now);
        try {
            s.run();
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Exists)
                throw Error(ErrorCode::Exists, "a user with that username already exists");
            throw;
        }
        return c.last_insert_rowid();
    });
}

int64_t SqliteUserStore::update_one(const char* sql, std::string_view username, int64_t a, int64_t b, bool two) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare(sql);
        s.bind(1, a);
        if (two) s.bind(2, b);
        s.bind(two ? 3 : 2, username);
        if (!s.step()) throw Error(ErrorCode::NotFound, "no such user");
        return s.column_int(0);
    });
}

int64_t SqliteUserStore::set_password_hash(std::string_view username, std::string_view encoded) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("UPDATE authp_user SET password = ? WHERE username = ? RETURNING id");
        s.bind(1, encoded).bind(2, username);
        if (!s.step()) throw Error(ErrorCode::NotFound, "no such user");
        return s.column_int(0);
    });
}

int64_t SqliteUserStore::set_active(std::string_view username, bool active) {
    return update_one("UPDATE authp_user SET is_active = ? WHERE username = ? RETURNING id", username, active, 0,
                      false);
}

int64_t SqliteUserStore::set_roles(std::string_view username, bool is_staff, bool is_superuser) {
    return update_one("UPDATE authp_user SET is_staff = ?, is_superuser = ? WHERE username = ? RETURNING id", username,
                      is_staff, is_superuser, true);
}

int64_t SqliteUserStore::remove(std::string_view username) {
    // Tokens, OAuth tokens and sessions go with it (ON DELETE CASCADE, foreign_keys=ON).
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_user WHERE username = ? RETURNING id");
        s.bind(1, username);
        if (!s.step()) throw Error(ErrorCode::NotFound, "no such user");
        return s.column_int(0);
    });
}

std::string SqliteUserStore::list_json() const {
    return db_->read([&](Connection& c) {
        Statement s = c.prepare(
            "SELECT id, username, is_active, is_staff, is_superuser, date_joined FROM authp_user ORDER BY id");
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        while (s.step()) {
            out.push_back({{"id", s.column_int(0)},
                           {"username", s.column_text(1)},
                           {"is_active", s.column_int(2) != 0},
                           {"is_staff", s.column_int(3) != 0},
                           {"is_superuser", s.column_int(4) != 0},
                           {"date_joined", s.column_int(5)}});
        }
        return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
}

int64_t SqliteUserStore::id_of(Connection& c, std::string_view username) {
    Statement s = c.prepare("SELECT id FROM authp_user WHERE username = ?");
    s.bind(1, username);
    if (!s.step()) throw Error(ErrorCode::NotFound, "no such user");
    return s.column_int(0);
}

}  // namespace authpolicy::directory::sqlite
