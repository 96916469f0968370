#include "core/django/sqlite_django_database.h"

#include <ctime>
#include <functional>
#include <thread>

#include "core/common/error.h"
#include "core/crypto/constant_time.h"
#include "core/directory/sqlite/sqlite_user_store.h"

namespace authpolicy::django {
namespace {

using directory::sqlite::Connection;
using directory::sqlite::Statement;

std::string file_uri(const std::string& path) {
    std::string out = "file:";
    for (unsigned char c : path) {
        if (c == '?' || c == '#' || c == '%' || c < 0x21 || c >= 0x7f) {
            static const char* hex = "0123456789ABCDEF";
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out + "?mode=ro";
}

// The user's six columns (id, username, password, is_active, is_staff, is_superuser) from `first` on.
UserPtr user_from(const Statement& s, int first = 0) {
    return directory::sqlite::user_from_row(s, first, /*attributes=*/false);
}

// The half-open key range [prefix, prefix + 1) that holds every key starting with `prefix`
// (SQLite compares text bytewise: BINARY collation).
std::pair<std::string, std::string> prefix_range(std::string_view key, size_t n) {
    std::string lo(key.substr(0, n));
    std::string hi = lo;
    while (!hi.empty() && static_cast<unsigned char>(hi.back()) == 0xff) hi.pop_back();
    if (!hi.empty()) hi.back() = static_cast<char>(static_cast<unsigned char>(hi.back()) + 1);
    return {lo, hi};
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

std::optional<double> parse_django_datetime(std::string_view t, bool utc) {
    // YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]
    auto num = [&](size_t pos, size_t len) -> std::optional<int> {
        if (pos + len > t.size()) return std::nullopt;
        int v = 0;
        for (size_t i = pos; i < pos + len; ++i) {
            if (t[i] < '0' || t[i] > '9') return std::nullopt;
            v = v * 10 + (t[i] - '0');
        }
        return v;
    };
    const auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
    if (!y || !mo || !d || !h || !mi || !s || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') ||
        t[13] != ':' || t[16] != ':' || *mo < 1 || *mo > 12 || *d < 1 || *d > 31)
        return std::nullopt;
    double frac = 0;
    size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
        double scale = 0.1;
        for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos, scale /= 10)
            frac += (t[pos] - '0') * scale;
    }
    if (!utc) {
        std::tm tm{};
        tm.tm_year = *y - 1900;
        tm.tm_mon = *mo - 1;
        tm.tm_mday = *d;
        tm.tm_hour = *h;
        tm.tm_min = *mi;
        tm.tm_sec = *s;
        tm.tm_isdst = -1;
        return static_cast<double>(std::mktime(&tm)) + frac;
    }
    const int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
    return static_cast<double>(days * 86400 + *h * 3600 + *mi * 60 + *s) + frac;
}

template <class F>
auto SqliteDjangoDatabase::read(F&& fn) const {
    const size_t n = slots_.size();
    const size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id()) % n;
    Slot* slot = nullptr;
    for (size_t k = 0; k < n && slot == nullptr; ++k) {
        Slot& s = *slots_[(start + k) % n];
        if (s.mutex.try_lock()) slot = &s;
    }
    if (slot == nullptr) {
        slot = slots_[start].get();
        slot->mutex.lock();
    }
    std::unique_lock lock(slot->mutex, std::adopt_lock);
    if (!slot->connection) slot->connection = std::make_unique<Connection>(uri_, false, busy_timeout_ms_);
    return fn(*slot->connection);
}

SqliteDjangoDatabase::SqliteDjangoDatabase(DjangoSettings settings, int busy_timeout_ms)
    : DjangoDatabase(std::move(settings)),
      uri_(file_uri(this->settings().database)),
      busy_timeout_ms_(busy_timeout_ms) {
    const UserModel& model = this->settings().user_model;
    const std::string user = model.select_list("u", "1", "0");
    const std::string table = model.quoted_table();
    sql_.check = "SELECT " + user + " FROM " + table + " u WHERE 0";
    sql_.user_by_name =
        "SELECT " + user + " FROM " + table + " u WHERE u." + quote_identifier(model.username_field) + " = ?";
    sql_.user_by_id = "SELECT " + user + " FROM " + table + " u WHERE u.\"id\" = ?";
    sql_.token = "SELECT " + user + ", t.key FROM authtoken_token t JOIN " + table +
                 " u ON u.\"id\" = t.user_id WHERE t.key >= ?1 AND t.key < ?2 LIMIT 64";
    sql_.dot = "SELECT t.token, t.id, t.expires, t.scope, t.application_id, " + user +
               " FROM oauth2_provider_accesstoken t LEFT JOIN " + table +
               " u ON u.\"id\" = t.user_id WHERE t.token >= ?1 AND t.token < ?2 LIMIT 64";
    sql_.knox = "SELECT t.digest, t.token_key, t.expiry, " + user + " FROM knox_authtoken t JOIN " + table +
                " u ON u.\"id\" = t.user_id WHERE t.token_key = ? LIMIT 64";
    const unsigned n = std::max(2u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < n; ++i) slots_.push_back(std::make_unique<Slot>());
    // Fail at build time, with SQLite's reason, when the file, the user table or a column is missing.
    read([&](Connection& c) {
        Statement s = c.prepare(sql_.check.c_str());
        s.step();
        return 0;
    });
}

UserPtr SqliteDjangoDatabase::find_user(std::string_view username) const {
    return read([&](Connection& c) -> UserPtr {
        Statement s = c.prepare(sql_.user_by_name.c_str());
        s.bind(1, username);
        return s.step() ? user_from(s) : nullptr;
    });
}

UserPtr SqliteDjangoDatabase::find_user(int64_t id) const {
    return read([&](Connection& c) -> UserPtr {
        Statement s = c.prepare(sql_.user_by_id.c_str());
        s.bind(1, id);
        return s.step() ? user_from(s) : nullptr;
    });
}

UserPtr SqliteDjangoDatabase::find_token_user(std::string_view key) const {
    if (key.empty() || key.size() > kMaxKeyLength) return nullptr;
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
    const auto range = prefix_range(key, kLookupPrefix);
    const std::string& lo = range.first;
    const std::string& hi = range.second;
    if (hi.empty()) return nullptr;  // a prefix of 0xff bytes: no Django key (they are text)
    return read([&](Connection& c) -> UserPtr {
        Statement s = c.prepare(sql_.token.c_str());
        s.bind(1, lo).bind(2, hi);
        UserPtr found;
        while (s.step()) {
            const std::string stored = s.column_text(6);
            if (crypto::constant_time_equal(stored, key) && !found) found = user_from(s);
        }
        return found;
    });
}

std::optional<DjangoDatabase::SessionRow> SqliteDjangoDatabase::load_session(std::string_view key, double now) const {
    if (key.empty() || key.size() > kMaxKeyLength) return std::nullopt;
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda below.
    const auto range = prefix_range(key, kLookupPrefix);
    const std::string& lo = range.first;
    const std::string& hi = range.second;
    if (hi.empty()) return std::nullopt;
    return read([&](Connection& c) -> std::optional<SessionRow> {
        Statement s = c.prepare(
            "SELECT session_key, session_data, expire_date FROM django_session "
            "WHERE session_key >= ?1 AND session_key < ?2 LIMIT 64");
        s.bind(1, lo).bind(2, hi);
        std::optional<SessionRow> found;
        while (s.step()) {
            const std::string stored = s.column_text(0);
            if (!crypto::constant_time_equal(stored, key) || found) continue;
            const auto expires = parse_django_datetime(s.column_text(2), settings().use_tz);
            if (!expires || *expires <= now) continue;  // Django: expire_date__gt=now
            found = SessionRow{s.column_text(1), *expires};
        }
        return found;
    });
}

std::optional<DjangoDatabase::DotToken> SqliteDjangoDatabase::find_dot_access_token(std::string_view token) const {
    if (token.empty() || token.size() > 255) return std::nullopt;
    const auto range = prefix_range(token, kLookupPrefix);
    const std::string& lo = range.first;
    const std::string& hi = range.second;
    if (hi.empty()) return std::nullopt;
    return read([&](Connection& c) -> std::optional<DotToken> {
        Statement s = c.prepare(sql_.dot.c_str());
        s.bind(1, lo).bind(2, hi);
        std::optional<DotToken> found;
        while (s.step()) {
            if (!crypto::constant_time_equal(s.column_text(0), token) || found) continue;
            DotToken t;
            t.id = s.column_int(1);
            if (!s.column_is_null(2)) t.expires = parse_django_datetime(s.column_text(2), settings().use_tz);
            t.scope = s.column_text(3);
            if (!s.column_is_null(4)) t.application_id = s.column_int(4);
            if (!s.column_is_null(5)) t.user = user_from(s, 5);
            found = std::move(t);
        }
        return found;
    });
}

std::optional<DjangoDatabase::ApiKey> SqliteDjangoDatabase::find_api_key(std::string_view prefix) const {
    return read([&](Connection& c) -> std::optional<ApiKey> {
        Statement s = c.prepare(
            "SELECT hashed_key, expiry_date FROM rest_framework_api_key_apikey WHERE prefix = ? AND NOT revoked");
        s.bind(1, prefix);
        if (!s.step()) return std::nullopt;
        ApiKey k;
        k.hashed_key = s.column_text(0);
        if (!s.column_is_null(1)) {
            k.expiry = parse_django_datetime(s.column_text(1), settings().use_tz);
            if (!k.expiry) k.expiry = 0;  // unreadable: treat as long expired (fail closed)
        }
        return k;
    });
}

std::vector<DjangoDatabase::KnoxToken> SqliteDjangoDatabase::find_knox_tokens(std::string_view token_key) const {
    return read([&](Connection& c) {
        Statement s = c.prepare(sql_.knox.c_str());
        s.bind(1, token_key);
        std::vector<KnoxToken> rows;
        while (s.step()) {
            KnoxToken t;
            t.digest = s.column_text(0);
            t.token_key = s.column_text(1);
            if (!s.column_is_null(2)) {
                t.expiry = parse_django_datetime(s.column_text(2), settings().use_tz);
                if (!t.expiry) t.expiry = 0;  // unreadable: expired
            }
            t.user = user_from(s, 3);
            rows.push_back(std::move(t));
        }
        return rows;
    });
}

void SqliteDjangoDatabase::require_table(const char* table) const {
    read([&](Connection& c) {
        Statement s = c.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
        s.bind(1, std::string_view(table));
        if (!s.step() || s.column_int(0) == 0) missing_table(table);
        return 0;
    });
}

}  // namespace authpolicy::django
