// Version, errors and memory: the parts of the C API every other part uses.
#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>

#include "handles.h"

namespace authp_capi {
namespace {
thread_local std::string last_error;
}

void set_last_error(const char* message) {
    try {
        last_error = message;
    } catch (...) {
        last_error.clear();
    }
}

// Layout: [size_t length][bytes…][NUL]; authp_free reads the length to zeroise.
char* owned_string(const std::string& s) {
    auto* block = static_cast<char*>(std::malloc(sizeof(size_t) + s.size() + 1));
    if (block == nullptr) throw std::bad_alloc();
    const size_t n = s.size() + 1;
    std::memcpy(block, &n, sizeof n);
    std::memcpy(block + sizeof(size_t), s.data(), s.size());
    block[sizeof(size_t) + s.size()] = '\0';
    return block + sizeof(size_t);
}

char* owned_secret(std::string& secret) {
    struct Wipe {
        std::string& s;
        ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
    } wipe{secret};
    return owned_string(secret);
}

std::string_view view_of(const char* ptr, size_t len) {
    if (ptr == nullptr) return {};
    return {ptr, len};
}

}  // namespace authp_capi

extern "C" {

void authp_version(int* major, int* minor, int* patch) {
    if (major) *major = AUTHP_VERSION_MAJOR;
    if (minor) *minor = AUTHP_VERSION_MINOR;
    if (patch) *patch = AUTHP_VERSION_PATCH;
}

const char* authp_version_string(void) {
    return AUTHP_VERSION_STRING;
}

int authp_abi_version(void) {
    return AUTHP_ABI_VERSION;
}

const char* authp_strerror(int code) {
    switch (code) {
        case AUTHP_OK: return "no error";
        case AUTHP_ERROR: return "generic error";
        case AUTHP_ENOTFOUND: return "not found";
        case AUTHP_EEXISTS: return "already exists";
        case AUTHP_EINVALID: return "invalid argument";
        case AUTHP_ENOMEM: return "out of memory";
        case AUTHP_ESTORE: return "database error";
        case AUTHP_ECRYPTO: return "cryptography error";
        case AUTHP_EVERSION: return "unsupported version";
        case AUTHP_EMISUSE: return "API misuse";
        case AUTHP_ECONFIG: return "invalid configuration";
        case AUTHP_ECALLBACK: return "callback failed";
        case AUTHP_EAUTHFAILED: return "authentication failed";
        case AUTHP_EUSER: return "callback raised";
        case AUTHP_PASSTHROUGH: return "passthrough";
        default: return "unknown error code";
    }
}

const char* authp_error_last(void) {
    return authp_capi::last_error.c_str();
}

void authp_error_clear(void) {
    authp_capi::last_error.clear();
}

void authp_free(void* ptr) {
    if (ptr == nullptr) return;
    char* block = static_cast<char*>(ptr) - sizeof(size_t);
    size_t n = 0;
    std::memcpy(&n, block, sizeof n);
    OPENSSL_cleanse(block + sizeof(size_t), n);
    std::free(block);
}

}  // extern "C"
