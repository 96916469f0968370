// Django-format password hashes: hash and verify without an engine.
#include "core/passwords/password_hasher.h"
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

namespace {

std::string_view checked_password(const char* p, size_t len) {
    if (len > authpolicy::passwords::kMaxPasswordBytes)
        throw Error(ErrorCode::Invalid, "password longer than 4096 bytes");
    return view_of(p, len);
}

}  // namespace

extern "C" {

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
