// authpolicy.h alone, as a C++ translation unit (compiled as C++11 and C++20 by the headertest tests).
#include "authpolicy.h"
#include "authpolicy.h"  // the include guard holds

namespace {

int lookup(authp_user_builder* out, authp_lookup_kind kind, const char* username, size_t username_len, int64_t id,
           void* payload) {
    (void)kind;
    (void)id;
    (void)payload;
    return authp_user_builder_set_username(out, username, username_len);
}

}  // namespace

int authp_headertest_cxx();

// The C API is usable from C++ without casts: linkage, enums, the vtable initialiser.
int authp_headertest_cxx() {
    authp_authenticator vtable = AUTHP_AUTHENTICATOR_INIT;
    authp_user_lookup_cb cb = lookup;
    authp_auth_status status = AUTHP_AUTH_AUTHENTICATED;
    authp_error_code code = AUTHP_ECONFIG;
    int (*evaluate)(authp_decision**, const authp_engine*, authp_request*) = &authp_engine_evaluate;
    (void)cb;
    (void)evaluate;
    return static_cast<int>(vtable.version) + static_cast<int>(status) + static_cast<int>(code) +
           AUTHP_VERSION_CHECK(0, 1, 0) + AUTHP_ABI_VERSION;
}
