#include "core/engine/config.h"

#include <filesystem>

#include "core/common/bounded_json.h"
#include "core/common/error.h"
#include "core/directory/open_directory.h"
#include "core/directory/postgres/pg_options.h"
#include "core/http/text_encoding.h"

namespace authpolicy {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::Config, "configuration error at " + where + ": " + what);
}

const char* type_name(const json& j) {
    return j.type_name();
}

void expect(const json& j, bool ok, const std::string& where, const char* wanted) {
    if (!ok) fail(where, std::string("expected ") + wanted + ", got " + type_name(j));
}

std::string key_path(const std::string& where, const std::string& key) {
    return where + "." + http::shown_name(key);
}

std::vector<AuthenticatorSpec> parse_authenticators(const json& j, const std::string& where,
                                                    const std::string& base_dir) {
    expect(j, j.is_array(), where, "a list of authentication classes");
    std::vector<AuthenticatorSpec> out;
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string at = where + "[" + std::to_string(i) + "]";
        const json& item = j[i];
        if (item.is_string()) {
            out.push_back({canonical_class_name(item.get<std::string>()), json::object(), at, base_dir});
        } else if (item.is_object()) {
            auto cls = item.find("class");
            if (cls == item.end() || !cls->is_string())
                fail(at, "an authentication class object needs a string \"class\"");
            json options = item;
            options.erase("class");
            out.push_back({canonical_class_name(cls->get<std::string>()), std::move(options), at, base_dir});
        } else {
            expect(item, false, at, "a class name or an object with \"class\"");
        }
    }
    return out;
}

authz::PermissionPtr parse_permission(const json& j, const std::string& where);

authz::PermissionPtr fold(const json& list, const std::string& where, bool is_and) {
    expect(list, list.is_array() && list.size() >= 1, where, "a non-empty list of permissions");
    authz::PermissionPtr acc = parse_permission(list[0], where + "[0]");
    for (size_t i = 1; i < list.size(); ++i) {
        auto next = parse_permission(list[i], where + "[" + std::to_string(i) + "]");
        acc = is_and ? authz::make_and(acc, next) : authz::make_or(acc, next);
    }
    return acc;
}

authz::PermissionPtr parse_permission(const json& j, const std::string& where) {
    if (j.is_string()) {
        const std::string name = canonical_class_name(j.get<std::string>());
        auto p = authz::make_builtin(name);
        if (!p) fail(where, "unknown permission class '" + http::shown_name(j.get<std::string>()) + "'");
        return p;
    }
    expect(j, j.is_object() && j.size() >= 1, where, "a permission name or object");
    if (j.size() == 1 && j.contains("and")) return fold(j["and"], where + ".and", true);
    if (j.size() == 1 && j.contains("or")) return fold(j["or"], where + ".or", false);
    if (j.size() == 1 && j.contains("not")) return authz::make_not(parse_permission(j["not"], where + ".not"));
    auto cls = j.find("class");
    if (cls == j.end() || !cls->is_string())
        fail(where,
             "a permission object is {\"and\": [...]}, {\"or\": [...]}, {\"not\": ...} or has a string \"class\"");
    std::optional<std::string> message, code;
    for (const auto& [key, value] : j.items()) {
        if (key == "class") continue;
        if (key == "message" || key == "code") {
            expect(value, value.is_string(), key_path(where, key), "a string");
            (key == "message" ? message : code) = value.get<std::string>();
        } else {
            fail(key_path(where, key), "unknown key (permissions take \"class\", \"message\", \"code\")");
        }
    }
    const std::string name = canonical_class_name(cls->get<std::string>());
    auto p = authz::make_builtin(name, message, code);
    if (!p)
        fail(key_path(where, "class"), "unknown permission class '" + http::shown_name(cls->get<std::string>()) + "'");
    return p;
}

std::vector<authz::PermissionPtr> parse_permissions(const json& j, const std::string& where) {
    expect(j, j.is_array(), where, "a list of permission classes");
    std::vector<authz::PermissionPtr> out;
    for (size_t i = 0; i < j.size(); ++i) out.push_back(parse_permission(j[i], where + "[" + std::to_string(i) + "]"));
    return out;
}

bool parse_bool(const json& j, const std::string& where) {
    expect(j, j.is_boolean(), where, "true or false");
    return j.get<bool>();
}

double parse_number(const json& j, const std::string& where, double lo, double hi) {
    expect(j, j.is_number(), where, "a number");
    const double v = j.get<double>();
    if (v < lo || v > hi)
        fail(where, "must be between " + std::to_string(static_cast<long long>(lo)) + " and " +
                        std::to_string(static_cast<long long>(hi)));
    return v;
}

std::vector<ThrottleSpec> parse_throttles(const json& j, const std::string& where) {
    expect(j, j.is_array(), where, "a list of throttle classes");
    std::vector<ThrottleSpec> out;
    for (size_t i = 0; i < j.size(); ++i) {
        const std::string at = where + "[" + std::to_string(i) + "]";
        const json& item = j[i];
        if (item.is_string()) {
            out.push_back({canonical_class_name(item.get<std::string>()), json::object(), at});
        } else if (item.is_object() && item.contains("class") && item["class"].is_string()) {
            json options = item;
            options.erase("class");
            out.push_back({canonical_class_name(item["class"].get<std::string>()), std::move(options), at});
        } else {
            fail(at, "expected a throttle class name or an object with a string \"class\"");
        }
    }
    return out;
}

throttle::RateTable parse_rates(const json& j, const std::string& where) {
    expect(j, j.is_object(), where, "an object of scope: rate");
    throttle::RateTable rates;
    for (const auto& [scope, value] : j.items()) {
        const std::string at = key_path(where, scope);
        if (value.is_null()) {
            rates.emplace(scope, std::nullopt);
            continue;
        }
        expect(value, value.is_string(), at, "a rate such as \"100/day\", or null");
        std::string error;
        auto rate = throttle::parse_rate(value.get<std::string>(), &error);
        if (!rate) fail(at, error);
        rates.emplace(scope, rate);
    }
    return rates;
}

ThrottleBackendSettings parse_backend(const json& j, const std::string& where) {
    expect(j, j.is_object(), where, "an object");
    ThrottleBackendSettings b;
    for (const auto& [key, value] : j.items()) {
        const std::string at = key_path(where, key);
        if (key == "TYPE") {
            expect(value, value.is_string(), at, "\"memory\", \"sqlite\", \"redis\" or \"postgresql\"");
            const auto t = value.get<std::string>();
            if (t == "memory") {
                b.type = ThrottleBackendSettings::Type::Memory;
            } else if (t == "sqlite") {
                b.type = ThrottleBackendSettings::Type::Sqlite;
            } else if (t == "redis") {
                b.type = ThrottleBackendSettings::Type::Redis;
            } else if (t == "postgresql") {
                b.type = ThrottleBackendSettings::Type::Postgresql;
            } else {
                fail(at, "expected \"memory\", \"sqlite\", \"redis\" or \"postgresql\"");
            }
        } else if (key == "URL") {
            expect(value, value.is_string() && directory::names_postgres(value.get<std::string>()), at,
                   "a PostgreSQL connection string (postgresql://… or host=… dbname=…)");
            b.postgres_url = value.get<std::string>();
        } else if (key == "MAX_KEYS") {
            expect(value, value.is_number_integer(), at, "an integer");
            b.max_keys = static_cast<size_t>(parse_number(value, at, 1, 1e9));
        } else if (key == "HOST") {
            expect(value, value.is_string(), at, "a host name or address");
            b.redis.host = value.get<std::string>();
        } else if (key == "PORT") {
            expect(value, value.is_number_integer(), at, "an integer");
            b.redis.port = static_cast<int>(parse_number(value, at, 1, 65535));
        } else if (key == "TIMEOUT_MS") {
            expect(value, value.is_number_integer(), at, "an integer");
            b.redis.timeout_ms = static_cast<int>(parse_number(value, at, 1, 60000));
        } else if (key == "RETRY_AFTER") {
            b.redis.retry_after_s = parse_number(value, at, 0, 3600);
        } else if (key == "PREFIX") {
            expect(value, value.is_string(), at, "a string");
            b.redis.prefix = value.get<std::string>();
        } else if (key == "POOL_SIZE") {
            expect(value, value.is_number_integer(), at, "an integer");
            b.redis.pool_size = static_cast<int>(parse_number(value, at, 1, 256));
        } else if (key == "FAILURE_MODE") {
            expect(value, value.is_string(), at, "\"open\" or \"closed\"");
            const auto m = value.get<std::string>();
            if (m != "open" && m != "closed") fail(at, "expected \"open\" or \"closed\"");
            b.fail_open = m == "open";
        } else {
            fail(at,
                 "unknown key (THROTTLE_BACKEND takes TYPE, MAX_KEYS, HOST, PORT, TIMEOUT_MS, RETRY_AFTER, "
                 "PREFIX, POOL_SIZE, FAILURE_MODE, URL)");
        }
    }
    return b;
}

// Sub-keys as THROTTLE_BACKEND's, each accepted only for the TYPE it applies to.
DpopReplayBackendSettings parse_dpop_backend(const json& j, const std::string& where) {
    using Type = DpopReplayBackendSettings::Type;
    expect(j, j.is_object(), where, "an object");
    DpopReplayBackendSettings b;
    b.as_written = j;
    const auto type = j.find("TYPE");
    if (type == j.end()) fail(key_path(where, "TYPE"), "missing (\"memory\", \"redis\" or \"postgresql\")");
    expect(*type, type->is_string(), key_path(where, "TYPE"), "\"memory\", \"redis\" or \"postgresql\"");
    const auto& t = type->get_ref<const std::string&>();
    if (t == "memory") {
        b.type = Type::Memory;
    } else if (t == "redis") {
        b.type = Type::Redis;
    } else if (t == "postgresql") {
        b.type = Type::Postgresql;
    } else {
        fail(key_path(where, "TYPE"), "expected \"memory\", \"redis\" or \"postgresql\"");
    }
    for (const auto& [key, value] : j.items()) {
        const std::string at = key_path(where, key);
        const auto only = [&](Type wanted, const char* name) {
            if (b.type != wanted) fail(at, std::string("applies to \"TYPE\": \"") + name + "\" only");
        };
        if (key == "TYPE") {
        } else if (key == "MAX_KEYS") {
            only(Type::Memory, "memory");
            expect(value, value.is_number_integer(), at, "an integer");
            b.max_keys = static_cast<size_t>(parse_number(value, at, 1, 1e9));
        } else if (key == "URL") {
            only(Type::Postgresql, "postgresql");
            expect(value, value.is_string() && directory::names_postgres(value.get<std::string>()), at,
                   "a PostgreSQL connection string (postgresql://… or host=… dbname=…)");
            b.postgres_url = value.get<std::string>();
        } else if (key == "URL_OPTIONS") {
            only(Type::Postgresql, "postgresql");
            expect(value, value.is_object(), at, "an object (the keys of DATABASE_OPTIONS)");
            b.postgres_options = value;
        } else if (key == "HOST") {
            only(Type::Redis, "redis");
            expect(value, value.is_string() && !value.get_ref<const std::string&>().empty(), at,
                   "a host name or address");
            b.redis.host = value.get<std::string>();
        } else if (key == "PORT") {
            only(Type::Redis, "redis");
            expect(value, value.is_number_integer(), at, "an integer");
            b.redis.port = static_cast<int>(parse_number(value, at, 1, 65535));
        } else if (key == "TIMEOUT_MS") {
            only(Type::Redis, "redis");
            expect(value, value.is_number_integer(), at, "an integer");
            b.redis.timeout_ms = static_cast<int>(parse_number(value, at, 1, 60000));
        } else if (key == "RETRY_AFTER") {
            only(Type::Redis, "redis");
            b.redis.retry_after_s = parse_number(value, at, 0, 3600);
        } else if (key == "PREFIX") {
            only(Type::Redis, "redis");
            expect(value, value.is_string(), at, "a string");
            b.redis.prefix = value.get<std::string>();
        } else if (key == "POOL_SIZE") {
            only(Type::Redis, "redis");
            expect(value, value.is_number_integer(), at, "an integer");
            b.redis.pool_size = static_cast<int>(parse_number(value, at, 1, 256));
        } else if (key == "FAILURE_MODE") {
            fail(at, "DPoP has no failure mode: a proof whose jti cannot be recorded is always refused (503)");
        } else {
            fail(at,
                 "unknown key (DPOP_REPLAY_BACKEND takes TYPE; MAX_KEYS for memory; HOST, PORT, TIMEOUT_MS, "
                 "RETRY_AFTER, PREFIX, POOL_SIZE for redis; URL, URL_OPTIONS for postgresql)");
        }
    }
    return b;
}

std::optional<authn::LoginFailureSettings> parse_login_failures(const json& j, const std::string& where) {
    if (j.is_null()) return std::nullopt;
    expect(j, j.is_object(), where, "an object or null");
    authn::LoginFailureSettings s;
    for (const auto& [key, value] : j.items()) {
        const std::string at = key_path(where, key);
        if (key == "LIMIT" || key == "CLIENT_LIMIT") {
            expect(value, value.is_number_integer(), at, "an integer");
            (key == "LIMIT" ? s.limit : s.client_limit) = static_cast<long>(parse_number(value, at, 1, 1000000));
        } else if (key == "WINDOW") {
            s.window = parse_number(value, at, 1, 86400 * 30);
        } else {
            fail(at, "unknown key (LOGIN_FAILURES takes LIMIT, WINDOW, CLIENT_LIMIT)");
        }
    }
    return s;
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
std::vector<std::string> parse_scopes(const json& j, const std::string& where) {
    expect(j, j.is_array(), where, "a list of scope names");
    std::vector<std::string> out;
    for (const auto& s : j) {
        bool ok = s.is_string() && !s.get_ref<const std::string&>().empty();
        for (unsigned char c : ok ? s.get_ref<const std::string&>() : std::string())
            ok = ok && c >= 0x21 && c <= 0x7e && c != '"' && c != '\\';
        if (!ok) fail(where, "a scope is a non-empty string of printable ASCII without spaces, quotes or backslashes");
        out.push_back(s.get<std::string>());
    }
    return out;
}

ViewSpec parse_view(const json& j, const std::string& where, const std::string& base_dir) {
    expect(j, j.is_object(), where, "an object");
    ViewSpec v;
    v.where = where;
    for (const auto& [key, value] : j.items()) {
        const std::string at = key_path(where, key);
        if (key == "authentication_classes") {
            v.authentication_classes = parse_authenticators(value, at, base_dir);
        } else if (key == "permission_classes") {
            v.permission_classes = parse_permissions(value, at);
        } else if (key == "perform_authentication") {
            v.perform_authentication = parse_bool(value, at);
        } else if (key == "throttle_classes") {
            v.throttle_classes = parse_throttles(value, at);
        } else if (key == "throttle_scope") {
            expect(value, value.is_string() || value.is_null(), at, "a scope name or null");
            if (value.is_string()) v.throttle_scope = value.get<std::string>();
        } else if (key == "required_scopes") {
            v.required_scopes = parse_scopes(value, at);
        } else {
            fail(at,
                 "unknown key (views take authentication_classes, permission_classes, perform_authentication, "
                 "throttle_classes, throttle_scope, required_scopes)");
        }
    }
    return v;
}

}  // namespace

std::string canonical_class_name(std::string_view name) {
    for (std::string_view prefix :
         {"rest_framework.authentication.", "rest_framework.permissions.", "rest_framework.throttling."}) {
        if (name.substr(0, prefix.size()) == prefix) return std::string(name.substr(prefix.size()));
    }
    return std::string(name);
}

EngineConfig parse_config(const json& root, const std::string& base_dir) {
    expect(root, root.is_object(), "$", "a JSON object");
    EngineConfig c;
    c.base_dir = base_dir;
    for (const auto& [key, value] : root.items()) {
        const std::string at = "$." + http::shown_name(key);
        if (key == "DATABASE") {
            expect(value, value.is_string() && !value.get<std::string>().empty(), at,
                   "a file path, \":memory:\" or a PostgreSQL URL");
            std::string path = value.get<std::string>();
            if (path != ":memory:" && path.rfind("file:", 0) != 0 && !directory::names_postgres(path) &&
                std::filesystem::path(path).is_relative() && !base_dir.empty())
                path = (std::filesystem::path(base_dir) / path).string();
            c.database = path;
        } else if (key == "DATABASE_OPTIONS") {
            expect(value, value.is_object(), at, "an object (PostgreSQL connection settings, docs/postgresql.md)");
            c.database_options = value;
        } else if (key == "DATABASE_BUSY_TIMEOUT_MS") {
            c.database_busy_timeout_ms = static_cast<int>(parse_number(value, at, 0, 600000));
        } else if (key == "DEFAULT_AUTHENTICATION_CLASSES") {
            c.default_authentication = parse_authenticators(value, at, base_dir);
        } else if (key == "DEFAULT_PERMISSION_CLASSES") {
            c.default_permissions = parse_permissions(value, at);
        } else if (key == "PERFORM_AUTHENTICATION") {
            c.perform_authentication = parse_bool(value, at);
        } else if (key == "UNAUTHENTICATED_USER") {
            if (value.is_null()) {
                c.unauthenticated_user_is_null = true;
            } else {
                expect(value, value.is_string(), at, "\"anonymous\" or null");
                const auto s = value.get<std::string>();
                if (s != "anonymous" && s != "django.contrib.auth.models.AnonymousUser")
                    fail(at, "must be \"anonymous\" (or \"django.contrib.auth.models.AnonymousUser\") or null");
            }
        } else if (key == "UNAUTHENTICATED_TOKEN") {
            if (!value.is_null()) c.unauthenticated_token = value.dump();
        } else if (key == "PASSWORD_ITERATIONS") {
            expect(value, value.is_number_integer(), at, "an integer");
            c.password_iterations = static_cast<unsigned>(parse_number(value, at, 1, 100000000));
        } else if (key == "CACHE") {
            expect(value, value.is_object(), at, "an object");
            for (const auto& [ck, cv] : value.items()) {
                if (ck == "TTL") {
                    c.cache.ttl_seconds = parse_number(cv, at + ".TTL", 0, 86400);
                } else if (ck == "MAX_ENTRIES") {
                    expect(cv, cv.is_number_integer(), at + ".MAX_ENTRIES", "an integer");
                    c.cache.max_entries = static_cast<size_t>(parse_number(cv, at + ".MAX_ENTRIES", 0, 100000000));
                } else {
                    fail(key_path(at, ck), "unknown key (CACHE takes TTL, MAX_ENTRIES)");
                }
            }
        } else if (key == "DEFAULT_THROTTLE_CLASSES") {
            c.default_throttles = parse_throttles(value, at);
        } else if (key == "DEFAULT_THROTTLE_RATES") {
            c.throttle_rates = parse_rates(value, at);
        } else if (key == "NUM_PROXIES") {
            if (!value.is_null()) {
                expect(value, value.is_number_integer(), at, "an integer or null");
                c.client_identity.num_proxies = static_cast<int>(parse_number(value, at, 0, 1000));
            }
        } else if (key == "TRUSTED_PROXIES") {
            expect(value, value.is_array() || value.is_null(), at, "a list of CIDR blocks such as \"10.0.0.0/8\"");
            for (size_t i = 0; value.is_array() && i < value.size(); ++i) {
                const std::string item_at = at + "[" + std::to_string(i) + "]";
                expect(value[i], value[i].is_string(), item_at, "a CIDR block such as \"10.0.0.0/8\" or an address");
                if (!c.client_identity.trusted.add(value[i].get_ref<const std::string&>()))
                    fail(item_at, "expected a CIDR block such as \"10.0.0.0/8\" or \"2001:db8::/32\", or an address");
            }
        } else if (key == "CLIENT_IDENTITY") {
            expect(value, value.is_string(), at, "\"remote_addr\" or \"drf\"");
            const auto& mode = value.get_ref<const std::string&>();
            if (mode != "remote_addr" && mode != "drf") fail(at, "expected \"remote_addr\" or \"drf\"");
            c.client_identity.mode = mode == "drf" ? throttle::ClientIdentitySettings::Mode::Drf
                                                   : throttle::ClientIdentitySettings::Mode::RemoteAddress;
        } else if (key == "LOGIN_FAILURES") {
            c.login_failures = parse_login_failures(value, at);
        } else if (key == "THROTTLE_BACKEND") {
            c.throttle_backend = parse_backend(value, at);
        } else if (key == "DPOP_REPLAY_BACKEND") {
            c.dpop_replay_backend = parse_dpop_backend(value, at);
        } else if (key == "DJANGO") {
            c.django = value;
        } else if (key == "SESSIONS") {
            c.sessions = value;
        } else if (key == "SIMPLE_JWT") {
            c.simple_jwt = value;
        } else if (key == "OAUTH2_PROVIDER") {
            c.oauth2_provider = value;
        } else if (key == "REST_KNOX") {
            c.rest_knox = value;
        } else if (key == "API_KEY_CUSTOM_HEADER") {
            c.api_key_custom_header = value;
        } else if (key == "API_KEYS") {
            if (!value.is_null()) c.api_keys = apikey::parse_api_key_settings(value, at, base_dir);
        } else if (key == "VIEWS") {
            expect(value, value.is_object(), at, "an object of views");
            for (const auto& [name, view] : value.items()) {
                if (name.empty()) fail(at, "a view name may not be empty");
                c.views.emplace(name, parse_view(view, key_path(at, name), base_dir));
            }
        } else if (key == "RELOAD") {
            // Read by our long-running processes (authpolicy serve); validated here so that every
            // command refuses the same mistakes.
            expect(value, value.is_object() || value.is_null(), at, "an object");
            if (value.is_object()) {
                for (const auto& item : value.items()) {
                    const std::string sub = key_path(at, item.key());
                    if (item.key() != "WATCH") fail(sub, "unknown key (RELOAD takes WATCH)");
                    expect(item.value(), item.value().is_boolean(), sub, "true or false");
                }
            }
        } else if (key == "ROUTES" || key == "SERVE") {
            // `authpolicy serve`'s own settings (server/serve_config.cc validates them): every
            // other command loads the same file and ignores them.
        } else {
            fail(at, "unknown key");
        }
    }
    if (c.client_identity.mode == throttle::ClientIdentitySettings::Mode::Drf && !c.client_identity.trusted.empty())
        fail("$.CLIENT_IDENTITY",
             "\"drf\" trusts X-Forwarded-For as DRF does; it cannot be combined with TRUSTED_PROXIES");
    directory::check_database_settings(c.database, c.database_options);
    if (c.throttle_backend.type == ThrottleBackendSettings::Type::Postgresql) {
        if (c.throttle_backend.postgres_url.empty() && !directory::names_postgres(c.database))
            fail("$.THROTTLE_BACKEND.URL",
                 "\"postgresql\" needs a URL here or a PostgreSQL DATABASE to share (DATABASE is SQLite)");
        if (!c.throttle_backend.postgres_url.empty())
            directory::check_database_settings(c.throttle_backend.postgres_url, nullptr);
    } else if (!c.throttle_backend.postgres_url.empty()) {
        fail("$.THROTTLE_BACKEND.URL", "applies to \"TYPE\": \"postgresql\" only");
    }
    if (c.dpop_replay_backend && c.dpop_replay_backend->type == DpopReplayBackendSettings::Type::Postgresql) {
        if (c.dpop_replay_backend->postgres_url.empty() && !directory::names_postgres(c.database))
            fail("$.DPOP_REPLAY_BACKEND.URL",
                 "\"postgresql\" needs a URL here or a PostgreSQL DATABASE to share (DATABASE is SQLite)");
        if (!c.dpop_replay_backend->postgres_url.empty())
            directory::postgres::parse_pg_options(c.dpop_replay_backend->postgres_url,
                                                  &c.dpop_replay_backend->postgres_options,
                                                  "$.DPOP_REPLAY_BACKEND.URL");
        else if (!c.dpop_replay_backend->postgres_options.is_null())
            fail("$.DPOP_REPLAY_BACKEND.URL_OPTIONS", "applies with URL only (DATABASE has DATABASE_OPTIONS)");
    }
    if (directory::names_postgres(c.database) && c.throttle_backend.type == ThrottleBackendSettings::Type::Sqlite)
        fail("$.THROTTLE_BACKEND.TYPE", "\"sqlite\" needs a SQLite DATABASE; use \"postgresql\" or \"redis\"");
    return c;
}

EngineConfig parse_config_text(std::string_view json_text, const std::string& base_dir) {
    json root;
    try {
        root = parse_bounded_json(json_text, kMaxConfigBytes);
    } catch (const Error& e) {
        throw Error(ErrorCode::Config, std::string("configuration is not valid JSON: ") + e.what());
    }
    return parse_config(root, base_dir);
}

}  // namespace authpolicy
