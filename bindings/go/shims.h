/* C side of the cgo binding: trampolines from libauthpolicy's callbacks into exported Go
 * functions, and registration helpers. Payloads cross as integers (runtime/cgo.Handle values),
 * never as Go pointers; they are cast to void* only here, in C. */
#ifndef GOAUTHP_SHIMS_H
#define GOAUTHP_SHIMS_H
#include <authpolicy.h>
#include <stdint.h>
#include <stdlib.h>

#if AUTHP_ABI_VERSION != 0
#error "authpolicy-go is written against AUTHP_ABI_VERSION 0"
#endif

extern const char goauthp_empty[1];

int goauthp_set_user_lookup(authp_config* cfg, uintptr_t handle);
int goauthp_set_password_verifier(authp_config* cfg, uintptr_t handle);
int goauthp_set_clock(authp_config* cfg, uintptr_t handle);
int goauthp_set_logger(authp_config* cfg, uintptr_t handle);
int goauthp_add_authenticator(authp_config* cfg, const char* name, uintptr_t handle, int with_challenge);

/* Runs authp_engine_evaluate with `call` (the handle of the Go call's state, 0 for none) visible to
 * the callbacks it runs on this thread; on failure *msg receives a malloc'd copy of
 * authp_error_last() (read on the same thread), to be freed with free(). */
int goauthp_evaluate(authp_decision** out, const authp_engine* engine, authp_request* req, uintptr_t call, char** msg);
/* The same for the lazy request's calls: which 0 user, 1 auth_json, 2 authenticate, 3 challenge. */
int goauthp_request_call(int which, authp_request* req, uintptr_t call, const authp_user** user, const char** text,
                         char** owned, char** msg);
/* Everything a Decision shows, read in one call (strings borrowed from the decision). */
typedef struct goauthp_decision_view {
    int allowed, status;
    const char *code, *detail, *authenticator, *auth_json;
    size_t header_count;
    int has_user, user_authenticated, user_has_id, user_active, user_staff, user_superuser;
    int64_t user_id;
    const char* username;
    size_t username_len;
    const char* user_attributes;
} goauthp_decision_view;
void goauthp_read_decision(const authp_decision* d, goauthp_decision_view* v);

/* Fills a request in one call after resetting it. `headers` packs name/value pairs as
 * [uint32 name_len][name][uint32 value_len][value]…, little-endian lengths. */
int goauthp_fill_request(authp_request* req, const char* method, size_t method_len, const char* path, size_t path_len,
                         const char* view, size_t view_len, const char* addr, size_t addr_len, const char* user,
                         size_t user_len, int secure, const char* headers, size_t headers_len);

/* Any other fallible call: the thread's last error message, copied (malloc'd), or NULL. */
char* goauthp_error_copy(void);
#endif
