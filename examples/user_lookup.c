/*
 * user_lookup.c — the host keeps its own user directory; the engine asks it through a callback.
 *
 * The callback fills an authp_user_builder (the library copies) and answers AUTHP_OK,
 * AUTHP_ENOTFOUND, or AUTHP_PASSTHROUGH to let the built-in SQLite directory answer instead.
 * Passwords are Django pbkdf2_sha256 hashes, made here with authp_password_hash.
 */
#include <authpolicy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct host_user {
    int64_t id;
    const char* username;
    const char* password; /* only to make the hash below; a real host stores the hash */
    int is_active, is_staff;
    char* hash;
} host_user;

typedef struct host_directory {
    host_user users[3];
    size_t count;
} host_directory;

static int lookup(authp_user_builder* out, authp_lookup_kind kind, const char* username, size_t username_len,
                  int64_t id, void* payload) {
    const host_directory* dir = (const host_directory*)payload;
    size_t i;
    for (i = 0; i < dir->count; ++i) {
        const host_user* u = &dir->users[i];
        const int match = kind == AUTHP_LOOKUP_BY_ID
                              ? u->id == id
                              : strlen(u->username) == username_len && memcmp(u->username, username, username_len) == 0;
        if (!match) continue;
        authp_user_builder_set_id(out, u->id);
        authp_user_builder_set_username(out, u->username, strlen(u->username));
        authp_user_builder_set_flags(out, u->is_active, u->is_staff, 0);
        authp_user_builder_set_password_hash(out, u->hash, strlen(u->hash));
        return AUTHP_OK;
    }
    /* Names starting with "svc-" live in the built-in directory; others do not exist. */
    if (kind == AUTHP_LOOKUP_BY_USERNAME && username_len > 4 && memcmp(username, "svc-", 4) == 0)
        return AUTHP_PASSTHROUGH;
    return AUTHP_ENOTFOUND;
}

static void free_directory(void* payload) {
    host_directory* dir = (host_directory*)payload;
    size_t i;
    for (i = 0; i < dir->count; ++i) authp_free(dir->users[i].hash);
    free(dir);
    printf("host directory released\n");
}

static int decide(const authp_engine* engine, const char* title, const char* authorization) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int status = -1;
    if (authp_request_new(&req, engine) != AUTHP_OK) return -1;
    authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization));
    if (authp_engine_evaluate(&d, engine, req) == AUTHP_OK) {
        const authp_user* user = authp_decision_user(d);
        status = authp_decision_status(d);
        if (authp_decision_allowed(d))
            printf("%-26s -> %d allowed as %s (id %lld)\n", title, status, authp_user_username(user, NULL),
                   (long long)authp_user_id(user));
        else
            printf("%-26s -> %d %s\n", title, status, authp_decision_detail(d));
    } else {
        printf("%-26s -> evaluation failed: %s\n", title, authp_error_last());
    }
    authp_decision_free(d);
    authp_request_free(req);
    return status;
}

int main(void) {
    static const char policy[] =
        "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}";
    host_directory* dir = (host_directory*)calloc(1, sizeof *dir);
    authp_config* cfg = NULL;
    authp_engine* engine = NULL;
    size_t i;
    int rc = AUTHP_OK, ok = 1;

    if (!dir) return 1;
    dir->users[0] = (host_user){501, "dana", "s3cret", 1, 0, NULL};
    dir->users[1] = (host_user){502, "erin", "hunter2", 1, 1, NULL};
    dir->users[2] = (host_user){503, "frank", "gone", 0, 0, NULL};
    dir->count = 3;
    for (i = 0; i < dir->count && rc == AUTHP_OK; ++i)
        rc = authp_password_hash(&dir->users[i].hash, dir->users[i].password, strlen(dir->users[i].password), 1000);
    if (rc != AUTHP_OK) {
        free_directory(dir);
        return 1;
    }

    authp_config_new(&cfg);
    rc = authp_config_set_user_lookup(cfg, lookup, dir, free_directory);
    if (rc != AUTHP_OK) free_directory(dir);
    if (rc == AUTHP_OK) rc = authp_config_load_json(cfg, policy, strlen(policy), NULL);
    if (rc == AUTHP_OK) rc = authp_engine_new(&engine, cfg);
    authp_config_free(cfg);
    if (rc != AUTHP_OK) {
        fprintf(stderr, "setup: %s\n", authp_error_last());
        return 1;
    }
    /* A service account in the built-in directory, reached through AUTHP_PASSTHROUGH. */
    authp_user_add(NULL, engine, "svc-backup", 10, "tape", 4, 0);

    /* base64 of dana:s3cret, dana:wrong, frank:gone, nobody:x, svc-backup:tape */
    ok &= decide(engine, "dana, right password", "Basic ZGFuYTpzM2NyZXQ=") == 200;
    ok &= decide(engine, "dana, wrong password", "Basic ZGFuYTp3cm9uZw==") == 401;
    ok &= decide(engine, "frank (inactive)", "Basic ZnJhbms6Z29uZQ==") == 401;
    ok &= decide(engine, "nobody (unknown)", "Basic bm9ib2R5Ong=") == 401;
    ok &= decide(engine, "svc-backup (built-in)", "Basic c3ZjLWJhY2t1cDp0YXBl") == 200;

    authp_engine_free(engine);
    return ok ? 0 : 1;
}
