#include "core/django/postgres_django_database.h"

#include <charconv>
#include <cstdint>

#include "core/common/error.h"
#include "core/crypto/constant_time.h"
#include "core/directory/postgres/pg_user_row.h"

namespace authpolicy::django {
namespace {

using directory::postgres::PgConnection;
using directory::postgres::PgParam;
using directory::postgres::PgResult;

// The code points of `s`, or nullopt when it is not UTF-8 PostgreSQL accepts (no NUL, no
// surrogates, no overlong forms, nothing past U+10FFFF).
std::optional<std::vector<char32_t>> decode_utf8(std::string_view s) {
    std::vector<char32_t> out;
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        size_t len = 0;
        char32_t cp = 0;
        if (b == 0) return std::nullopt;
        if (b < 0x80) {
            len = 1;
            cp = b;
        } else if (b >= 0xc2 && b <= 0xdf) {
            len = 2;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            len = 3;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            len = 4;
            cp = b & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + len > s.size()) return std::nullopt;
        for (size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xc0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (c & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return std::nullopt;
        out.push_back(cp);
        i += len;
    }
    return out;
}

void encode_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// Text PostgreSQL can hold as a parameter: anything else equals no stored value.
bool storable(std::string_view s) {
    return decode_utf8(s).has_value();
}

UserPtr user_from(const PgResult& r, int row, int first) {
    return directory::postgres::user_from_row(r, row, first, /*attributes=*/false);
}

// EXTRACT(EPOCH FROM …) as text ("1700000000.123456"); nullopt for NULL or unreadable.
std::optional<double> epoch(const PgResult& r, int row, int col) {
    if (r.is_null(row, col)) return std::nullopt;
    const std::string t = r.text(row, col);
    double v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
    return v;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> utf8_prefix_range(std::string_view key, size_t n) {
    if (!storable(key)) return std::nullopt;
    size_t cut = std::min(n, key.size());
    while (cut > 0 && cut < key.size() && (static_cast<unsigned char>(key[cut]) & 0xc0) == 0x80) --cut;
    std::string lo(key.substr(0, cut));
    auto cps = *decode_utf8(lo);
    while (!cps.empty() && cps.back() == 0x10ffff) cps.pop_back();
    if (cps.empty()) return std::nullopt;
    char32_t& last = cps.back();
    last = last == 0xd7ff ? 0xe000 : last + 1;
    std::string hi;
    for (char32_t cp : cps) encode_utf8(cp, hi);
    return std::make_pair(std::move(lo), std::move(hi));
}

PostgresDjangoDatabase::PostgresDjangoDatabase(DjangoSettings settings)
    : DjangoDatabase(std::move(settings)), pool_(*this->settings().postgres) {
    const UserModel& model = this->settings().user_model;
    const std::string user = model.select_list("u", "true", "false");
    const std::string table = model.quoted_table();
    sql_.check = "SELECT " + user + " FROM " + table + " u WHERE false";
    sql_.user_by_name =
        "SELECT " + user + " FROM " + table + " u WHERE u." + quote_identifier(model.username_field) + " = $1";
    sql_.user_by_id = "SELECT " + user + " FROM " + table + " u WHERE u.\"id\" = $1";
    sql_.token = "SELECT " + user + ", t.key FROM authtoken_token t JOIN " + table +
                 " u ON u.\"id\" = t.user_id WHERE t.key ~>=~ $1::text AND t.key ~<~ $2::text LIMIT 64";
    sql_.dot = "SELECT t.token, t.id, EXTRACT(EPOCH FROM t.expires), t.scope, t.application_id, " + user +
               " FROM oauth2_provider_accesstoken t LEFT JOIN " + table +
               " u ON u.\"id\" = t.user_id WHERE t.token ~>=~ $1::text AND t.token ~<~ $2::text LIMIT 64";
    sql_.knox = "SELECT t.digest, t.token_key, EXTRACT(EPOCH FROM t.expiry), " + user + " FROM knox_authtoken t JOIN " +
                table + " u ON u.\"id\" = t.user_id WHERE t.token_key = $1 LIMIT 64";
    // Fail at build time, with PostgreSQL's reason, when the server, the user table or a column is missing.
    pool_.read([&](PgConnection& c) { return c.exec(sql_.check).rows(); });
}

UserPtr PostgresDjangoDatabase::find_user(std::string_view username) const {
    if (!storable(username)) return nullptr;
    return pool_.read([&](PgConnection& c) -> UserPtr {
        const PgResult r = c.exec(sql_.user_by_name, {PgParam(std::string(username))});
        return r.rows() > 0 ? user_from(r, 0, 0) : nullptr;
    });
}

UserPtr PostgresDjangoDatabase::find_user(int64_t id) const {
    return pool_.read([&](PgConnection& c) -> UserPtr {
        const PgResult r = c.exec(sql_.user_by_id, {PgParam(std::to_string(id))});
        return r.rows() > 0 ? user_from(r, 0, 0) : nullptr;
    });
}

UserPtr PostgresDjangoDatabase::find_token_user(std::string_view key) const {
    if (key.empty() || key.size() > kMaxKeyLength) return nullptr;
    const auto range = utf8_prefix_range(key, kLookupPrefix);
    if (!range) return nullptr;
    return pool_.read([&](PgConnection& c) -> UserPtr {
        const PgResult r = c.exec(sql_.token, {PgParam(range->first), PgParam(range->second)});
        UserPtr found;
        for (int i = 0; i < r.rows(); ++i) {
            if (crypto::constant_time_equal(r.text(i, 6), key) && !found) found = user_from(r, i, 0);
        }
        return found;
    });
}

std::optional<DjangoDatabase::SessionRow> PostgresDjangoDatabase::load_session(std::string_view key, double now) const {
    if (key.empty() || key.size() > kMaxKeyLength) return std::nullopt;
    const auto range = utf8_prefix_range(key, kLookupPrefix);
    if (!range) return std::nullopt;
    return pool_.read([&](PgConnection& c) -> std::optional<SessionRow> {
        const PgResult r = c.exec(
            "SELECT session_key, session_data, EXTRACT(EPOCH FROM expire_date) FROM django_session "
            "WHERE session_key ~>=~ $1::text AND session_key ~<~ $2::text LIMIT 64",
            {PgParam(range->first), PgParam(range->second)});
        std::optional<SessionRow> found;
        for (int i = 0; i < r.rows(); ++i) {
            if (!crypto::constant_time_equal(r.text(i, 0), key) || found) continue;
            const auto expires = epoch(r, i, 2);
            if (!expires || *expires <= now) continue;  // Django: expire_date__gt=now
            found = SessionRow{r.text(i, 1), *expires};
        }
        return found;
    });
}

std::optional<DjangoDatabase::DotToken> PostgresDjangoDatabase::find_dot_access_token(std::string_view token) const {
    if (token.empty() || token.size() > 255) return std::nullopt;
    const auto range = utf8_prefix_range(token, kLookupPrefix);
    if (!range) return std::nullopt;
    return pool_.read([&](PgConnection& c) -> std::optional<DotToken> {
        const PgResult r = c.exec(sql_.dot, {PgParam(range->first), PgParam(range->second)});
        std::optional<DotToken> found;
        for (int i = 0; i < r.rows(); ++i) {
            if (!crypto::constant_time_equal(r.text(i, 0), token) || found) continue;
            DotToken t;
            t.id = r.int64(i, 1);
            t.expires = epoch(r, i, 2);
            t.scope = r.text(i, 3);
            t.application_id = r.optional_int64(i, 4);
            if (!r.is_null(i, 5)) t.user = user_from(r, i, 5);
            found = std::move(t);
        }
        return found;
    });
}

std::optional<DjangoDatabase::ApiKey> PostgresDjangoDatabase::find_api_key(std::string_view prefix) const {
    if (!storable(prefix)) return std::nullopt;
    return pool_.read([&](PgConnection& c) -> std::optional<ApiKey> {
        const PgResult r = c.exec(
            "SELECT hashed_key, EXTRACT(EPOCH FROM expiry_date), expiry_date IS NULL "
            "FROM rest_framework_api_key_apikey WHERE prefix = $1 AND NOT revoked LIMIT 1",
            {PgParam(std::string(prefix))});
        if (r.rows() == 0) return std::nullopt;
        ApiKey k;
        k.hashed_key = r.text(0, 0);
        if (!r.boolean(0, 2)) {
            k.expiry = epoch(r, 0, 1);
            if (!k.expiry) k.expiry = 0;  // unreadable: treat as long expired (fail closed)
        }
        return k;
    });
}

std::vector<DjangoDatabase::KnoxToken> PostgresDjangoDatabase::find_knox_tokens(std::string_view token_key) const {
    if (!storable(token_key)) return {};
    return pool_.read([&](PgConnection& c) {
        const PgResult r = c.exec(sql_.knox, {PgParam(std::string(token_key))});
        std::vector<KnoxToken> rows;
        for (int i = 0; i < r.rows(); ++i) {
            KnoxToken t;
            t.digest = r.text(i, 0);
            t.token_key = r.text(i, 1);
            if (!r.is_null(i, 2)) {
                t.expiry = epoch(r, i, 2);
                if (!t.expiry) t.expiry = 0;  // unreadable: expired
            }
            t.user = user_from(r, i, 3);
            rows.push_back(std::move(t));
        }
        return rows;
    });
}

void PostgresDjangoDatabase::require_table(const char* table) const {
    const bool present = pool_.read([&](PgConnection& c) {
        const PgResult r = c.exec("SELECT to_regclass(quote_ident($1)) IS NOT NULL", {PgParam(std::string(table))});
        return r.rows() > 0 && r.boolean(0, 0);
    });
    if (!present) missing_table(table);
}

}  // namespace authpolicy::django
