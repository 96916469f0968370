// Embedded sessions: login (with key rotation) and logout.
#include "core/authn/session_authenticator.h"
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

extern "C" {

int authp_session_login(char** session_cookie, char** csrf_cookie, char** session_key, authp_engine* engine,
                        const char* username, size_t username_len, const char* previous_key, size_t previous_key_len) {
    if (session_cookie) *session_cookie = nullptr;
    if (csrf_cookie) *csrf_cookie = nullptr;
    if (session_key) *session_key = nullptr;
    if (!session_cookie || !csrf_cookie || !engine || (!username && username_len) ||
        (!previous_key && previous_key_len))
        return authp_capi::misuse("NULL output, engine, username or previous key");
    return guard([&]() -> int {
        const std::string_view user = view_of(username, username_len);
        if (user.empty() || user.size() > 150) throw Error(ErrorCode::Invalid, "username must be 1 to 150 bytes");
        std::optional<std::string_view> previous;
        if (previous_key_len) previous = view_of(previous_key, previous_key_len);
        const auto login = authpolicy::authn::session_login(*authp_capi::services_of(engine), user, previous);
        char* sc = authp_capi::owned_string(login.session_cookie);
        char* cc = nullptr;
        char* key = nullptr;
        try {
            cc = authp_capi::owned_string(login.csrf_cookie);
            if (session_key) key = authp_capi::owned_string(login.key);
        } catch (...) {
            authp_free(sc);
            authp_free(cc);
            throw;
        }
        *session_cookie = sc;
        *csrf_cookie = cc;
        if (session_key) *session_key = key;
        return AUTHP_OK;
    });
}

int authp_session_logout(authp_engine* engine, const char* key, size_t key_len) {
    if (!engine || (!key && key_len)) return authp_capi::misuse("NULL engine or key");
    return guard([&]() -> int {
        if (!authpolicy::authn::session_logout(*authp_capi::services_of(engine), view_of(key, key_len)))
            throw Error(ErrorCode::NotFound, "no such session");
        return AUTHP_OK;
    });
}

}  // extern "C"
