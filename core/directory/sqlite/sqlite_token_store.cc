#include "core/directory/sqlite/sqlite_token_store.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/directory/sqlite/sqlite_user_store.h"

namespace authpolicy::directory::sqlite {

std::optional<TokenRecord> SqliteTokenStore::find(const crypto::Sha256& digest) const {
    return db_->read([&](Connection& c) -> std::optional<TokenRecord> {
        Statement s = c.prepare(
            "SELECT t.id, t.name, t.created, t.expires, "
            "u.id, u.username, u.password, u.is_active, u.is_staff, u.is_superuser, u.attributes "
            "FROM authp_token t JOIN authp_user u ON u.id = t.user_id WHERE t.digest = ?");
        s.bind_blob(1, digest.data(), digest.size());
        if (!s.step()) return std::nullopt;
        TokenRecord r;
        r.id = s.column_int(0);
        r.name = s.column_text(1);
        r.created = s.column_int(2);
        if (!s.column_is_null(3)) r.expires = s.column_int(3);
        r.user = user_from_row(s, 4);
        return r;
    });
}

int64_t SqliteTokenStore::add(const crypto::Sha256& digest, std::string_view username, std::string_view name,
                              int64_t created, std::optional<int64_t> expires) {
    return db_->write([&](Connection& c) {
        const int64_t user_id = SqliteUserStore::id_of(c, username);
        Statement s =
            c.prepare("INSERT INTO authp_token (digest, user_id, name, created, expires) VALUES (?, ?, ?, ?, ?)");
        s.bind_blob(1, digest.data(), digest.size()).bind(2, user_id).bind(3, name).bind(4, created);
        s.bind_optional(5, expires);
        s.run();
        return c.last_insert_rowid();
    });
}

bool SqliteTokenStore::revoke(const crypto::Sha256& digest) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_token WHERE digest = ?");
        s.bind_blob(1, digest.data(), digest.size());
        s.run();
        return c.changes() > 0;
    });
}

std::string SqliteTokenStore::list_json(std::optional<std::string_view> username) const {
    return db_->read([&](Connection& c) {
        Statement s = c.prepare(
            "SELECT t.id, u.username, t.name, t.created, t.expires FROM authp_token t "
            "JOIN authp_user u ON u.id = t.user_id WHERE ?1 IS NULL OR u.username = ?1 ORDER BY t.id");
        s.bind_optional(1, username);
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        while (s.step()) {
            out.push_back({{"id", s.column_int(0)},
                           {"username", s.column_text(1)},
                           {"name", s.column_text(2)},
                           {"created", s.column_int(3)},
                           {"expires", s.column_is_null(4) ? nlohmann::ordered_json(nullptr)
                                                           : nlohmann::ordered_json(s.column_int(4))}});
        }
        if (username && out.empty()) SqliteUserStore::id_of(c, *username);  // no tokens, or no such user
        return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
}

}  // namespace authpolicy::directory::sqlite
