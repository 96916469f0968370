/*
 * custom_authenticator.c — an API-key authenticator written in C, plugged in through the
 * versioned vtable (authp_authenticator), next to the built-in Basic authentication.
 *
 * The authenticator reads "X-Api-Key". No header: AUTHP_PASSTHROUGH (the next authenticator
 * runs). A known key: AUTHP_OK with the user and an `auth` value. An unknown key:
 * AUTHP_EAUTHFAILED with a detail. Its challenge() makes failures 401 with WWW-Authenticate.
 */
#include <authpolicy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct api_key {
    const char* key;
    const char* user_json;
    const char* auth_json;
} api_key;

typedef struct key_table {
    const api_key* keys;
    size_t count;
    unsigned long lookups;
} key_table;

static int api_key_authenticate(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    key_table* table = (key_table*)payload;
    const char* value = NULL;
    size_t len = 0, i;

    if (authp_request_header(req, "X-Api-Key", 9, &value, &len) != AUTHP_OK) return AUTHP_PASSTHROUGH;
    ++table->lookups; /* a real host would compare in constant time, against digests */
    for (i = 0; i < table->count; ++i) {
        const api_key* k = &table->keys[i];
        if (strlen(k->key) == len && memcmp(k->key, value, len) == 0) {
            if (authp_authn_set_user_json(ctx, k->user_json, strlen(k->user_json)) != AUTHP_OK) return AUTHP_ERROR;
            if (authp_authn_set_auth_json(ctx, k->auth_json, strlen(k->auth_json)) != AUTHP_OK) return AUTHP_ERROR;
            return AUTHP_OK;
        }
    }
    authp_authn_set_detail(ctx, "Unknown API key.", 16);
    return AUTHP_EAUTHFAILED;
}

static int api_key_challenge(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    static const char challenge[] = "ApiKey realm=\"example\"";
    (void)req;
    (void)payload;
    return authp_authn_set_challenge(ctx, challenge, strlen(challenge));
}

static void free_table(void* payload) {
    key_table* table = (key_table*)payload;
    printf("payload released after %lu key lookups\n", table->lookups);
    free(table);
}

static int decide(const authp_engine* engine, const char* title, const char* api_key_value, const char* authorization) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int status = -1;

    if (authp_request_new(&req, engine) != AUTHP_OK) return -1;
    if (api_key_value) authp_request_add_header(req, "X-Api-Key", 9, api_key_value, strlen(api_key_value));
    if (authorization) authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization));
    if (authp_engine_evaluate(&d, engine, req) == AUTHP_OK) {
        const char *name = NULL, *challenge = NULL;
        status = authp_decision_status(d);
        if (authp_decision_allowed(d)) {
            printf("%-26s -> %d allowed as %s via %s, auth %s\n", title, status,
                   authp_user_username(authp_decision_user(d), NULL), authp_decision_authenticator(d),
                   authp_decision_auth_json(d) ? authp_decision_auth_json(d) : "null");
        } else {
            printf("%-26s -> %d %s: %s\n", title, status, authp_decision_code(d), authp_decision_detail(d));
            if (authp_decision_header_count(d) > 0 && authp_decision_header(d, 0, &name, &challenge) == AUTHP_OK)
                printf("%-26s    %s: %s\n", "", name, challenge);
        }
    }
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

int main(void) {
    static const api_key keys[] = {
        {"k-123", "{\"username\": \"billing-service\", \"id\": 9001, \"attributes\": {\"team\": \"billing\"}}",
         "{\"key_id\": \"k-123\", \"scopes\": [\"invoices:read\"]}"},
    };
    static const char policy[] =
        "{\"PASSWORD_ITERATIONS\": 1000,"
        " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"ApiKeyAuthentication\", \"BasicAuthentication\"],"
        " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}";
    authp_authenticator vtable;
    authp_config* cfg = NULL;
    authp_engine* engine = NULL;
    key_table* table = (key_table*)calloc(1, sizeof *table);
    int rc, ok = 1;

    if (!table) return 1;
    table->keys = keys;
    table->count = sizeof keys / sizeof keys[0];

    /* Initialise through the library, so that fields added in later versions get defaults. */
    authp_authenticator_init(&vtable, AUTHP_AUTHENTICATOR_VERSION);
    vtable.authenticate = api_key_authenticate;
    vtable.challenge = api_key_challenge;

    authp_config_new(&cfg);
    rc = authp_config_add_authenticator(cfg, "ApiKeyAuthentication", &vtable, table, free_table);
    if (rc != AUTHP_OK) free(table); /* a failed registration does not take the payload */
    if (rc == AUTHP_OK) rc = authp_config_load_json(cfg, policy, strlen(policy), NULL);
    if (rc == AUTHP_OK) rc = authp_engine_new(&engine, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) {
        fprintf(stderr, "setup: %s\n", authp_error_last());
        return 1;
    }
    authp_user_add(NULL, engine, "alice", 5, "wonderland", 10, 0);

    ok &= decide(engine, "X-Api-Key: k-123", "k-123", NULL) == 200;
    ok &= decide(engine, "X-Api-Key: stolen", "stolen", NULL) == 401;
    ok &= decide(engine, "no key, Basic alice", NULL, "Basic YWxpY2U6d29uZGVybGFuZA==") == 200;
    ok &= decide(engine, "no credentials", NULL, NULL) == 401;

    authp_engine_free(engine); /* the last owner: free_table runs now */
    return ok ? 0 : 1;
}
