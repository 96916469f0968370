/* Installed-library smoke test through pkg-config: a token is created, accepted, revoked, refused. */
#include <authpolicy.h>
#include <stdio.h>
#include <string.h>

static int decide(const authp_engine* engine, const char* key) {
    char header[64];
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int status = -1;
    snprintf(header, sizeof header, "Token %s", key);
    if (authp_request_new(&req, engine) != AUTHP_OK) return -1;
    authp_request_add_header(req, "Authorization", 13, header, strlen(header));
    if (authp_engine_evaluate(&d, engine, req) == AUTHP_OK) {
        status = authp_decision_status(d);
        printf("%s\n", authp_decision_to_json(d, NULL));
    }
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

int main(void) {
    static const char config[] =
        "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_AUTHENTICATION_CLASSES\": [\"TokenAuthentication\"],"
        " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}";
    authp_config* cfg = NULL;
    authp_engine* engine = NULL;
    char* key = NULL;
    int ok = 0, rc;

    if (authp_config_new(&cfg) != AUTHP_OK || authp_config_load_json(cfg, config, strlen(config), NULL) != AUTHP_OK) {
        fprintf(stderr, "consumer: configuration failed: %s\n", authp_error_last());
        authp_config_free(cfg);
        return 1;
    }
    rc = authp_engine_new(&engine, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) {
        fprintf(stderr, "consumer: engine failed: %s\n", authp_error_last());
        return 1;
    }
    if (authp_user_add(NULL, engine, "bob", 3, NULL, 0, 0) == AUTHP_OK &&
        authp_token_create(&key, engine, "bob", 3, "ci", 2, 0) == AUTHP_OK) {
        ok = decide(engine, key) == 200;
        ok = ok && authp_token_revoke(engine, key, strlen(key)) == AUTHP_OK;
        ok = ok && decide(engine, key) == 401;
    }
    authp_free(key);
    authp_engine_free(engine);
    printf("libauthpolicy %s via pkg-config: %s\n", authp_version_string(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
