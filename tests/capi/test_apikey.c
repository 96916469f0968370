/* API keys through the C API (docs/api-keys.md): created on the engine's directory handle,
 * decided by APIKeyAuthentication, listed without secrets, revoked at once; a directory whose
 * configuration has no API_KEYS refuses to mint keys. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static const char* const kConfig =
    "{\"PASSWORD_ITERATIONS\": 1000,"
    " \"API_KEYS\": {\"PEPPER_ENV\": \"AUTHP_CAPI_TEST_PEPPER\"},"
    " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"APIKeyAuthentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
    " \"VIEWS\": {\"deploy\": {\"permission_classes\": [\"TokenHasScope\"], \"required_scopes\": [\"deploy\"]}}}";

static const char* api_key_header(const char* key) {
    static char header[128];
    snprintf(header, sizeof header, "Api-Key %s", key);
    return header;
}

void test_apikey(void) {
    setenv("AUTHP_CAPI_TEST_PEPPER", "a C API test pepper of at least thirty-two bytes", 1);
    authp_config* cfg = NULL;
    authp_config_new(&cfg);
    authp_engine* e = support_engine(cfg, kConfig);
    authp_config_free(cfg);
    if (!e) return;
    support_add_user(e, "alice", "pw", 0);
    authp_directory* dir = NULL;
    CHECK_INT("engine directory", authp_engine_directory(&dir, e), AUTHP_OK);

    char* key = NULL;
    CHECK_INT("apikey create", authp_directory_apikey_create(&key, dir, "alice", 5, "ci", 2, "deploy", 6, 0, 0),
              AUTHP_OK);
    CHECK("58 characters, ap_live_", key && strlen(key) == 58 && strncmp(key, "ap_live_", 8) == 0);
    char* test_key = NULL;
    CHECK_INT("apikey create (test)",
              authp_directory_apikey_create(&test_key, dir, "alice", 5, NULL, 0, NULL, 0, 3600, AUTHP_APIKEY_TEST),
              AUTHP_OK);
    CHECK("ap_test_", test_key && strncmp(test_key, "ap_test_", 8) == 0);
    if (!key || !test_key) {
        authp_free(key);
        authp_free(test_key);
        authp_directory_free(dir);
        authp_engine_free(e);
        return;
    }

    authp_decision* d = support_decide(e, "deploy", "GET", api_key_header(key));
    support_check_decision("the key with its scope", d, 200, NULL, NULL);
    CHECK_STR("its user", support_username(d), "alice");
    authp_decision_free(d);
    d = support_decide(e, "deploy", "GET", api_key_header(test_key));
    support_check_decision("no deploy scope", d, 403, NULL, NULL);
    authp_decision_free(d);

    char* list = NULL;
    CHECK_INT("apikey list", authp_directory_apikey_list_json(&list, dir, "alice", 5), AUTHP_OK);
    char selector[13];
    memcpy(selector, key + 8, 12);
    selector[12] = '\0';
    CHECK("the listing names the selector", list && strstr(list, selector) != NULL);
    CHECK("the listing never holds the secret", list && strstr(list, key + 20) == NULL);
    authp_free(list);
    list = NULL;
    CHECK_INT("unknown user", authp_directory_apikey_list_json(&list, dir, "ghost", 5), AUTHP_ENOTFOUND);
    CHECK("no listing on failure", list == NULL);

    CHECK_INT("revoke by key", authp_directory_apikey_revoke(dir, key, strlen(key)), AUTHP_OK);
    d = support_decide(e, "deploy", "GET", api_key_header(key));
    support_check_decision("revoked at once", d, 401, "authentication_failed", "Invalid API key.");
    CHECK_STR("challenge", support_header(d, "WWW-Authenticate"), "Api-Key");
    authp_decision_free(d);
    CHECK_INT("revoked twice", authp_directory_apikey_revoke(dir, selector, 12), AUTHP_ENOTFOUND);
    CHECK_INT("neither key nor selector", authp_directory_apikey_revoke(dir, "nope", 4), AUTHP_EINVALID);
    CHECK("the message does not quote it", strstr(authp_error_last(), "nope") == NULL);

    key[20] = key[20] == 'a' ? 'b' : 'a'; /* a typo: the checksum refuses it */
    d = support_decide(e, NULL, "GET", api_key_header(key));
    support_check_decision("a mistyped key", d, 401, "authentication_failed", "Invalid API key.");
    authp_decision_free(d);

    char* none = (char*)"x";
    CHECK_INT("NULL key_out", authp_directory_apikey_create(NULL, dir, "alice", 5, NULL, 0, NULL, 0, 0, 0),
              AUTHP_EMISUSE);
    CHECK_INT("unknown flags", authp_directory_apikey_create(&none, dir, "alice", 5, NULL, 0, NULL, 0, 0, 2),
              AUTHP_EMISUSE);
    CHECK("cleared on failure", none == NULL);
    CHECK_INT("expires_in < 0", authp_directory_apikey_create(&none, dir, "alice", 5, NULL, 0, NULL, 0, -1, 0),
              AUTHP_EINVALID);
    authp_free(key);
    authp_free(test_key);
    authp_directory_free(dir);
    authp_engine_free(e);

    /* A directory opened from a configuration without API_KEYS cannot mint keys. */
    authp_config* plain = NULL;
    authp_config_new(&plain);
    const char* json = "{\"PASSWORD_ITERATIONS\": 1000}";
    CHECK_INT("load", authp_config_load_json(plain, json, strlen(json), NULL), AUTHP_OK);
    authp_directory* other = NULL;
    CHECK_INT("open", authp_directory_open(&other, plain), AUTHP_OK);
    authp_config_free(plain);
    CHECK_INT("user", authp_directory_user_add(NULL, other, "bob", 3, NULL, 0, 0), AUTHP_OK);
    none = NULL;
    CHECK_INT("no pepper", authp_directory_apikey_create(&none, other, "bob", 3, NULL, 0, NULL, 0, 0, 0),
              AUTHP_ECONFIG);
    CHECK_CONTAINS("says why", authp_error_last(), "API_KEYS");
    authp_directory_free(other);
}
