// The directory handle (users, API tokens, OAuth tokens, sessions) and the deprecated
// engine-based administration calls, which are the same calls on the engine's directory.
#include <cstring>

#include "core/apikey/api_key_settings.h"
#include "core/directory/directory_admin.h"
#include "core/directory/open_directory.h"
#include "core/django/django_notify.h"
#include "core/django/django_settings.h"
#include "core/engine/clock.h"
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;
using authpolicy::directory::DirectoryAdmin;

struct authp_directory {
    DirectoryAdmin admin;
    // With "DJANGO": its settings. Sessions are then Django's, read-only here.
    std::optional<authpolicy::django::DjangoSettings> django;
    // API_KEYS: the engine's pepper, or the configuration's settings, loaded at the first
    // authp_directory_apikey_create (a handle that never mints keys needs no pepper).
    std::optional<authpolicy::apikey::ApiKeySettings> api_keys;
    std::shared_ptr<const authpolicy::apikey::Pepper> pepper;
};

namespace {

std::optional<std::string_view> optional_view(const char* p, size_t len) {
    if (!p) return std::nullopt;
    return view_of(p, len);
}

// A handle on the engine's directory, reading the engine's clock: writes through it reach the
// engine's caches at once (the directory's revocation feed).
std::unique_ptr<authp_directory> directory_of(const authp_engine* engine) {
    std::shared_ptr<authpolicy::Services> services = authp_capi::services_of(engine);
    auto directory = services->directory();
    const unsigned iterations = services->hashers().iterations();
    std::optional<authpolicy::django::DjangoSettings> django;
    if (services->django()) django = services->django()->settings();
    std::shared_ptr<const authpolicy::apikey::Pepper> pepper = services->api_key_pepper();
    return std::unique_ptr<authp_directory>(new authp_directory{
        DirectoryAdmin(std::move(directory), iterations, [services = std::move(services)] { return services->now(); }),
        django, std::nullopt, std::move(pepper)});
}

// Runs an admin call on a directory handle, or on a temporary one for a deprecated engine call.
template <class F>
int on(authp_directory* dir, F&& body) {
    return guard([&]() -> int {
        if (!dir) return authp_capi::misuse("NULL directory");
        return body(dir->admin);
    });
}
template <class F>
int on(authp_engine* engine, F&& body) {
    return guard([&]() -> int {
        if (!engine) return authp_capi::misuse("NULL engine");
        return body(directory_of(engine)->admin);
    });
}

authpolicy::directory::UserRoles roles_of(unsigned int flags) {
    return {(flags & AUTHP_USER_INACTIVE) == 0, (flags & AUTHP_USER_STAFF) != 0, (flags & AUTHP_USER_SUPERUSER) != 0};
}

// The shared bodies: each takes the handle kind (authp_directory* or, deprecated, authp_engine*).
template <class H>
int user_add(int64_t* id_out, H* h, const char* username, size_t username_len, const char* password,
             size_t password_len, unsigned int flags) {
    if (!username && username_len) return authp_capi::misuse("NULL username");
    return on(h, [&](DirectoryAdmin& a) {
        const int64_t id =
            a.add_user(view_of(username, username_len), optional_view(password, password_len), roles_of(flags));
        if (id_out) *id_out = id;
        return AUTHP_OK;
    });
}

template <class H>
int user_set_password(H* h, const char* username, size_t username_len, const char* password, size_t password_len) {
    if (!username && username_len) return authp_capi::misuse("NULL username");
    return on(h, [&](DirectoryAdmin& a) {
        a.set_password(view_of(username, username_len), optional_view(password, password_len));
        return AUTHP_OK;
    });
}

template <class H>
int user_set_active(H* h, const char* username, size_t username_len, int active) {
    if (!username && username_len) return authp_capi::misuse("NULL username");
    return on(h, [&](DirectoryAdmin& a) {
        a.set_active(view_of(username, username_len), active != 0);
        return AUTHP_OK;
    });
}

template <class H>
int user_set_roles(H* h, const char* username, size_t username_len, int is_staff, int is_superuser) {
    if (!username && username_len) return authp_capi::misuse("NULL username");
    return on(h, [&](DirectoryAdmin& a) {
        a.set_roles(view_of(username, username_len), is_staff != 0, is_superuser != 0);
        return AUTHP_OK;
    });
}

template <class H>
int user_list(char** out, H* h) {
    if (out) *out = nullptr;
    if (!out) return authp_capi::misuse("NULL out");
    return on(h, [&](DirectoryAdmin& a) {
        *out = authp_capi::owned_string(a.list_users_json());
        return AUTHP_OK;
    });
}

template <class H>
int token_create(char** key_out, H* h, const char* username, size_t username_len, const char* name, size_t name_len,
                 int64_t expires_in) {
    if (key_out) *key_out = nullptr;
    if (!key_out || (!username && username_len) || (!name && name_len))
        return authp_capi::misuse("NULL key_out, username or name");
    return on(h, [&](DirectoryAdmin& a) {
        std::string key = a.create_token(view_of(username, username_len), view_of(name, name_len), expires_in);
        *key_out = authp_capi::owned_secret(key);
        return AUTHP_OK;
    });
}

template <class H>
int token_revoke(H* h, const char* key, size_t key_len) {
    if (!key && key_len) return authp_capi::misuse("NULL key");
    return on(h, [&](DirectoryAdmin& a) {
        a.revoke_token(view_of(key, key_len));
        return AUTHP_OK;
    });
}

template <class H>
int token_list(char** out, H* h, const char* username, size_t username_len) {
    if (out) *out = nullptr;
    if (!out) return authp_capi::misuse("NULL out");
    return on(h, [&](DirectoryAdmin& a) {
        *out = authp_capi::owned_string(a.list_tokens_json(optional_view(username, username_len)));
        return AUTHP_OK;
    });
}

template <class H>
int oauth_create(char** token_out, H* h, const char* username, size_t username_len, const char* client_id,
                 size_t client_id_len, const char* scope, size_t scope_len, int64_t expires_in) {
    if (token_out) *token_out = nullptr;
    if (!token_out || (!username && username_len) || (!client_id && client_id_len) || (!scope && scope_len))
        return authp_capi::misuse("NULL token_out, username, client_id or scope");
    return on(h, [&](DirectoryAdmin& a) {
        std::string token = a.create_oauth_token(view_of(username, username_len), view_of(client_id, client_id_len),
                                                 view_of(scope, scope_len), expires_in);
        *token_out = authp_capi::owned_secret(token);
        return AUTHP_OK;
    });
}

template <class H>
int oauth_revoke(H* h, const char* token, size_t token_len) {
    if (!token && token_len) return authp_capi::misuse("NULL token");
    return on(h, [&](DirectoryAdmin& a) {
        a.revoke_oauth_token(view_of(token, token_len));
        return AUTHP_OK;
    });
}

template <class H>
int oauth_list(char** out, H* h, const char* username, size_t username_len) {
    if (out) *out = nullptr;
    if (!out) return authp_capi::misuse("NULL out");
    return on(h, [&](DirectoryAdmin& a) {
        *out = authp_capi::owned_string(a.list_oauth_tokens_json(optional_view(username, username_len)));
        return AUTHP_OK;
    });
}

template <class H>
int logout_user(int64_t* count, H* h, const char* username, size_t username_len) {
    if (count) *count = 0;
    if (!username && username_len) return authp_capi::misuse("NULL username");
    return on(h, [&](DirectoryAdmin& a) {
        const int64_t n = a.logout_user(view_of(username, username_len));
        if (count) *count = n;
        return AUTHP_OK;
    });
}

int refuse_django_sessions(int64_t* count) {
    if (count) *count = 0;
    return guard([]() -> int {
        throw Error(ErrorCode::Invalid, "sessions are read from the Django database, which is never written");
    });
}

}  // namespace

extern "C" {

int authp_directory_open(authp_directory** out, const authp_config* cfg) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !cfg) return authp_capi::misuse("NULL out or config");
        if (!cfg->config) return authp_capi::misuse("no configuration loaded (authp_config_load_file/_json)");
        const authpolicy::EngineConfig& c = *cfg->config;
        auto directory =
            authpolicy::directory::open_directory(c.database, c.database_options, c.database_busy_timeout_ms);
        std::shared_ptr<const authpolicy::Clock> clock = cfg->hooks.clock;
        if (!clock) clock = std::make_shared<authpolicy::SystemClock>();
        auto django = authpolicy::django::parse_django_settings(c.django ? &*c.django : nullptr, c.base_dir);
        *out = new authp_directory{DirectoryAdmin(std::move(directory), c.password_iterations,
                                                  [clock = std::move(clock)] { return clock->now(); }),
                                   std::move(django), c.api_keys, nullptr};
        return AUTHP_OK;
    });
}

int authp_engine_directory(authp_directory** out, const authp_engine* engine) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !engine) return authp_capi::misuse("NULL out or engine");
        *out = directory_of(engine).release();
        return AUTHP_OK;
    });
}

void authp_directory_free(authp_directory* dir) {
    delete dir;
}

int authp_directory_schema(int* current, int* latest, authp_directory* dir) {
    if (current) *current = 0;
    if (latest) *latest = 0;
    return on(dir, [&](DirectoryAdmin& a) {
        const auto status = a.directory().schema();
        if (current) *current = status.current;
        if (latest) *latest = status.latest;
        return AUTHP_OK;
    });
}

int authp_directory_migrate(authp_directory* dir) {
    return on(dir, [&](DirectoryAdmin& a) {
        a.directory().migrate();
        return AUTHP_OK;
    });
}

int authp_directory_user_add(int64_t* id_out, authp_directory* dir, const char* username, size_t username_len,
                             const char* password, size_t password_len, unsigned int flags) {
    return user_add(id_out, dir, username, username_len, password, password_len, flags);
}
int authp_directory_user_set_password(authp_directory* dir, const char* username, size_t username_len,
                                      const char* password, size_t password_len) {
    return user_set_password(dir, username, username_len, password, password_len);
}
int authp_directory_user_set_active(authp_directory* dir, const char* username, size_t username_len, int active) {
    return user_set_active(dir, username, username_len, active);
}
int authp_directory_user_set_roles(authp_directory* dir, const char* username, size_t username_len, int is_staff,
                                   int is_superuser) {
    return user_set_roles(dir, username, username_len, is_staff, is_superuser);
}
int authp_directory_user_delete(authp_directory* dir, const char* username, size_t username_len) {
    if (!username && username_len) return authp_capi::misuse("NULL username");
    return on(dir, [&](DirectoryAdmin& a) {
        a.delete_user(view_of(username, username_len));
        return AUTHP_OK;
    });
}
int authp_directory_user_list_json(char** out, authp_directory* dir) {
    return user_list(out, dir);
}
int authp_directory_token_create(char** key_out, authp_directory* dir, const char* username, size_t username_len,
                                 const char* name, size_t name_len, int64_t expires_in) {
    return token_create(key_out, dir, username, username_len, name, name_len, expires_in);
}
int authp_directory_token_revoke(authp_directory* dir, const char* key, size_t key_len) {
    return token_revoke(dir, key, key_len);
}
int authp_directory_token_list_json(char** out, authp_directory* dir, const char* username, size_t username_len) {
    return token_list(out, dir, username, username_len);
}
int authp_directory_apikey_create(char** key_out, authp_directory* dir, const char* username, size_t username_len,
                                  const char* name, size_t name_len, const char* scopes, size_t scopes_len,
                                  int64_t expires_in, unsigned int flags) {
    if (key_out) *key_out = nullptr;
    if (!key_out || (!username && username_len) || (!name && name_len) || (!scopes && scopes_len))
        return authp_capi::misuse("NULL key_out, username, name or scopes");
    if ((flags & ~AUTHP_APIKEY_TEST) != 0) return authp_capi::misuse("unknown API key flags");
    return on(dir, [&](DirectoryAdmin& a) {
        if (!dir->pepper) {
            if (!dir->api_keys)
                throw Error(ErrorCode::Config,
                            "API keys need \"API_KEYS\" with PEPPER_FILE or PEPPER_ENV in the configuration");
            dir->pepper = authpolicy::apikey::Pepper::load(*dir->api_keys);
        }
        const auto env = (flags & AUTHP_APIKEY_TEST) != 0 ? authpolicy::apikey::Environment::Test
                                                          : authpolicy::apikey::Environment::Live;
        std::string key = a.create_api_key(*dir->pepper, view_of(username, username_len), view_of(name, name_len),
                                           view_of(scopes, scopes_len), expires_in, env);
        *key_out = authp_capi::owned_secret(key);
        return AUTHP_OK;
    });
}
int authp_directory_apikey_revoke(authp_directory* dir, const char* selector_or_key, size_t len) {
    if (!selector_or_key && len) return authp_capi::misuse("NULL selector_or_key");
    return on(dir, [&](DirectoryAdmin& a) {
        a.revoke_api_key(view_of(selector_or_key, len));
        return AUTHP_OK;
    });
}
int authp_directory_apikey_list_json(char** out, authp_directory* dir, const char* username, size_t username_len) {
    if (out) *out = nullptr;
    if (!out || (!username && username_len)) return authp_capi::misuse("NULL out or username");
    return on(dir, [&](DirectoryAdmin& a) {
        *out = authp_capi::owned_string(a.list_api_keys_json(optional_view(username, username_len)));
        return AUTHP_OK;
    });
}
int authp_directory_oauth_token_create(char** token_out, authp_directory* dir, const char* username,
                                       size_t username_len, const char* client_id, size_t client_id_len,
                                       const char* scope, size_t scope_len, int64_t expires_in) {
    return oauth_create(token_out, dir, username, username_len, client_id, client_id_len, scope, scope_len, expires_in);
}
int authp_directory_oauth_token_revoke(authp_directory* dir, const char* token, size_t token_len) {
    return oauth_revoke(dir, token, token_len);
}
int authp_directory_oauth_token_list_json(char** out, authp_directory* dir, const char* username, size_t username_len) {
    return oauth_list(out, dir, username, username_len);
}
int authp_directory_session_logout_user(int64_t* count, authp_directory* dir, const char* username,
                                        size_t username_len) {
    if (dir && dir->django.has_value()) return refuse_django_sessions(count);
    return logout_user(count, dir, username, username_len);
}
int authp_directory_django_notify(authp_directory* dir, int install) {
    return on(dir, [&](DirectoryAdmin&) {
        if (!dir->django) throw Error(ErrorCode::Invalid, "the configuration has no DJANGO block");
        authpolicy::django::install_notify(*dir->django, install != 0);
        return AUTHP_OK;
    });
}

int authp_directory_session_purge(int64_t* count, authp_directory* dir) {
    if (count) *count = 0;
    if (dir && dir->django.has_value()) return refuse_django_sessions(count);
    return on(dir, [&](DirectoryAdmin& a) {
        const int64_t n = a.purge_expired_sessions();
        if (count) *count = n;
        return AUTHP_OK;
    });
}

// Deprecated since 0.2: the same calls on the engine's directory.
int authp_user_add(int64_t* id_out, authp_engine* engine, const char* username, size_t username_len,
                   const char* password, size_t password_len, unsigned int flags) {
    return user_add(id_out, engine, username, username_len, password, password_len, flags);
}
int authp_user_set_password(authp_engine* engine, const char* username, size_t username_len, const char* password,
                            size_t password_len) {
    return user_set_password(engine, username, username_len, password, password_len);
}
int authp_user_set_active(authp_engine* engine, const char* username, size_t username_len, int active) {
    return user_set_active(engine, username, username_len, active);
}
int authp_user_set_roles(authp_engine* engine, const char* username, size_t username_len, int is_staff,
                         int is_superuser) {
    return user_set_roles(engine, username, username_len, is_staff, is_superuser);
}
int authp_user_list_json(char** out, authp_engine* engine) {
    return user_list(out, engine);
}
int authp_token_create(char** key_out, authp_engine* engine, const char* username, size_t username_len,
                       const char* name, size_t name_len, int64_t expires_in) {
    return token_create(key_out, engine, username, username_len, name, name_len, expires_in);
}
int authp_token_revoke(authp_engine* engine, const char* key, size_t key_len) {
    return token_revoke(engine, key, key_len);
}
int authp_token_list_json(char** out, authp_engine* engine, const char* username, size_t username_len) {
    return token_list(out, engine, username, username_len);
}
int authp_oauth_token_create(char** token_out, authp_engine* engine, const char* username, size_t username_len,
                             const char* client_id, size_t client_id_len, const char* scope, size_t scope_len,
                             int64_t expires_in) {
    return oauth_create(token_out, engine, username, username_len, client_id, client_id_len, scope, scope_len,
                        expires_in);
}
int authp_oauth_token_revoke(authp_engine* engine, const char* token, size_t token_len) {
    return oauth_revoke(engine, token, token_len);
}
int authp_oauth_token_list_json(char** out, authp_engine* engine, const char* username, size_t username_len) {
    return oauth_list(out, engine, username, username_len);
}
int authp_session_logout_user(int64_t* count, authp_engine* engine, const char* username, size_t username_len) {
    if (engine && guard([&] { return authp_capi::services_of(engine)->django() ? 1 : 0; }) == 1)
        return refuse_django_sessions(count);
    return logout_user(count, engine, username, username_len);
}

}  // extern "C"
