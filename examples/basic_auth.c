/*
 * basic_auth.c — users in the built-in directory, and decisions on HTTP Basic requests.
 *
 * Builds an engine from a JSON policy (DRF's settings), adds three users, and asks the engine
 * about a few requests, printing each decision as a host would act on it.
 */
#include <authpolicy.h>
#include <stdio.h>
#include <string.h>

/* The policy: Basic authentication, IsAuthenticated by default, a staff-only view.
 * PASSWORD_ITERATIONS is lowered so that the example runs instantly; keep the default
 * (1,000,000, as Django) in production. */
static const char kPolicy[] =
    "{\"PASSWORD_ITERATIONS\": 1000,"
    " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"BasicAuthentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
    " \"VIEWS\": {\"admin\": {\"permission_classes\": [\"IsAdminUser\"]}}}";

/* Evaluates one request and prints what the host should answer; returns the status. */
static int decide(const authp_engine* engine, const char* title, const char* view, const char* authorization) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int status = -1;
    size_t i;

    if (authp_request_new(&req, engine) != AUTHP_OK) return -1;
    authp_request_set_method(req, "GET", 3);
    authp_request_set_path(req, "/items", 6);
    if (view) authp_request_set_view(req, view, strlen(view));
    if (authorization) authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization));

    if (authp_engine_evaluate(&d, engine, req) == AUTHP_OK) {
        status = authp_decision_status(d);
        if (authp_decision_allowed(d)) {
            const authp_user* user = authp_decision_user(d);
            printf("%-34s -> %d allowed as %s%s\n", title, status, authp_user_username(user, NULL),
                   authp_user_is_staff(user) ? " (staff)" : "");
        } else {
            printf("%-34s -> %d %s: %s\n", title, status, authp_decision_code(d), authp_decision_detail(d));
        }
        for (i = 0; i < authp_decision_header_count(d); ++i) {
            const char *name, *value;
            if (authp_decision_header(d, i, &name, &value) == AUTHP_OK) printf("%-34s    %s: %s\n", "", name, value);
        }
    } else {
        printf("%-34s -> evaluation failed: %s\n", title, authp_error_last());
    }
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

int main(void) {
    authp_config* cfg = NULL;
    authp_engine* engine = NULL;
    int rc, ok = 1;

    if (authp_config_new(&cfg) != AUTHP_OK || authp_config_load_json(cfg, kPolicy, strlen(kPolicy), NULL) != AUTHP_OK) {
        fprintf(stderr, "policy: %s\n", authp_error_last());
        authp_config_free(cfg);
        return 1;
    }
    rc = authp_engine_new(&engine, cfg);
    authp_config_free(cfg); /* the engine keeps what it needs */
    if (rc != AUTHP_OK) {
        fprintf(stderr, "engine: %s\n", authp_error_last());
        return 1;
    }

    /* Passwords are stored as Django pbkdf2_sha256 hashes. */
    if (authp_user_add(NULL, engine, "alice", 5, "wonderland", 10, 0) != AUTHP_OK ||
        authp_user_add(NULL, engine, "bob", 3, "looking-glass", 13, AUTHP_USER_STAFF) != AUTHP_OK ||
        authp_user_add(NULL, engine, "carol", 5, "cheshire", 8, AUTHP_USER_INACTIVE) != AUTHP_OK) {
        fprintf(stderr, "users: %s\n", authp_error_last());
        authp_engine_free(engine);
        return 1;
    }

    /* base64("alice:wonderland"), base64("alice:queen"), base64("carol:cheshire"), base64("bob:looking-glass") */
    ok &= decide(engine, "alice, right password", NULL, "Basic YWxpY2U6d29uZGVybGFuZA==") == 200;
    ok &= decide(engine, "alice, wrong password", NULL, "Basic YWxpY2U6cXVlZW4=") == 401;
    ok &= decide(engine, "carol (inactive)", NULL, "Basic Y2Fyb2w6Y2hlc2hpcmU=") == 401;
    ok &= decide(engine, "no credentials", NULL, NULL) == 401;
    ok &= decide(engine, "admin view, alice (not staff)", "admin", "Basic YWxpY2U6d29uZGVybGFuZA==") == 403;
    ok &= decide(engine, "admin view, bob (staff)", "admin", "Basic Ym9iOmxvb2tpbmctZ2xhc3M=") == 200;

    authp_engine_free(engine);
    return ok ? 0 : 1;
}
