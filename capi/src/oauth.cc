// OAuth 2.0: opaque access tokens in the built-in directory, and the host's RFC 7662
// introspection callback.
#include <openssl/crypto.h>

#include "core/authn/oauth2_authenticator.h"
#include "core/http/text_encoding.h"
#include "core/store/sqlite/sqlite_oauth_token_store.h"
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

struct authp_introspection {
    std::optional<std::string> json;
};

namespace {

constexpr size_t kMaxUsername = 150;
constexpr size_t kMaxClientId = 200;
constexpr size_t kMaxScope = 1000;
constexpr size_t kMaxIntrospectionJson = 64 * 1024;

authpolicy::store::sqlite::SqliteOAuthTokenStore store_of(authp_engine* e) {
    return authpolicy::store::sqlite::SqliteOAuthTokenStore(authp_capi::services_of(e)->database());
}

std::string_view checked_text(const char* p, size_t len, size_t max, const char* what) {
    const std::string_view v = view_of(p, len);
    if (v.size() > max || !authpolicy::http::is_valid_utf8(v))
        throw Error(ErrorCode::Invalid,
                    std::string(what) + " must be at most " + std::to_string(max) + " bytes of UTF-8");
    return v;
}

// RFC 6749 §3.3: scope tokens are %x21 / %x23-5B / %x5D-7E, separated by single spaces.
std::string normalised_scope(std::string_view scope) {
    std::string out;
    size_t i = 0;
    while (i < scope.size()) {
        while (i < scope.size() && scope[i] == ' ') ++i;
        size_t j = i;
        while (j < scope.size() && scope[j] != ' ') {
            const auto c = static_cast<unsigned char>(scope[j]);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
                throw Error(ErrorCode::Invalid, "a scope may only hold printable ASCII without quotes or backslashes");
            ++j;
        }
        if (j > i) out += (out.empty() ? "" : " ") + std::string(scope.substr(i, j - i));
        i = j;
    }
    return out;
}

}  // namespace

extern "C" {

int authp_oauth_token_create(char** token_out, authp_engine* engine, const char* username, size_t username_len,
                             const char* client_id, size_t client_id_len, const char* scope, size_t scope_len,
                             int64_t expires_in) {
    if (token_out) *token_out = nullptr;
    return guard([&]() -> int {
        if (!token_out || !engine || (!username && username_len) || (!client_id && client_id_len) ||
            (!scope && scope_len))
            return authp_capi::misuse("NULL token_out, engine, username, client_id or scope");
        const std::string_view user = checked_text(username, username_len, kMaxUsername, "username");
        if (user.empty()) throw Error(ErrorCode::Invalid, "username must not be empty");
        const std::string_view client = checked_text(client_id, client_id_len, kMaxClientId, "client_id");
        const std::string scopes = normalised_scope(checked_text(scope, scope_len, kMaxScope, "scope"));
        if (expires_in < 0 || expires_in > int64_t{100} * 365 * 86400)
            throw Error(ErrorCode::Invalid, "expires_in must be between 0 (never) and 100 years");
        const auto held = authp_capi::services_of(engine);
        auto& s = *held;
        std::string token = authpolicy::authn::new_oauth_token();
        const auto now = static_cast<int64_t>(s.now());
        std::optional<int64_t> expires;
        if (expires_in > 0) expires = now + expires_in;
        try {
            store_of(engine).add(authpolicy::crypto::sha256(token), user, client, scopes, now, expires);
            *token_out = authp_capi::owned_string(token);
        } catch (...) {
            OPENSSL_cleanse(token.data(), token.size());
            throw;
        }
        OPENSSL_cleanse(token.data(), token.size());
        return AUTHP_OK;
    });
}

int authp_oauth_token_revoke(authp_engine* engine, const char* token, size_t token_len) {
    return guard([&]() -> int {
        if (!engine || (!token && token_len)) return authp_capi::misuse("NULL engine or token");
        const bool removed = store_of(engine).revoke(authpolicy::crypto::sha256(view_of(token, token_len)));
        authp_capi::services_of(engine)->invalidate_caches();
        if (!removed) throw Error(ErrorCode::NotFound, "no such token");
        return AUTHP_OK;
    });
}

int authp_oauth_token_list_json(char** out, authp_engine* engine, const char* username, size_t username_len) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !engine) return authp_capi::misuse("NULL out or engine");
        std::optional<std::string_view> who;
        if (username) who = view_of(username, username_len);
        *out = authp_capi::owned_string(store_of(engine).list_json(who));
        return AUTHP_OK;
    });
}

int authp_introspection_set_json(authp_introspection* ctx, const char* json, size_t len) {
    return guard([&]() -> int {
        if (!ctx || (!json && len)) return authp_capi::misuse("NULL context or JSON");
        if (len > kMaxIntrospectionJson) throw Error(ErrorCode::Invalid, "introspection response longer than 64 KiB");
        ctx->json.emplace(view_of(json, len));
        return AUTHP_OK;
    });
}

int authp_config_set_introspection(authp_config* cfg, authp_introspect_cb cb, void* payload,
                                   authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg) return authp_capi::misuse("NULL config");
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        cfg->introspect_payload = holder;
        if (!cb) {
            cfg->hooks.introspect = nullptr;
            return AUTHP_OK;
        }
        cfg->hooks.introspect = [cb, holder](std::string_view token) -> std::string {
            authp_introspection ctx;
            const int rc = cb(&ctx, token.data(), token.size(), holder->ptr);
            if (rc == AUTHP_OK) {
                if (!ctx.json) throw Error(ErrorCode::Callback, "token introspection succeeded without a response");
                return std::move(*ctx.json);
            }
            if (rc == AUTHP_EUSER) throw Error(ErrorCode::User, "token introspection raised an error in the host");
            throw Error(ErrorCode::Callback,
                        "token introspection failed with code " + std::to_string(rc) + " (" + authp_strerror(rc) + ")");
        };
        return AUTHP_OK;
    });
}

}  // extern "C"
