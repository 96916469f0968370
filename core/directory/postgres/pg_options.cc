#include "core/directory/postgres/pg_options.h"

#include <libpq-fe.h>

#include <cctype>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/common/error.h"
#include "core/http/text_encoding.h"

namespace authpolicy::directory::postgres {
namespace {

constexpr std::string_view kMask = "***";

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

bool is_uri(std::string_view s) {
    return starts_with(s, "postgresql://") || starts_with(s, "postgres://");
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// URL form. libpq ends the userinfo at the first '@' or '/'; a password holding a stray '@' or
// '/' would then leak past that point, so we mask up to the LAST '@' before the query instead:
// over-masking a malformed URL is harmless, under-masking is not.
std::string redact_uri(std::string_view s) {
    const size_t start = s.find("://") + 3;
    const size_t query = s.find('?', start);
    const std::string_view authority_and_path =
        s.substr(start, query == std::string_view::npos ? s.npos : query - start);
    std::string out(s.substr(0, start));
    size_t rest = start;
    const size_t at = authority_and_path.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view userinfo = authority_and_path.substr(0, at);
        const size_t colon = userinfo.find(':');
        if (colon != std::string_view::npos) {
            out += userinfo.substr(0, colon + 1);
            out += kMask;
        } else {
            out += userinfo;
        }
        out += '@';
        rest = start + at + 1;
    }
    if (query == std::string_view::npos) return out + std::string(s.substr(rest));
    out += s.substr(rest, query - rest);
    out += '?';
    std::string_view params = s.substr(query + 1);
    while (true) {
        const size_t amp = params.find('&');
        const std::string_view param = params.substr(0, amp);
        const size_t eq = param.find('=');
        if (eq != std::string_view::npos && percent_decode(param.substr(0, eq)) == "password") {
            out += param.substr(0, eq + 1);
            out += kMask;
        } else {
            out += param;
        }
        if (amp == std::string_view::npos) break;
        out += '&';
        params = params.substr(amp + 1);
    }
    return out;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// key=value form, tokenised the way libpq's conninfo_parse does (quotes, backslash escapes).
std::string redact_keyvalue(std::string_view s) {
    std::string out;
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
        while (i < n && is_space(s[i])) out += s[i++];
        if (i >= n) break;
        const size_t key_start = i;
        while (i < n && s[i] != '=' && !is_space(s[i])) ++i;
        const std::string_view key = s.substr(key_start, i - key_start);
        while (i < n && is_space(s[i])) ++i;
        if (i >= n || s[i] != '=') {
            // Malformed: libpq refuses it anyway. Keep nothing that could be a password.
            const std::string_view rest = s.substr(key_start);
            out += rest.find("password") == std::string_view::npos ? std::string(rest) : std::string(kMask);
            return out;
        }
        ++i;  // '='
        while (i < n && is_space(s[i])) ++i;
        out += s.substr(key_start, i - key_start);
        const size_t value_start = i;
        std::string value;
        if (i < n && s[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < n) {
                if (s[i] == '\\' && i + 1 < n) {
                    value += s[i + 1];
                    i += 2;
                } else if (s[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += s[i++];
                }
            }
            if (!closed && key != "password") {
                out += s.substr(value_start);
                return out;
            }
        } else {
            while (i < n && !is_space(s[i])) {
                if (s[i] == '\\' && i + 1 < n) ++i;
                value += s[i++];
            }
        }
        if (key == "password") {
            out += kMask;
        } else if (key == "dbname" && (is_uri(value) || value.find('=') != std::string::npos)) {
            // libpq expands a dbname that is itself a connection string.
            const std::string inner = redact_conninfo(value);
            out += '\'';
            for (char c : inner) {
                if (c == '\'' || c == '\\') out += '\\';
                out += c;
            }
            out += '\'';
        } else {
            out += s.substr(value_start, i - value_start);
        }
    }
    return out;
}

// libpq quotes fragments of its input in parse errors ("missing \"=\" after \"…\"", "invalid
// percent-encoded token: \"…\""): when the input holds a password, every quoted fragment that is
// not a keyword name is masked, since it may be (part of) the password.
std::string scrub_libpq_message(std::string msg, std::string_view conninfo) {
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (redact_conninfo(conninfo) == conninfo) return msg;
    std::set<std::string> keywords;
    if (PQconninfoOption* defaults = PQconndefaults()) {
        for (PQconninfoOption* o = defaults; o->keyword != nullptr; ++o) keywords.insert(o->keyword);
        PQconninfoFree(defaults);
    }
    std::string out;
    size_t i = 0;
    while (i < msg.size()) {
        const size_t open = msg.find('"', i);
        const size_t close = open == std::string::npos ? open : msg.find('"', open + 1);
        if (close == std::string::npos) {
            out += msg.substr(i);
            break;
        }
        const std::string fragment = msg.substr(open + 1, close - open - 1);
        out += msg.substr(i, open + 1 - i);
        out += keywords.count(fragment) != 0 || fragment == "=" ? fragment : std::string(kMask);
        out += '"';
        i = close + 1;
    }
    return out;
}

double parse_seconds(const nlohmann::json& v, const std::string& at, double max) {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0 || v.get<double>() > max)
        config_fail(at, "must be a number of seconds, more than 0 and at most " + std::to_string(int(max)));
    return v.get<double>();
}

}  // namespace

bool is_postgres_url(std::string_view database) {
    if (is_uri(database)) return true;
    // libpq's key=value form ("host=/run/postgresql dbname=app"): a key at a word start, so a
    // SQLite path such as "/srv/my-host=1/db.sqlite3" stays a path.
    for (std::string_view key : {"host=", "hostaddr=", "dbname=", "service="}) {
        const size_t at = database.find(key);
        if (at != std::string_view::npos && (at == 0 || database[at - 1] == ' ')) return true;
    }
    return false;
}

std::string redact_conninfo(std::string_view conninfo) {
    return is_uri(conninfo) ? redact_uri(conninfo) : redact_keyvalue(conninfo);
}

void check_conninfo(std::string_view conninfo, const std::string& where) {
    char* err = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(std::string(conninfo).c_str(), &err);
    if (parsed != nullptr) {
        PQconninfoFree(parsed);
        return;
    }
    std::string reason = err != nullptr ? err : "out of memory";
    PQfreemem(err);
    config_fail(where, "libpq cannot parse the connection string " + redact_conninfo(conninfo) + ": " +
                           scrub_libpq_message(std::move(reason), conninfo));
}

PgOptions parse_pg_options(std::string_view database, const nlohmann::json* database_options,
                           const std::string& where) {
    if (!is_postgres_url(database))
        config_fail(where, "not a PostgreSQL connection string (postgresql://… or host=… dbname=…)");
    check_conninfo(database, where);
    const std::string options_where = where + "_OPTIONS";
    PgOptions o;
    o.conninfo = std::string(database);
    if (database_options == nullptr || database_options->is_null()) return o;
    if (!database_options->is_object()) config_fail(options_where, "must be a JSON object");
    for (const auto& [key, value] : database_options->items()) {
        const std::string at = options_where + "." + http::shown_name(key);
        if (key == "CONNECT_TIMEOUT") {
            o.connect_timeout = parse_seconds(value, at, 60);
        } else if (key == "STATEMENT_TIMEOUT") {
            o.statement_timeout = parse_seconds(value, at, 300);
        } else if (key == "POOL_SIZE") {
            if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 64)
                config_fail(at, "must be an integer from 1 to 64");
            o.pool_size = static_cast<size_t>(value.get<int64_t>());
        } else if (key == "PREPARED_STATEMENTS") {
            if (!value.is_boolean())
                config_fail(at, "must be true or false (false behind PgBouncer's transaction mode)");
            o.prepared_statements = value.get<bool>();
        } else if (key == "LISTEN_URL") {
            if (!value.is_string() || !is_postgres_url(value.get<std::string>()))
                config_fail(at, "must be a PostgreSQL connection string (postgresql://… or host=… dbname=…)");
            check_conninfo(value.get<std::string>(), at);
            o.listen_conninfo = value.get<std::string>();
        } else {
            config_fail(at,
                        "unknown key (DATABASE_OPTIONS takes CONNECT_TIMEOUT, STATEMENT_TIMEOUT, POOL_SIZE, "
                        "PREPARED_STATEMENTS, LISTEN_URL)");
        }
    }
    return o;
}

}  // namespace authpolicy::directory::postgres
