/*
 * token_auth.c — DRF-style tokens: create one, use it, list it, revoke it.
 *
 * A token key is 40 hex characters returned once by authp_token_create (the caller frees it
 * with authp_free, which zeroises it); the database keeps only its SHA-256 digest.
 */
#include <authpolicy.h>
#include <stdio.h>
#include <string.h>

static const char kPolicy[] =
    "{\"PASSWORD_ITERATIONS\": 1000,"
    " \"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\": \"TokenAuthentication\", \"keyword\": [\"Token\", \"Bearer\"]}],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}";

static int decide(const authp_engine* engine, const char* title, const char* keyword, const char* key) {
    char header[128];
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int status = -1;

    if (authp_request_new(&req, engine) != AUTHP_OK) return -1;
    snprintf(header, sizeof header, "%s %s", keyword, key);
    authp_request_add_header(req, "Authorization", 13, header, strlen(header));
    if (authp_engine_evaluate(&d, engine, req) == AUTHP_OK) {
        status = authp_decision_status(d);
        if (authp_decision_allowed(d))
            printf("%-28s -> %d allowed as %s, auth %s\n", title, status,
                   authp_user_username(authp_decision_user(d), NULL), authp_decision_auth_json(d));
        else
            printf("%-28s -> %d %s: %s\n", title, status, authp_decision_code(d), authp_decision_detail(d));
    }
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

int main(void) {
    authp_config* cfg = NULL;
    authp_engine* engine = NULL;
    char *key = NULL, *listing = NULL;
    int rc, ok = 1;

    if (authp_config_new(&cfg) != AUTHP_OK || authp_config_load_json(cfg, kPolicy, strlen(kPolicy), NULL) != AUTHP_OK) {
        fprintf(stderr, "policy: %s\n", authp_error_last());
        authp_config_free(cfg);
        return 1;
    }
    rc = authp_engine_new(&engine, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) {
        fprintf(stderr, "engine: %s\n", authp_error_last());
        return 1;
    }

    /* A user without a usable password: it can only authenticate with tokens. */
    rc = authp_user_add(NULL, engine, "robot", 5, NULL, 0, 0);
    if (rc == AUTHP_OK) rc = authp_token_create(&key, engine, "robot", 5, "ci-runner", 9, 0 /* never expires */);
    if (rc != AUTHP_OK) {
        fprintf(stderr, "token: %s\n", authp_error_last());
        authp_engine_free(engine);
        return 1;
    }
    printf("created token %.6s… for robot (only its digest is stored)\n", key);
    if (authp_token_list_json(&listing, engine, "robot", 5) == AUTHP_OK) printf("tokens of robot: %s\n", listing);
    authp_free(listing);

    ok &= decide(engine, "Token <key>", "Token", key) == 200;
    ok &= decide(engine, "Bearer <key>", "Bearer", key) == 200;
    ok &= decide(engine, "Token <wrong key>", "Token", "0123456789abcdef0123456789abcdef01234567") == 401;

    ok &= authp_token_revoke(engine, key, strlen(key)) == AUTHP_OK;
    printf("revoked the token\n");
    ok &= decide(engine, "Token <revoked key>", "Token", key) == 401;

    authp_free(key);
    authp_engine_free(engine);
    return ok ? 0 : 1;
}
