#include "core/directory/sqlite/sqlite_api_key_store.h"

#include <cstring>

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/directory/sqlite/sqlite_user_store.h"

namespace authpolicy::directory::sqlite {
namespace {

crypto::Sha256 to_digest(const std::string& blob) {
    crypto::Sha256 d{};
    if (blob.size() != d.size()) throw Error(ErrorCode::Store, "authp_api_key holds a malformed verifier");
    std::memcpy(d.data(), blob.data(), d.size());
    return d;
}

nlohmann::ordered_json optional_int(const Statement& s, int col) {
    return s.column_is_null(col) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.column_int(col));
}

}  // namespace

std::optional<ApiKeyRecord> SqliteApiKeyStore::find(std::string_view selector) const {
    return db_->read([&](Connection& c) -> std::optional<ApiKeyRecord> {
        Statement s = c.prepare(
            "SELECT k.id, k.selector, k.prefix, k.verifier, k.name, k.scopes, k.created, k.expires, k.revoked, "
            "u.id, u.username, u.password, u.is_active, u.is_staff, u.is_superuser, u.attributes "
            "FROM authp_api_key k JOIN authp_user u ON u.id = k.user_id WHERE k.selector = ?");
        s.bind(1, selector);
        if (!s.step()) return std::nullopt;
        ApiKeyRecord r;
        r.id = s.column_int(0);
        r.selector = s.column_text(1);
        r.prefix = s.column_text(2);
        r.verifier = to_digest(s.column_text(3));
        r.name = s.column_text(4);
        r.scopes = s.column_text(5);
        r.created = s.column_int(6);
        if (!s.column_is_null(7)) r.expires = s.column_int(7);
        if (!s.column_is_null(8)) r.revoked = s.column_int(8);
        r.user = user_from_row(s, 9);
        return r;
    });
}

int64_t SqliteApiKeyStore::add(const NewApiKey& key) {
    return db_->write([&](Connection& c) {
        const int64_t user_id = SqliteUserStore::id_of(c, key.username);
        Statement s = c.prepare(
            "INSERT INTO authp_api_key (selector, prefix, verifier, user_id, name, scopes, created, expires) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        s.bind(1, key.selector).bind(2, key.prefix).bind_blob(3, key.verifier.data(), key.verifier.size());
        s.bind(4, user_id).bind(5, key.name).bind(6, key.scopes).bind(7, key.created);
        s.bind_optional(8, key.expires);
        s.run();
        return c.last_insert_rowid();
    });
}

std::optional<crypto::Sha256> SqliteApiKeyStore::revoke(std::string_view selector, int64_t now) {
    return db_->write([&](Connection& c) -> std::optional<crypto::Sha256> {
        Statement s =
            c.prepare("UPDATE authp_api_key SET revoked = ? WHERE selector = ? AND revoked IS NULL RETURNING verifier");
        s.bind(1, now).bind(2, selector);
        if (!s.step()) return std::nullopt;
        const crypto::Sha256 v = to_digest(s.column_text(0));
        s.run();  // the UPDATE completes when the statement does
        return v;
    });
}

std::string SqliteApiKeyStore::list_json(std::optional<std::string_view> username) const {
    return db_->read([&](Connection& c) {
        Statement s = c.prepare(
            "SELECT k.id, k.selector, k.prefix, u.username, k.name, k.scopes, k.created, k.expires, k.last_used, "
            "k.revoked FROM authp_api_key k JOIN authp_user u ON u.id = k.user_id "
            "WHERE ?1 IS NULL OR u.username = ?1 ORDER BY k.id");
        s.bind_optional(1, username);
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        while (s.step()) {
            out.push_back({{"id", s.column_int(0)},
                           {"selector", s.column_text(1)},
                           {"prefix", s.column_text(2)},
                           {"username", s.column_text(3)},
                           {"name", s.column_text(4)},
                           {"scopes", s.column_text(5)},
                           {"created", s.column_int(6)},
                           {"expires", optional_int(s, 7)},
                           {"last_used", optional_int(s, 8)},
                           {"revoked", optional_int(s, 9)}});
        }
        if (username && out.empty()) SqliteUserStore::id_of(c, *username);  // no keys, or no such user
        return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    });
}

void SqliteApiKeyStore::record_used(const std::vector<ApiKeyUse>& uses) {
    if (uses.empty()) return;
    db_->write([&](Connection& c) {
        Statement s = c.prepare(
            "UPDATE authp_api_key SET last_used = ?1 WHERE selector = ?2 AND (last_used IS NULL OR last_used < ?1)");
        for (const ApiKeyUse& u : uses) {
            s.bind(1, u.when).bind(2, std::string_view(u.selector));
            s.run();
            sqlite3_reset(s.raw());
        }
    });
}

}  // namespace authpolicy::directory::sqlite
