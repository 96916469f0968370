/* Errors and misuse: configuration errors, NULL arguments, limits, the store, versions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static int load(authp_config* cfg, const char* json) {
    return authp_config_load_json(cfg, json, strlen(json), NULL);
}

static void config_error_cases(void) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    int rc;

    check_section("errors: configuration");
    authp_config_new(&cfg);
    rc = load(cfg, "{\"VIEWS\": ");
    CHECK_INT("config not JSON -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    CHECK("config not JSON -> message", authp_error_last()[0] != '\0');
    rc = load(cfg, "[1, 2]");
    CHECK_INT("config not an object -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    rc = load(cfg, "{\"VIEWS\": {\"x\": {\"bogus\": 1}}}");
    CHECK_INT("config unknown view key -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    CHECK_CONTAINS("config unknown view key -> names $.VIEWS.x.bogus", authp_error_last(), "$.VIEWS.x.bogus");
    rc = load(cfg, "{\"NOPE\": 1}");
    CHECK_CONTAINS("config unknown top-level key -> names $.NOPE", rc == AUTHP_ECONFIG ? authp_error_last() : "",
                   "$.NOPE");
    rc = load(cfg, "{\"PASSWORD_ITERATIONS\": \"many\"}");
    CHECK_CONTAINS("config wrong type -> names $.PASSWORD_ITERATIONS", rc == AUTHP_ECONFIG ? authp_error_last() : "",
                   "$.PASSWORD_ITERATIONS");
    rc = load(cfg, "{\"DEFAULT_PERMISSION_CLASSES\": [\"IsWizard\"]}");
    CHECK_INT("config unknown permission class -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    CHECK_CONTAINS("config unknown permission class -> names the place", authp_error_last(),
                   "$.DEFAULT_PERMISSION_CLASSES[0]");
    CHECK_CONTAINS("config unknown permission class -> names the class", authp_error_last(), "IsWizard");
    rc = load(cfg, "{\"VIEWS\": {\"v\": {\"permission_classes\": [{\"and\": []}]}}}");
    CHECK_CONTAINS("config empty and -> names the place", rc == AUTHP_ECONFIG ? authp_error_last() : "",
                   "$.VIEWS.v.permission_classes[0].and");
    {
        /* docs/limits.md: configuration JSON nests at most 64 levels. */
        char deep[256];
        int i, o = sprintf(deep, "{\"UNAUTHENTICATED_TOKEN\": ");
        for (i = 0; i < 100; ++i) deep[o++] = '[';
        for (i = 0; i < 100; ++i) deep[o++] = ']';
        deep[o++] = '}';
        deep[o] = '\0';
        rc = load(cfg, deep);
        CHECK_INT("config nested 101 levels deep -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    }
    rc = load(cfg, "{\"UNAUTHENTICATED_USER\": \"root\"}");
    CHECK_INT("config bad UNAUTHENTICATED_USER -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);

    /* Authentication classes are resolved when the engine is built (custom ones register late). */
    rc = load(cfg, "{\"DEFAULT_AUTHENTICATION_CLASSES\": [\"BasicAuthentication\", \"Kerberos\"]}");
    CHECK_INT("config unknown authentication class -> loads", rc, AUTHP_OK);
    e = (authp_engine*)&rc; /* must be reset to NULL on failure */
    rc = authp_engine_new(&e, cfg);
    CHECK_INT("config unknown authentication class -> engine AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    CHECK("config unknown authentication class -> *out NULL", e == NULL);
    CHECK_CONTAINS("config unknown authentication class -> names the place", authp_error_last(),
                   "$.DEFAULT_AUTHENTICATION_CLASSES[1]");
    CHECK_CONTAINS("config unknown authentication class -> names the class", authp_error_last(), "Kerberos");
    rc = load(cfg, "{\"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\": \"BasicAuthentication\", \"realm\": 1}]}");
    if (rc == AUTHP_OK) rc = authp_engine_new(&e, cfg);
    CHECK_CONTAINS("config bad realm -> names the option", rc == AUTHP_ECONFIG ? authp_error_last() : "",
                   "$.DEFAULT_AUTHENTICATION_CLASSES[0].realm");
    rc = load(cfg, "{\"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\": \"TokenAuthentication\", \"kw\": \"x\"}]}");
    if (rc == AUTHP_OK) rc = authp_engine_new(&e, cfg);
    CHECK_CONTAINS("config unknown option -> names the option", rc == AUTHP_ECONFIG ? authp_error_last() : "",
                   "$.DEFAULT_AUTHENTICATION_CLASSES[0].kw");
    authp_error_clear();
    CHECK_STR("error_clear -> empty message", authp_error_last(), "");

    rc = authp_config_load_file(cfg, "/nonexistent-authp-test/authpolicy.json");
    CHECK_INT("config file missing -> AUTHP_ECONFIG", rc, AUTHP_ECONFIG);
    authp_config_free(cfg);
}

static void store_error_cases(void) {
    static const char* const missing_dir = "/nonexistent-authp-test-dir/sub/auth.sqlite3";
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    char json[256];
    int rc;

    check_section("errors: database");
    authp_config_new(&cfg);
    snprintf(json, sizeof json, "{\"DATABASE\": \"%s\"}", missing_dir);
    rc = load(cfg, json);
    CHECK_INT("database in a missing directory -> config loads", rc, AUTHP_OK);
    rc = authp_engine_new(&e, cfg);
    CHECK_INT("database in a missing directory -> AUTHP_ESTORE", rc, AUTHP_ESTORE);
    CHECK("database in a missing directory -> *out NULL", e == NULL);
    CHECK_CONTAINS("database in a missing directory -> message names the path", authp_error_last(), missing_dir);
    authp_engine_free(e);
    authp_config_free(cfg);
}

static void directory_cases(void) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    char *users = NULL, *tokens = NULL, *bob_tokens = NULL, *key = NULL;
    int64_t id = 0, id2 = 0;
    int rc;

    check_section("errors: built-in directory");
    authp_config_new(&cfg);
    e = support_engine(cfg, "{\"PASSWORD_ITERATIONS\": 1000}");
    if (!e) goto done;
    rc = authp_user_add(&id, e, "alice", 5, "wonderland", 10, AUTHP_USER_STAFF);
    CHECK("user add -> OK with an id", rc == AUTHP_OK && id > 0);
    rc = authp_user_add(&id2, e, "alice", 5, "other", 5, 0);
    CHECK_INT("user add duplicate username -> AUTHP_EEXISTS", rc, AUTHP_EEXISTS);
    rc = authp_user_add(NULL, e, "bob", 3, NULL, 0, 0);
    CHECK_INT("user add with unusable password -> OK", rc, AUTHP_OK);
    rc = authp_user_add(NULL, e, "has space", 9, "x", 1, 0);
    CHECK_INT("user add with a space -> AUTHP_EINVALID", rc, AUTHP_EINVALID);
    rc = authp_user_add(NULL, e, "a:b", 3, "x", 1, 0);
    CHECK_INT("user add with a colon -> AUTHP_EINVALID", rc, AUTHP_EINVALID);
    rc = authp_user_add(NULL, e, "", 0, "x", 1, 0);
    CHECK_INT("user add empty username -> AUTHP_EINVALID", rc, AUTHP_EINVALID);
    CHECK_INT("user set password unknown user -> AUTHP_ENOTFOUND", authp_user_set_password(e, "ghost", 5, "x", 1),
              AUTHP_ENOTFOUND);
    CHECK_INT("user set active unknown user -> AUTHP_ENOTFOUND", authp_user_set_active(e, "ghost", 5, 0),
              AUTHP_ENOTFOUND);
    CHECK_INT("user set roles -> OK", authp_user_set_roles(e, "bob", 3, 1, 1), AUTHP_OK);
    rc = authp_token_create(&key, e, "ghost", 5, NULL, 0, 0);
    CHECK("token create for unknown user -> AUTHP_ENOTFOUND, key NULL", rc == AUTHP_ENOTFOUND && key == NULL);
    rc = authp_token_create(&key, e, "alice", 5, "laptop", 6, -1);
    CHECK("token create negative expiry -> AUTHP_EINVALID", rc == AUTHP_EINVALID && key == NULL);
    /* The header says the token name may be NULL. */
    rc = authp_token_create(&key, e, "alice", 5, NULL, 0, 0);
    check_record(rc == AUTHP_OK && key != NULL, "token create with a NULL name -> OK with a key",
                 check_fmt("rc %d (%s): %s", rc, authp_strerror(rc), authp_error_last()), __FILE__, __LINE__);
    authp_free(key);
    key = NULL;
    rc = authp_token_create(&key, e, "alice", 5, "laptop", 6, 3600);
    CHECK_INT("token create -> OK", rc, AUTHP_OK);
    if (rc != AUTHP_OK || !key) goto done;

    rc = authp_user_list_json(&users, e);
    CHECK_INT("user list -> OK", rc, AUTHP_OK);
    CHECK_CONTAINS("user list -> names alice", users, "\"alice\"");
    CHECK("user list -> no password hash",
          users && strstr(users, "pbkdf2") == NULL && strstr(users, "$") == NULL && strstr(users, "password") == NULL);
    rc = authp_token_list_json(&tokens, e, NULL, 0);
    CHECK_INT("token list -> OK", rc, AUTHP_OK);
    CHECK_CONTAINS("token list -> names the token", tokens, "laptop");
    CHECK("token list -> no token key", tokens && strstr(tokens, key) == NULL);
    CHECK("token list -> no digest field", tokens && strstr(tokens, "digest") == NULL);
    rc = authp_token_list_json(&bob_tokens, e, "bob", 3);
    CHECK("token list for bob -> empty array", rc == AUTHP_OK && bob_tokens && strcmp(bob_tokens, "[]") == 0);
    {
        char* none = (char*)"sentinel";
        rc = authp_token_list_json(&none, e, "nobody", 6);
        CHECK_INT("token list for an unknown user -> AUTHP_ENOTFOUND", rc, AUTHP_ENOTFOUND);
        CHECK("token list for an unknown user -> *out NULL", none == NULL);
    }

done:
    authp_free(users);
    authp_free(tokens);
    authp_free(bob_tokens);
    authp_free(key);
    authp_engine_free(e);
    authp_config_free(cfg);
}

static void request_error_cases(void) {
    authp_config* cfg = NULL;
    authp_config* cfg2 = NULL;
    authp_engine *e = NULL, *other = NULL;
    authp_request* req = NULL;
    authp_decision* d = NULL;
    char* big = NULL;
    int rc;

    check_section("errors: requests");
    authp_config_new(&cfg);
    e = support_engine(cfg,
                       "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_AUTHENTICATION_CLASSES\": "
                       "[\"BasicAuthentication\", \"TokenAuthentication\"], \"VIEWS\": {\"v\": {}}}");
    authp_config_new(&cfg2);
    other = support_engine(cfg2, "{}");
    if (!e || !other) goto done;

    authp_request_new(&req, e);
    authp_request_set_view(req, "missing", 7);
    d = (authp_decision*)&rc; /* must be reset to NULL */
    rc = authp_engine_evaluate(&d, e, req);
    CHECK_INT("unknown view -> AUTHP_ENOTFOUND", rc, AUTHP_ENOTFOUND);
    CHECK("unknown view -> *out NULL", d == NULL);
    CHECK_CONTAINS("unknown view -> message names the view", authp_error_last(), "missing");
    {
        const authp_user* user = NULL;
        CHECK_INT("unknown view -> request_user AUTHP_ENOTFOUND", authp_request_user(&user, req), AUTHP_ENOTFOUND);
    }
    authp_request_set_view(req, "v\0x", 3);
    rc = authp_engine_evaluate(&d, e, req);
    CHECK("view name with a NUL byte -> not truncated, AUTHP_ENOTFOUND", rc == AUTHP_ENOTFOUND && d == NULL);
    authp_request_set_view(req, "", 0);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("empty view -> default policy", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = NULL;

    rc = authp_engine_evaluate(&d, other, req);
    CHECK("request of another engine -> AUTHP_EMISUSE, *out NULL", rc == AUTHP_EMISUSE && d == NULL);
    authp_request_free(req);
    req = NULL;

    /* Oversize input is answered 400, never an error code. */
    big = (char*)malloc(8200);
    if (!big) goto done;
    memcpy(big, "Token ", 6);
    memset(big + 6, 'a', 8200 - 6);
    d = support_decide_n(&rc, e, NULL, "GET", big, 8193);
    CHECK_INT("oversize header (8193 bytes) -> evaluate OK", rc, AUTHP_OK);
    support_check_decision("oversize header (8193 bytes) -> 400 parse_error", d, 400, "parse_error",
                           "Request header exceeds 8192 bytes.");
    authp_decision_free(d);
    d = support_decide_n(&rc, e, NULL, "GET", big, 8192);
    support_check_decision("header of exactly 8192 bytes -> not oversize (Invalid token.)", d, 401,
                           "authentication_failed", "Invalid token.");
    authp_decision_free(d);
    d = NULL;
    authp_request_new(&req, e);
    authp_request_set_path(req, big, 8193);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("oversize path -> 400 parse_error", d, 400, "parse_error",
                           "Request path exceeds 8192 bytes.");
    authp_decision_free(d);
    d = NULL;
    authp_request_reset(req);
    authp_request_add_header(req, "X-A", 3, big, 5000);
    authp_request_add_header(req, "x-a", 3, big, 5000);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("repeated header joined beyond 8192 -> 400 parse_error", d, 400, "parse_error", NULL);
    authp_decision_free(d);
    d = NULL;
    /* docs/limits.md: at most 100 *distinct* headers; a repeat is joined, not counted. */
    authp_request_reset(req);
    {
        char name[16];
        int i;
        for (i = 0; i < 100; ++i)
            authp_request_add_header(req, name, (size_t)snprintf(name, sizeof name, "X-H%d", i), "v", 1);
    }
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("100 distinct headers -> accepted", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = NULL;
    authp_request_add_header(req, "x-h7", 4, "w", 1);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("100 distinct headers plus a repeat of one -> accepted (still 100 distinct)", d, 200, NULL,
                           NULL);
    authp_decision_free(d);
    d = NULL;
    authp_request_reset(req);
    authp_request_add_header(req, "X-I", 3, "v", 1);
    {
        char name[16];
        int i;
        for (i = 0; i < 100; ++i)
            authp_request_add_header(req, name, (size_t)snprintf(name, sizeof name, "X-J%d", i), "v", 1);
    }
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("101 distinct headers -> 400 parse_error", d, 400, "parse_error",
                           "Request has more than 100 headers.");
    authp_decision_free(d);
    d = NULL;
    /* docs/limits.md: header names are capped at 256 bytes; the detail names the cap. */
    authp_request_reset(req);
    authp_request_add_header(req, big, 256, "v", 1);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("header name of 256 bytes -> accepted", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = NULL;
    authp_request_reset(req);
    authp_request_add_header(req, big, 257, "v", 1);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("header name of 257 bytes -> 400 parse_error", d, 400, "parse_error", NULL);
    CHECK_CONTAINS("header name of 257 bytes -> the detail names the 256-byte cap", authp_decision_detail(d), "256");
    authp_decision_free(d);
    d = NULL;

    authp_request_reset(req);
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("request reset clears the oversize mark", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = NULL;

    /* Header names are case-insensitive; repeats are joined with ", ". */
    {
        const char* value = NULL;
        size_t n = 0;
        authp_request_add_header(req, "X-Thing", 7, "a", 1);
        authp_request_add_header(req, "x-thing", 7, "b\0c", 3);
        rc = authp_request_header(req, "X-THING", 7, &value, &n);
        CHECK("request header -> joined with \", \", NUL kept",
              rc == AUTHP_OK && n == 6 && memcmp(value, "a, b\0c", 6) == 0);
        CHECK_INT("request header missing -> AUTHP_ENOTFOUND", authp_request_header(req, "Nope", 4, &value, &n),
                  AUTHP_ENOTFOUND);
        CHECK_INT("request header empty name -> AUTHP_EINVALID", authp_request_add_header(req, "", 0, "x", 1),
                  AUTHP_EINVALID);
    }

done:
    free(big);
    authp_decision_free(d);
    authp_request_free(req);
    authp_engine_free(e);
    authp_engine_free(other);
    authp_config_free(cfg);
    authp_config_free(cfg2);
}

static int dummy_lookup(authp_user_builder* out, authp_lookup_kind kind, const char* username, size_t len, int64_t id,
                        void* payload) {
    (void)out, (void)kind, (void)username, (void)len, (void)id, (void)payload;
    return AUTHP_ENOTFOUND;
}

static double dummy_clock(void* payload) {
    (void)payload;
    return 0;
}

static int dummy_authenticate(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    (void)ctx, (void)req, (void)payload;
    return AUTHP_PASSTHROUGH;
}

static int null_frees;
static void count_free(void* payload) {
    (void)payload;
    ++null_frees;
}

static void null_argument_cases(void) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_request* req = NULL;
    authp_decision* d = NULL;
    const authp_user* user = NULL;
    const char* text = NULL;
    char* owned = NULL;
    int matches = 0;
    size_t len = 99;
    int rc;
    authp_authenticator vt = AUTHP_AUTHENTICATOR_INIT;
    vt.authenticate = dummy_authenticate;

    check_section("errors: NULL arguments");
    authp_config_new(&cfg);
    e = support_engine(cfg, "{\"PASSWORD_ITERATIONS\": 1000}");
    if (!e) goto done;
    authp_request_new(&req, e);

    CHECK_INT("NULL config_new out -> EMISUSE", authp_config_new(NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL config_load_json cfg -> EMISUSE", authp_config_load_json(NULL, "{}", 2, NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL config_load_json json -> EMISUSE", authp_config_load_json(cfg, NULL, 2, NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL config_load_file -> EMISUSE", authp_config_load_file(cfg, NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL config_load_file cfg -> EMISUSE", authp_config_load_file(NULL, "x.json"), AUTHP_EMISUSE);
    CHECK_INT("NULL config_set_user_lookup cfg -> EMISUSE",
              authp_config_set_user_lookup(NULL, dummy_lookup, NULL, count_free), AUTHP_EMISUSE);
    CHECK_INT("NULL config_set_password_verifier cfg -> EMISUSE",
              authp_config_set_password_verifier(NULL, NULL, NULL, count_free), AUTHP_EMISUSE);
    CHECK_INT("NULL config_set_clock cfg -> EMISUSE", authp_config_set_clock(NULL, dummy_clock, NULL, count_free),
              AUTHP_EMISUSE);
    CHECK_INT("NULL config_add_authenticator cfg -> EMISUSE",
              authp_config_add_authenticator(NULL, "X", &vt, NULL, count_free), AUTHP_EMISUSE);
    CHECK_INT("NULL config_add_authenticator name -> EMISUSE",
              authp_config_add_authenticator(cfg, NULL, &vt, NULL, count_free), AUTHP_EMISUSE);
    CHECK_INT("NULL config_add_authenticator vtable -> EMISUSE",
              authp_config_add_authenticator(cfg, "X", NULL, NULL, count_free), AUTHP_EMISUSE);
    CHECK_INT("NULL registrations -> payload destructor not called", null_frees, 0);
    CHECK_INT("NULL authenticator_init -> EMISUSE", authp_authenticator_init(NULL, 1), AUTHP_EMISUSE);

    {
        authp_engine* out = NULL;
        rc = authp_engine_new(NULL, cfg);
        CHECK_INT("NULL engine_new out -> EMISUSE", rc, AUTHP_EMISUSE);
        rc = authp_engine_new(&out, NULL);
        CHECK("NULL engine_new config -> EMISUSE", rc == AUTHP_EMISUSE && out == NULL);
    }
    CHECK_INT("NULL engine_has_view -> 0", authp_engine_has_view(NULL, "v", 1), 0);
    CHECK_INT("NULL engine_has_view name -> 0", authp_engine_has_view(e, NULL, 3), 0);
    authp_engine_invalidate_caches(NULL);
    CHECK_INT("NULL request_new out -> EMISUSE", authp_request_new(NULL, e), AUTHP_EMISUSE);
    {
        authp_request* r = NULL;
        CHECK("NULL request_new engine -> EMISUSE", authp_request_new(&r, NULL) == AUTHP_EMISUSE && r == NULL);
    }
    rc = authp_engine_evaluate(NULL, e, req);
    CHECK_INT("NULL evaluate out -> EMISUSE", rc, AUTHP_EMISUSE);
    rc = authp_engine_evaluate(&d, NULL, req);
    CHECK("NULL evaluate engine -> EMISUSE, *out NULL", rc == AUTHP_EMISUSE && d == NULL);
    rc = authp_engine_evaluate(&d, e, NULL);
    CHECK("NULL evaluate request -> EMISUSE, *out NULL", rc == AUTHP_EMISUSE && d == NULL);

    CHECK_INT("NULL request_set_method request -> EMISUSE", authp_request_set_method(NULL, "GET", 3), AUTHP_EMISUSE);
    CHECK_INT("NULL request_set_method value -> EMISUSE", authp_request_set_method(req, NULL, 3), AUTHP_EMISUSE);
    CHECK_INT("NULL request_set_method value of length 0 -> OK", authp_request_set_method(req, NULL, 0), AUTHP_OK);
    CHECK_INT("NULL request_set_path -> EMISUSE", authp_request_set_path(NULL, "/", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL request_set_view -> EMISUSE", authp_request_set_view(NULL, "v", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL request_set_remote_addr -> EMISUSE", authp_request_set_remote_addr(NULL, "::1", 3), AUTHP_EMISUSE);
    CHECK_INT("NULL request_set_remote_user -> EMISUSE", authp_request_set_remote_user(NULL, "u", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL request_set_secure -> EMISUSE", authp_request_set_secure(NULL, 1), AUTHP_EMISUSE);
    CHECK_INT("NULL request_add_header request -> EMISUSE", authp_request_add_header(NULL, "A", 1, "b", 1),
              AUTHP_EMISUSE);
    CHECK_INT("NULL request_add_header name -> EMISUSE", authp_request_add_header(req, NULL, 1, "b", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL request_add_header value -> EMISUSE", authp_request_add_header(req, "A", 1, NULL, 1),
              AUTHP_EMISUSE);
    CHECK_INT("NULL request_header request -> EMISUSE", authp_request_header(NULL, "A", 1, &text, &len), AUTHP_EMISUSE);
    CHECK_INT("NULL request_authenticate -> EMISUSE", authp_request_authenticate(NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL request_user out -> EMISUSE", authp_request_user(NULL, req), AUTHP_EMISUSE);
    CHECK_INT("NULL request_user request -> EMISUSE", authp_request_user(&user, NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL request_auth_json out -> EMISUSE", authp_request_auth_json(NULL, req), AUTHP_EMISUSE);
    CHECK_INT("NULL request_auth_json request -> EMISUSE", authp_request_auth_json(&text, NULL), AUTHP_EMISUSE);
    CHECK("NULL request accessors -> \"\" and length 0",
          strcmp(authp_request_method(NULL, &len), "") == 0 && len == 0 &&
              strcmp(authp_request_path(NULL, NULL), "") == 0 && strcmp(authp_request_view(NULL, NULL), "") == 0 &&
              strcmp(authp_request_remote_addr(NULL, NULL), "") == 0 &&
              strcmp(authp_request_remote_user(NULL, NULL), "") == 0 && authp_request_is_secure(NULL) == 0);
    CHECK("NULL request status accessors -> NOT_RUN / NULL", authp_request_auth_status(NULL) == AUTHP_AUTH_NOT_RUN &&
                                                                 authp_request_authenticator(NULL) == NULL &&
                                                                 authp_request_auth_failure(NULL) == NULL);
    CHECK("NULL decision accessors -> neutral values",
          authp_decision_allowed(NULL) == 0 && authp_decision_status(NULL) == 0 && authp_decision_code(NULL) == NULL &&
              authp_decision_detail(NULL) == NULL && authp_decision_header_count(NULL) == 0 &&
              authp_decision_user(NULL) == NULL && authp_decision_auth_json(NULL) == NULL &&
              authp_decision_authenticator(NULL) == NULL && authp_decision_to_json(NULL, &len) == NULL && len == 0);
    CHECK("NULL decision_header -> an error code, not OK", authp_decision_header(NULL, 0, &text, &text) < 0);
    CHECK("NULL user accessors -> neutral values",
          authp_user_has_id(NULL) == 0 && authp_user_id(NULL) == 0 &&
              strcmp(authp_user_username(NULL, &len), "") == 0 && len == 0 && authp_user_is_authenticated(NULL) == 0 &&
              authp_user_is_active(NULL) == 0 && authp_user_is_staff(NULL) == 0 && authp_user_is_superuser(NULL) == 0 &&
              strcmp(authp_user_attributes_json(NULL), "{}") == 0 && strcmp(authp_user_to_json(NULL), "null") == 0);

    CHECK_INT("NULL user_builder_set_id -> EMISUSE", authp_user_builder_set_id(NULL, 1), AUTHP_EMISUSE);
    CHECK_INT("NULL user_builder_set_username -> EMISUSE", authp_user_builder_set_username(NULL, "a", 1),
              AUTHP_EMISUSE);
    CHECK_INT("NULL user_builder_set_flags -> EMISUSE", authp_user_builder_set_flags(NULL, 1, 0, 0), AUTHP_EMISUSE);
    CHECK_INT("NULL user_builder_set_password_hash -> EMISUSE", authp_user_builder_set_password_hash(NULL, "x", 1),
              AUTHP_EMISUSE);
    CHECK_INT("NULL user_builder_set_attributes_json -> EMISUSE", authp_user_builder_set_attributes_json(NULL, "{}", 2),
              AUTHP_EMISUSE);
    CHECK_INT("NULL authn_set_user_json -> EMISUSE", authp_authn_set_user_json(NULL, "{}", 2), AUTHP_EMISUSE);
    CHECK_INT("NULL authn_set_auth_json -> EMISUSE", authp_authn_set_auth_json(NULL, "{}", 2), AUTHP_EMISUSE);
    CHECK_INT("NULL authn_set_detail -> EMISUSE", authp_authn_set_detail(NULL, "x", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL authn_set_challenge -> EMISUSE", authp_authn_set_challenge(NULL, "x", 1), AUTHP_EMISUSE);

    CHECK_INT("NULL user_add engine -> EMISUSE", authp_user_add(NULL, NULL, "a", 1, "b", 1, 0), AUTHP_EMISUSE);
    CHECK_INT("NULL user_add username -> EMISUSE", authp_user_add(NULL, e, NULL, 1, "b", 1, 0), AUTHP_EMISUSE);
    CHECK_INT("NULL user_set_password -> EMISUSE", authp_user_set_password(NULL, "a", 1, "b", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL user_set_active -> EMISUSE", authp_user_set_active(NULL, "a", 1, 1), AUTHP_EMISUSE);
    CHECK_INT("NULL user_set_roles -> EMISUSE", authp_user_set_roles(NULL, "a", 1, 1, 1), AUTHP_EMISUSE);
    CHECK_INT("NULL user_list_json out -> EMISUSE", authp_user_list_json(NULL, e), AUTHP_EMISUSE);
    CHECK("NULL user_list_json engine -> EMISUSE, *out NULL",
          authp_user_list_json(&owned, NULL) == AUTHP_EMISUSE && owned == NULL);
    CHECK_INT("NULL token_create out -> EMISUSE", authp_token_create(NULL, e, "a", 1, NULL, 0, 0), AUTHP_EMISUSE);
    CHECK("NULL token_create engine -> EMISUSE, *out NULL",
          authp_token_create(&owned, NULL, "a", 1, NULL, 0, 0) == AUTHP_EMISUSE && owned == NULL);
    CHECK_INT("NULL token_revoke engine -> EMISUSE", authp_token_revoke(NULL, "k", 1), AUTHP_EMISUSE);
    CHECK_INT("NULL token_revoke key -> EMISUSE", authp_token_revoke(e, NULL, 1), AUTHP_EMISUSE);
    CHECK_INT("NULL token_list_json out -> EMISUSE", authp_token_list_json(NULL, e, NULL, 0), AUTHP_EMISUSE);
    CHECK_INT("NULL token_list_json engine -> EMISUSE", authp_token_list_json(&owned, NULL, NULL, 0), AUTHP_EMISUSE);
    CHECK_INT("NULL password_hash out -> EMISUSE", authp_password_hash(NULL, "x", 1, 1000), AUTHP_EMISUSE);
    CHECK_INT("NULL password_hash password -> EMISUSE", authp_password_hash(&owned, NULL, 1, 1000), AUTHP_EMISUSE);
    CHECK_INT("NULL password_verify matches -> EMISUSE", authp_password_verify(NULL, NULL, "x", 1, "y", 1, 0),
              AUTHP_EMISUSE);
    CHECK_INT("NULL password_verify encoded -> EMISUSE", authp_password_verify(&matches, NULL, "x", 1, NULL, 1, 0),
              AUTHP_EMISUSE);
    CHECK("EMISUSE -> authp_error_last has a message", authp_error_last()[0] != '\0');
    authp_version(NULL, NULL, NULL);

    /* Every free accepts NULL. */
    authp_config_free(NULL);
    authp_engine_free(NULL);
    authp_request_free(NULL);
    authp_request_reset(NULL);
    authp_decision_free(NULL);
    authp_free(NULL);
    CHECK("authp_*_free(NULL) -> no-ops", 1);

done:
    authp_request_free(req);
    authp_engine_free(e);
    authp_config_free(cfg);
}

static void strerror_cases(void) {
    static const int codes[] = {AUTHP_OK,      AUTHP_ERROR,     AUTHP_ENOTFOUND, AUTHP_EEXISTS,     AUTHP_EINVALID,
                                AUTHP_ENOMEM,  AUTHP_ESTORE,    AUTHP_ECRYPTO,   AUTHP_EVERSION,    AUTHP_EMISUSE,
                                AUTHP_ECONFIG, AUTHP_ECALLBACK, AUTHP_EUSER,     AUTHP_EAUTHFAILED, AUTHP_PASSTHROUGH};
    const size_t n = sizeof codes / sizeof codes[0];
    size_t i, j;
    int all_text = 1, unique = 1;

    check_section("errors: strerror");
    for (i = 0; i < n; ++i) {
        const char* s = authp_strerror(codes[i]);
        if (!s || !*s) all_text = 0;
        for (j = 0; j < i && s; ++j) {
            const char* t = authp_strerror(codes[j]);
            if (t && strcmp(s, t) == 0) unique = 0;
        }
    }
    CHECK("strerror -> non-NULL, non-empty for every code", all_text);
    CHECK("strerror -> distinct codes have distinct texts", unique);
    CHECK("strerror unknown code -> non-NULL", authp_strerror(-999) != NULL && authp_strerror(42) != NULL);
    CHECK("strerror unknown code -> not the text of a known code",
          strcmp(authp_strerror(-999), authp_strerror(AUTHP_OK)) != 0 &&
              strcmp(authp_strerror(-999), authp_strerror(AUTHP_ERROR)) != 0);
}

static void version_cases(void) {
    int major = -1, minor = -1, patch = -1;
    char expected[64];

    check_section("version");
    CHECK_INT("abi version == AUTHP_ABI_VERSION", authp_abi_version(), AUTHP_ABI_VERSION);
    CHECK_STR("version string == AUTHP_VERSION_STRING", authp_version_string(), AUTHP_VERSION_STRING);
    authp_version(&major, &minor, &patch);
    CHECK("version numbers == AUTHP_VERSION_MAJOR/MINOR/PATCH",
          major == AUTHP_VERSION_MAJOR && minor == AUTHP_VERSION_MINOR && patch == AUTHP_VERSION_PATCH);
    snprintf(expected, sizeof expected, "%d.%d.%d", major, minor, patch);
    CHECK_STR("version string matches the numbers", authp_version_string(), expected);
    CHECK("AUTHP_VERSION_CHECK(0, 0, 0) holds", AUTHP_VERSION_CHECK(0, 0, 0));
    CHECK("AUTHP_VERSION_CHECK of the next major fails", !AUTHP_VERSION_CHECK(AUTHP_VERSION_MAJOR + 1, 0, 0));
}

void test_errors(void) {
    config_error_cases();
    store_error_cases();
    directory_cases();
    request_error_cases();
    null_argument_cases();
    strerror_cases();
    version_cases();
}
