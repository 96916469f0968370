/* Helpers shared by the C API tests: engines, requests, decisions, Basic headers. */
#ifndef AUTHP_TESTS_SUPPORT_H
#define AUTHP_TESTS_SUPPORT_H

#include <stddef.h>

#include "authpolicy.h"

/* Loads `json` into `cfg` and builds an engine; NULL (and a failed check) on error. */
authp_engine* support_engine(authp_config* cfg, const char* json);

/* Evaluates one request. `authorization` NULL means no Authorization header; its length is
 * `authorization_len` (so it may contain NUL bytes). *rc receives authp_engine_evaluate's code. */
authp_decision* support_decide_n(int* rc, const authp_engine* engine, const char* view, const char* method,
                                 const char* authorization, size_t authorization_len);

/* support_decide_n with strlen(authorization); a return code other than AUTHP_OK is a failed check. */
authp_decision* support_decide(const authp_engine* engine, const char* view, const char* method,
                               const char* authorization);

/* "Basic " + base64(user_colon_password), in a static buffer. */
const char* support_basic(const char* user_colon_password);

/* "Token " + key, in a static buffer. */
const char* support_token(const char* key);

/* The value of response header `name` in the decision, or NULL. */
const char* support_header(const authp_decision* d, const char* name);

/* The decision's username, or NULL when the decision has no user. */
const char* support_username(const authp_decision* d);

/* One check that the decision has this status and (when not NULL) this code and detail;
 * a failure reports the caller's file and line. */
void support_check_decision_at(const char* name, const authp_decision* d, int status, const char* code,
                               const char* detail, const char* file, int line);
#define support_check_decision(name, d, status, code, detail) \
    support_check_decision_at((name), (d), (status), (code), (detail), __FILE__, __LINE__)

/* Adds a user to the built-in directory; a failure is a failed check. */
void support_add_user(authp_engine* engine, const char* username, const char* password, unsigned int flags);

#endif /* AUTHP_TESTS_SUPPORT_H */
