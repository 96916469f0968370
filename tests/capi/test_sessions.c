/* Embedded sessions through the C API: login with Set-Cookie values, CSRF with the header and
 * the form field, rotation, logout, logout of every session of a user. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static const char* const kSessionConfig =
    "{\"PASSWORD_ITERATIONS\": 1000,"
    " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"SessionAuthentication\", \"BasicAuthentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
    " \"SESSIONS\": {\"COOKIE_AGE\": 3600, \"COOKIE_SECURE\": true}}";

/* "name=value; …" → value, copied into out. */
static void cookie_value(char* out, size_t cap, const char* set_cookie) {
    const char* eq = strchr(set_cookie, '=');
    const char* end = eq ? strchr(eq, ';') : NULL;
    size_t n = (eq && end) ? (size_t)(end - eq - 1) : 0;
    if (n >= cap) n = cap - 1;
    memcpy(out, eq ? eq + 1 : "", n);
    out[n] = '\0';
}

static authp_decision* decide(const authp_engine* engine, const char* method, const char* key, const char* csrf,
                              const char* header_token, const char* form_token) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    char cookie[256];
    CHECK("sessions", authp_request_new(&req, engine) == AUTHP_OK);
    CHECK("sessions", authp_request_set_method(req, method, strlen(method)) == AUTHP_OK);
    snprintf(cookie, sizeof cookie, "sessionid=%s%s%s", key, csrf ? "; csrftoken=" : "", csrf ? csrf : "");
    CHECK("sessions", authp_request_add_header(req, "Cookie", 6, cookie, strlen(cookie)) == AUTHP_OK);
    if (header_token)
        CHECK("sessions", authp_request_add_header(req, "X-CSRFToken", 11, header_token, strlen(header_token)) == 0);
    if (form_token)
        CHECK("sessions",
              authp_request_set_form_field(req, "csrfmiddlewaretoken", 19, form_token, strlen(form_token)) == 0);
    CHECK("sessions", authp_engine_evaluate(&d, engine, req) == AUTHP_OK);
    authp_request_free(req);
    return d;
}

void test_sessions(void) {
    authp_config* cfg = NULL;
    char* session_cookie = NULL;
    char* csrf_cookie = NULL;
    char* key = NULL;
    char csrf[128];
    char old_key[64];
    authp_decision* d;
    int64_t count = -1;
    CHECK("sessions", authp_config_new(&cfg) == AUTHP_OK);
    authp_engine* engine = support_engine(cfg, kSessionConfig);
    if (!engine) return;
    support_add_user(engine, "ann", "pw", 0);
    support_add_user(engine, "off", "pw", AUTHP_USER_INACTIVE);

    CHECK("sessions", authp_session_login(&session_cookie, &csrf_cookie, &key, engine, "ann", 3, NULL, 0) == AUTHP_OK);
    CHECK("sessions", key != NULL && strlen(key) == 32);
    CHECK("sessions", session_cookie != NULL && strncmp(session_cookie, "sessionid=", 10) == 0);
    CHECK("sessions", strstr(session_cookie, "; HttpOnly; Max-Age=3600; Path=/; SameSite=Lax; Secure") != NULL);
    CHECK("sessions", csrf_cookie != NULL && strncmp(csrf_cookie, "csrftoken=", 10) == 0);
    CHECK("sessions", strstr(csrf_cookie, "HttpOnly") == NULL);
    cookie_value(csrf, sizeof csrf, csrf_cookie);
    CHECK("sessions", strlen(csrf) == 32);

    d = decide(engine, "GET", key, NULL, NULL, NULL);
    support_check_decision("session GET", d, 200, NULL, NULL);
    CHECK("sessions", support_username(d) && strcmp(support_username(d), "ann") == 0);
    CHECK("sessions",
          authp_decision_authenticator(d) && strcmp(authp_decision_authenticator(d), "SessionAuthentication") == 0);
    authp_decision_free(d);

    d = decide(engine, "POST", key, NULL, NULL, NULL);
    support_check_decision("session POST, no CSRF cookie", d, 403, "permission_denied",
                           "CSRF Failed: CSRF cookie not set.");
    CHECK("sessions", authp_decision_header_count(d) == 0);
    authp_decision_free(d);
    d = decide(engine, "POST", key, csrf, NULL, NULL);
    support_check_decision("session POST, no token", d, 403, "permission_denied", "CSRF Failed: CSRF token missing.");
    authp_decision_free(d);
    d = decide(engine, "POST", key, csrf, csrf, NULL);
    support_check_decision("session POST, header", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = decide(engine, "POST", key, csrf, NULL, csrf);
    support_check_decision("session POST, form field", d, 200, NULL, NULL);
    authp_decision_free(d);

    /* Rotation: a second login that names the old key invalidates it. */
    snprintf(old_key, sizeof old_key, "%s", key);
    authp_free(session_cookie);
    authp_free(csrf_cookie);
    authp_free(key);
    CHECK("sessions", authp_session_login(&session_cookie, &csrf_cookie, &key, engine, "ann", 3, old_key,
                                          strlen(old_key)) == AUTHP_OK);
    d = decide(engine, "GET", old_key, NULL, NULL, NULL);
    support_check_decision("rotated-out key", d, 403, "not_authenticated",
                           "Authentication credentials were not provided.");
    authp_decision_free(d);
    d = decide(engine, "GET", key, NULL, NULL, NULL);
    support_check_decision("new key", d, 200, NULL, NULL);
    authp_decision_free(d);

    /* Logout, then logout of every session of the user. */
    CHECK("sessions", authp_session_logout(engine, key, strlen(key)) == AUTHP_OK);
    CHECK("sessions", authp_session_logout(engine, key, strlen(key)) == AUTHP_ENOTFOUND);
    d = decide(engine, "GET", key, NULL, NULL, NULL);
    support_check_decision("logged out", d, 403, NULL, NULL);
    authp_decision_free(d);
    authp_free(session_cookie);
    authp_free(csrf_cookie);
    authp_free(key);
    CHECK("sessions", authp_session_login(&session_cookie, &csrf_cookie, NULL, engine, "ann", 3, NULL, 0) == AUTHP_OK);
    CHECK("sessions", authp_session_logout_user(&count, engine, "ann", 3) == AUTHP_OK);
    CHECK("sessions", count == 1);
    CHECK("sessions", authp_session_logout_user(NULL, engine, "nobody", 6) == AUTHP_ENOTFOUND);
    authp_free(session_cookie);
    authp_free(csrf_cookie);

    /* Errors: unknown or inactive user, NULL outputs. */
    session_cookie = csrf_cookie = NULL;
    CHECK("sessions",
          authp_session_login(&session_cookie, &csrf_cookie, NULL, engine, "nobody", 6, NULL, 0) == AUTHP_ENOTFOUND);
    CHECK("sessions", session_cookie == NULL && csrf_cookie == NULL);
    CHECK("sessions",
          authp_session_login(&session_cookie, &csrf_cookie, NULL, engine, "off", 3, NULL, 0) == AUTHP_EINVALID);
    CHECK("sessions", authp_session_login(NULL, &csrf_cookie, NULL, engine, "ann", 3, NULL, 0) == AUTHP_EMISUSE);
    CHECK("sessions", authp_request_set_form_field(NULL, "a", 1, "b", 1) == AUTHP_EMISUSE);

    authp_engine_free(engine);
    authp_config_free(cfg);
}
