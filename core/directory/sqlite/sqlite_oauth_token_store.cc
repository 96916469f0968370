#include "core/directory/sqlite/sqlite_oauth_token_store.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/directory/sqlite/sqlite_user_store.h"

namespace authpolicy::directory::sqlite {

std::optional<OAuthTokenRecord> SqliteOAuthTokenStore::find(const crypto::Sha256& digest) const {
    return db_->read([&](Connection& c) -> std::optional<OAuthTokenRecord> {
        Statement s = c.prepare(
            "SELECT t.id, t.client_id, t.scope, t.created, t.expires, "
            "u.id, u.username, u.password, u.is_active, u.is_staff, u.is_superuser, u.attributes "
            "FROM authp_oauth_token t JOIN authp_user u ON u.id = t.user_id WHERE t.digest = ?");
        s.bind_blob(1, digest.data(), digest.size());
        if (!s.step()) return std::nullopt;
        OAuthTokenRecord r;
        r.id = s.column_int(0);
        r.client_id = s.column_text(1);
        r.scope = s.column_text(2);
        r.created = s.column_int(3);
        if (!s.column_is_null(4)) r.expires = s.column_int(4);
        r.user = user_from_row(s, 5);
        return r;
    });
}

int64_t SqliteOAuthTokenStore::add(const crypto::Sha256& digest, std::string_view username, std::string_view client_id,
                                   std::string_view scope, int64_t created, std::optional<int64_t> expires) {
    return db_->write([&](Connection& c) {
        const int64_t user_id = SqliteUserStore::id_of(c, username);
        Statement s = c.prepare(
            "INSERT INTO authp_oauth_token (digest, user_id, client_id, scope, created, expires) "
            "VALUES (?, ?, ?, ?, ?, ?)");
        s.bind_blob(1, digest.data(), digest.size())
            .bind(2, user_id)
            .bind(3, client_id)
            .bind(4, scope)
            .bind(5, created);
        s.bind_optional(6, expires);
        s.run();
        return c.last_insert_rowid();
    });
}

bool SqliteOAuthTokenStore::revoke(const crypto::Sha256& digest) {
    return db_->write([&](Connection& c) {
        Statement s = c.prepare("DELETE FROM authp_oauth_token WHERE digest = ?");
        s.bind_blob(1, digest.data(), digest.size());
        s.run();
        return c.changes() > 0;
    });
}

std::string SqliteOAuthTokenStore::list_json(std::optional<std::string_view> username) const {
    return db_->read([&](Connection& c) {
        Statement s = c.prepare(
            "SELECT t.id, u.username, t.client_id, t.scope, t.created, t.expires FROM authp_oauth_token t "
            "JOIN authp_user u ON u.id = t.user_id WHERE ?1 IS NULL OR u.username = ?1 ORDER BY t.id");
        s.bind_optional(1, username);
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        while (s.step()) {
            out.push_back({{"id", s.column_int(0)},
                           {"username", s.column_text(1)},
                           {"client_id", s.column_text(2)},
                           {"scope", s.column_text(3)},
                           {"created", s.column_int(4)},
                           {"expires", s.column_is_null(5) ? nlohmann::ordered_json(nullptr)
                                                           : nlohmann::ordered_json(s.column_int(5))}});
        }
        if (username && out.empty()) SqliteUserStore::id_of(c, *username);  // no tokens, or no such user
        return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
}

}  // namespace authpolicy::directory::sqlite
