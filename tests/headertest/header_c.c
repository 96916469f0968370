/* authpolicy.h alone, as a C translation unit (compiled as C99 and C11 by the headertest tests). */
#include "authpolicy.h"
#include "authpolicy.h" /* the include guard holds */

int authp_headertest_c(void);

/* Uses the declarations the way a C host would, so that the compiler checks them. */
int authp_headertest_c(void) {
    authp_authenticator vtable = AUTHP_AUTHENTICATOR_INIT;
    authp_user_lookup_cb lookup = (authp_user_lookup_cb)0;
    authp_clock_cb clock = (authp_clock_cb)0;
    authp_free_cb release = (authp_free_cb)0;
    authp_auth_status status = AUTHP_AUTH_NOT_RUN;
    authp_lookup_kind kind = AUTHP_LOOKUP_BY_ID;
    authp_error_code code = AUTHP_PASSTHROUGH;
    int (*evaluate)(authp_decision**, const authp_engine*, authp_request*) = authp_engine_evaluate;
    const unsigned int flags = AUTHP_USER_STAFF | AUTHP_USER_SUPERUSER | AUTHP_USER_INACTIVE;
    (void)lookup;
    (void)clock;
    (void)release;
    (void)evaluate;
    return (int)vtable.version + (int)status + (int)kind + (int)code + (int)flags +
           AUTHP_VERSION_CHECK(AUTHP_VERSION_MAJOR, AUTHP_VERSION_MINOR, AUTHP_VERSION_PATCH) + AUTHP_ABI_VERSION +
           (int)sizeof(AUTHP_VERSION_STRING);
}
