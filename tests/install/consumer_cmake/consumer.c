/* Installed-library smoke test: build an engine, add a user, evaluate one Basic request. */
#include <authpolicy.h>
#include <stdio.h>
#include <string.h>

static int fail(const char* what, int rc) {
    fprintf(stderr, "consumer: %s failed: %d %s (%s)\n", what, rc, authp_strerror(rc), authp_error_last());
    return 1;
}

int main(void) {
    static const char config[] =
        "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}";
    static const char authorization[] = "Basic YWxpY2U6c2VjcmV0"; /* alice:secret */
    authp_config* cfg = NULL;
    authp_engine* engine = NULL;
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int rc, status = 1;

    if (authp_abi_version() != AUTHP_ABI_VERSION) {
        fprintf(stderr, "consumer: ABI %d, built against %d\n", authp_abi_version(), AUTHP_ABI_VERSION);
        return 1;
    }
    if ((rc = authp_config_new(&cfg)) != AUTHP_OK) return fail("config_new", rc);
    if ((rc = authp_config_load_json(cfg, config, strlen(config), NULL)) != AUTHP_OK) {
        authp_config_free(cfg);
        return fail("config_load_json", rc);
    }
    rc = authp_engine_new(&engine, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) return fail("engine_new", rc);
    if ((rc = authp_user_add(NULL, engine, "alice", 5, "secret", 6, 0)) != AUTHP_OK) {
        status = fail("user_add", rc);
        goto done;
    }
    if ((rc = authp_request_new(&req, engine)) != AUTHP_OK) {
        status = fail("request_new", rc);
        goto done;
    }
    authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization));
    if ((rc = authp_engine_evaluate(&d, engine, req)) != AUTHP_OK) {
        status = fail("engine_evaluate", rc);
        goto done;
    }
    printf("libauthpolicy %s: %s\n", authp_version_string(), authp_decision_to_json(d, NULL));
    status = authp_decision_status(d) == 200 ? 0 : 1;

done:
    authp_decision_free(d);
    authp_request_free(req);
    authp_engine_free(engine);
    return status;
}
