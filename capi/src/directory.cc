// The built-in directory (users, tokens) and Django-format password hashing.
#include <openssl/crypto.h>

#include "core/crypto/hex.h"
#include "core/crypto/random.h"
#include "core/http/text_encoding.h"
#include "core/identity/username_rule.h"
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

namespace {

constexpr size_t kMaxUsername = 150;  // Django's username max_length
constexpr size_t kMaxTokenName = 200;

// Names of existing users (lookups): the byte rule only, no normalisation, as Django's
// get_by_natural_key; new names go through identity::normalize_new_username.
std::string_view checked_username(const char* p, size_t len) {
    const std::string_view u = view_of(p, len);
    if (u.empty() || u.size() > kMaxUsername) throw Error(ErrorCode::Invalid, "username must be 1 to 150 bytes");
    if (!authpolicy::http::is_valid_utf8(u)) throw Error(ErrorCode::Invalid, "username is not valid UTF-8");
    for (unsigned char c : u) {
        // Whitespace and control characters make names ambiguous; ':' cannot travel in Basic (RFC 7617).
        if (c <= 0x20 || c == 0x7f || c == ':')
            throw Error(ErrorCode::Invalid, "username may not contain spaces, control characters or ':'");
    }
    return u;
}

std::string_view checked_password(const char* p, size_t len) {
    if (len > authpolicy::passwords::kMaxPasswordBytes)
        throw Error(ErrorCode::Invalid, "password longer than 4096 bytes");
    return view_of(p, len);
}

using authp_capi::services_of;

}  // namespace

extern "C" {

int authp_user_add(int64_t* id_out, authp_engine* engine, const char* username, size_t username_len,
                   const char* password, size_t password_len, unsigned int flags) {
    return guard([&]() -> int {
        if (!engine || (!username && username_len)) return authp_capi::misuse("NULL engine or username");
        const auto held = services_of(engine);
        auto& s = *held;
        authpolicy::store::sqlite::NewUser u;
        const std::string normalized = authpolicy::identity::normalize_new_username(view_of(username, username_len));
        u.username = normalized;
        u.password_hash = password ? s.hashers().make(checked_password(password, password_len))
                                   : authpolicy::passwords::make_unusable_password();
        u.is_active = (flags & AUTHP_USER_INACTIVE) == 0;
        u.is_staff = (flags & AUTHP_USER_STAFF) != 0;
        u.is_superuser = (flags & AUTHP_USER_SUPERUSER) != 0;
        const int64_t id = s.user_store().add(u, static_cast<int64_t>(s.now()));
        if (id_out) *id_out = id;
        return AUTHP_OK;
    });
}

int authp_user_set_password(authp_engine* engine, const char* username, size_t username_len, const char* password,
                            size_t password_len) {
    return guard([&]() -> int {
        if (!engine || (!username && username_len)) return authp_capi::misuse("NULL engine or username");
        const auto held = services_of(engine);
        auto& s = *held;
        const std::string encoded = password ? s.hashers().make(checked_password(password, password_len))
                                             : authpolicy::passwords::make_unusable_password();
        s.user_store().set_password_hash(checked_username(username, username_len), encoded);
        s.invalidate_caches();
        return AUTHP_OK;
    });
}

int authp_user_set_active(authp_engine* engine, const char* username, size_t username_len, int active) {
    return guard([&]() -> int {
        if (!engine || (!username && username_len)) return authp_capi::misuse("NULL engine or username");
        services_of(engine)->user_store().set_active(checked_username(username, username_len), active != 0);
        services_of(engine)->invalidate_caches();
        return AUTHP_OK;
    });
}

int authp_user_set_roles(authp_engine* engine, const char* username, size_t username_len, int is_staff,
                         int is_superuser) {
    return guard([&]() -> int {
        if (!engine || (!username && username_len)) return authp_capi::misuse("NULL engine or username");
        services_of(engine)->user_store().set_roles(checked_username(username, username_len), is_staff != 0,
                                                    is_superuser != 0);
        services_of(engine)->invalidate_caches();
        return AUTHP_OK;
    });
}

int authp_user_list_json(char** out, authp_engine* engine) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !engine) return authp_capi::misuse("NULL out or engine");
        *out = authp_capi::owned_string(services_of(engine)->user_store().list_json());
        return AUTHP_OK;
    });
}

int authp_token_create(char** key_out, authp_engine* engine, const char* username, size_t username_len,
                       const char* name, size_t name_len, int64_t expires_in) {
    if (key_out) *key_out = nullptr;
    return guard([&]() -> int {
        if (!key_out || !engine || (!username && username_len) || (!name && name_len))
            return authp_capi::misuse("NULL key_out, engine, username or name");
        const std::string_view label = view_of(name, name_len);
        if (label.size() > kMaxTokenName || !authpolicy::http::is_valid_utf8(label))
            throw Error(ErrorCode::Invalid, "token name must be at most 200 bytes of UTF-8");
        if (expires_in < 0 || expires_in > int64_t{100} * 365 * 86400)
            throw Error(ErrorCode::Invalid, "expires_in must be between 0 (never) and 100 years");
        const auto held = services_of(engine);
        auto& s = *held;
        // 160 bits from OpenSSL's CSPRNG, as DRF's 40 hex characters; only the digest is stored.
        std::string key = authpolicy::crypto::random_hex(20);
        const auto now = static_cast<int64_t>(s.now());
        std::optional<int64_t> expires;
        if (expires_in > 0) expires = now + expires_in;
        try {
            s.token_store().add(authpolicy::crypto::sha256(key), checked_username(username, username_len), label, now,
                                expires);
            *key_out = authp_capi::owned_string(key);
        } catch (...) {
            OPENSSL_cleanse(key.data(), key.size());
            throw;
        }
        OPENSSL_cleanse(key.data(), key.size());
        return AUTHP_OK;
    });
}

int authp_token_revoke(authp_engine* engine, const char* key, size_t key_len) {
    return guard([&]() -> int {
        if (!engine || (!key && key_len)) return authp_capi::misuse("NULL engine or key");
        const auto held = services_of(engine);
        auto& s = *held;
        const bool removed = s.token_store().revoke(authpolicy::crypto::sha256(view_of(key, key_len)));
        s.invalidate_caches();
        if (!removed) throw Error(ErrorCode::NotFound, "no such token");
        return AUTHP_OK;
    });
}

int authp_token_list_json(char** out, authp_engine* engine, const char* username, size_t username_len) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || !engine) return authp_capi::misuse("NULL out or engine");
        std::optional<std::string_view> who;
        if (username) who = view_of(username, username_len);
        *out = authp_capi::owned_string(services_of(engine)->token_store().list_json(who));
        return AUTHP_OK;
    });
}

int authp_password_hash(char** out, const char* password, size_t password_len, unsigned int iterations) {
    if (out) *out = nullptr;
    return guard([&]() -> int {
        if (!out || (!password && password_len)) return authp_capi::misuse("NULL out or password");
        if (iterations > 100000000u) throw Error(ErrorCode::Invalid, "iterations above 100,000,000");
        authpolicy::passwords::PasswordHashers hashers(iterations ? iterations
                                                                  : authpolicy::passwords::kDefaultIterations);
        *out = authp_capi::owned_string(hashers.make(checked_password(password, password_len)));
        return AUTHP_OK;
    });
}

int authp_password_verify(int* matches, int* needs_rehash, const char* password, size_t password_len,
                          const char* encoded, size_t encoded_len, unsigned int min_iterations) {
    if (matches) *matches = 0;
    if (needs_rehash) *needs_rehash = 0;
    return guard([&]() -> int {
        if (!matches || (!password && password_len) || (!encoded && encoded_len))
            return authp_capi::misuse("NULL matches, password or encoded hash");
        authpolicy::passwords::PasswordHashers hashers(min_iterations ? min_iterations
                                                                      : authpolicy::passwords::kDefaultIterations);
        const auto r = hashers.verify(view_of(password, password_len), view_of(encoded, encoded_len));
        *matches = r.matches;
        if (needs_rehash) *needs_rehash = !r.recognised || r.needs_rehash;
        return AUTHP_OK;
    });
}

}  // extern "C"
