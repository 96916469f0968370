/* The directory handle (authp_directory_*): opened from a configuration beside an engine, the
 * engine's own handle, and the deprecated 0.1 calls, which are the same calls on the engine's. */
#define _POSIX_C_SOURCE 200809L /* getpid */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static char g_db_path[64];

static const char* config_json(void) {
    static char json[512];
    snprintf(json, sizeof json,
             "{\"DATABASE\": \"%s\", \"PASSWORD_ITERATIONS\": 1000,"
             " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"TokenAuthentication\", \"BasicAuthentication\"],"
             " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"], \"CACHE\": {\"TTL\": 300}}",
             g_db_path);
    return json;
}

static authp_directory* open_dir(void) {
    authp_config* cfg = NULL;
    authp_directory* dir = NULL;
    CHECK_INT("config", authp_config_new(&cfg), AUTHP_OK);
    CHECK_INT("load", authp_config_load_json(cfg, config_json(), strlen(config_json()), NULL), AUTHP_OK);
    CHECK_INT("authp_directory_open", authp_directory_open(&dir, cfg), AUTHP_OK);
    authp_config_free(cfg); /* the directory does not need it afterwards */
    return dir;
}

static void handle_cases(void) {
    authp_directory* dir = open_dir();
    if (!dir) return;
    int current = -1, latest = -1;
    CHECK_INT("schema", authp_directory_schema(&current, &latest, dir), AUTHP_OK);
    CHECK("schema is current", current == latest && latest > 0);
    CHECK_INT("migrate is idempotent", authp_directory_migrate(dir), AUTHP_OK);

    int64_t id = 0;
    CHECK_INT("user add", authp_directory_user_add(&id, dir, "alice", 5, "pw", 2, AUTHP_USER_STAFF), AUTHP_OK);
    CHECK("user id", id > 0);
    CHECK_INT("taken name", authp_directory_user_add(NULL, dir, "alice", 5, NULL, 0, 0), AUTHP_EEXISTS);
    CHECK_INT("a name with a space", authp_directory_user_add(NULL, dir, "a b", 3, NULL, 0, 0), AUTHP_EINVALID);
    CHECK_INT("unknown user", authp_directory_user_set_active(dir, "ghost", 5, 0), AUTHP_ENOTFOUND);
    CHECK_INT("roles", authp_directory_user_set_roles(dir, "alice", 5, 1, 0), AUTHP_OK);

    char* key = NULL;
    CHECK_INT("token create", authp_directory_token_create(&key, dir, "alice", 5, "ci", 2, 0), AUTHP_OK);
    CHECK("40 hex characters", key && strlen(key) == 40);
    char* list = NULL;
    CHECK_INT("token list", authp_directory_token_list_json(&list, dir, NULL, 0), AUTHP_OK);
    CHECK("the listing never holds the key", list && key && strstr(list, key) == NULL);
    authp_free(list);
    list = NULL;
    CHECK_INT("token list of an unknown user", authp_directory_token_list_json(&list, dir, "ghost", 5),
              AUTHP_ENOTFOUND);
    CHECK("no listing on failure", list == NULL);

    /* An engine on the same file: a handle opened elsewhere is not told of revocations (SQLite),
     * so the engine's own handle is what reaches its caches at once. */
    authp_config* engine_cfg = NULL;
    authp_config_new(&engine_cfg);
    authp_engine* e = support_engine(engine_cfg, config_json());
    if (e && key) {
        char header[64];
        snprintf(header, sizeof header, "Token %s", key);
        authp_decision* d = support_decide(e, NULL, "GET", header);
        support_check_decision("the token works", d, 200, NULL, NULL);
        authp_decision_free(d);
        authp_directory* own = NULL;
        CHECK_INT("authp_engine_directory", authp_engine_directory(&own, e), AUTHP_OK);
        CHECK_INT("revoke through the engine's directory", authp_directory_token_revoke(own, key, strlen(key)),
                  AUTHP_OK);
        d = support_decide(e, NULL, "GET", header);
        support_check_decision("revoked at once, though the cache TTL is 300 s", d, 401, "authentication_failed",
                               "Invalid token.");
        authp_decision_free(d);
        CHECK_INT("revoking twice", authp_directory_token_revoke(own, key, strlen(key)), AUTHP_ENOTFOUND);

        /* The deprecated 0.1 call is the same call on the engine's directory. */
        char* key2 = NULL;
        CHECK_INT("deprecated authp_token_create", authp_token_create(&key2, e, "alice", 5, NULL, 0, 0), AUTHP_OK);
        if (key2) {
            CHECK_INT("seen by the directory handle", authp_directory_token_revoke(dir, key2, strlen(key2)), AUTHP_OK);
            authp_free(key2);
        }
        authp_directory_free(own);
    }
    authp_engine_free(e);
    authp_config_free(engine_cfg);

    char* oauth = NULL;
    CHECK_INT("oauth create", authp_directory_oauth_token_create(&oauth, dir, "alice", 5, "cli", 3, "read", 4, 60),
              AUTHP_OK);
    CHECK("43 characters", oauth && strlen(oauth) == 43);
    if (oauth) CHECK_INT("oauth revoke", authp_directory_oauth_token_revoke(dir, oauth, strlen(oauth)), AUTHP_OK);
    authp_free(oauth);

    int64_t count = -1;
    CHECK_INT("logout everywhere", authp_directory_session_logout_user(&count, dir, "alice", 5), AUTHP_OK);
    CHECK_INT("no sessions", count, 0);
    CHECK_INT("purge", authp_directory_session_purge(&count, dir), AUTHP_OK);
    CHECK_INT("user delete", authp_directory_user_delete(dir, "alice", 5), AUTHP_OK);
    CHECK_INT("user delete twice", authp_directory_user_delete(dir, "alice", 5), AUTHP_ENOTFOUND);
    CHECK_INT("user list", authp_directory_user_list_json(&list, dir), AUTHP_OK);
    CHECK_STR("nobody left", list, "[]");
    authp_free(list);
    authp_free(key);
    authp_directory_free(dir);
}

static void misuse_cases(void) {
    authp_directory* dir = (authp_directory*)1;
    CHECK_INT("open without out", authp_directory_open(NULL, NULL), AUTHP_EMISUSE);
    CHECK_INT("open without config", authp_directory_open(&dir, NULL), AUTHP_EMISUSE);
    CHECK("out cleared", dir == NULL);
    authp_config* cfg = NULL;
    authp_config_new(&cfg);
    CHECK_INT("open before a configuration is loaded", authp_directory_open(&dir, cfg), AUTHP_EMISUSE);
    authp_config_free(cfg);
    CHECK_INT("NULL directory", authp_directory_user_add(NULL, NULL, "a", 1, NULL, 0, 0), AUTHP_EMISUSE);
    CHECK_INT("NULL engine", authp_engine_directory(&dir, NULL), AUTHP_EMISUSE);
    authp_directory_free(NULL); /* a no-op, as free() */
}

void test_directory(void) {
    check_section("directory handle");
    snprintf(g_db_path, sizeof g_db_path, "/tmp/authp-capi-dir-%ld.sqlite3", (long)getpid());
    handle_cases();
    misuse_cases();
    const char* suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; ++i) {
        char path[80];
        snprintf(path, sizeof path, "%s%s", g_db_path, suffixes[i]);
        remove(path);
    }
}
