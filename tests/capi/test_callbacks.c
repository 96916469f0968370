/* Host callbacks: a user-lookup directory and custom authenticators (the vtable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

/* ---- user lookup ------------------------------------------------------------------------ */

typedef struct host_directory {
    char* hash;     /* pbkdf2_sha256 hash of "hostpw", made with authp_password_hash */
    int unknown_rc; /* what the host answers for names it does not know */
    int calls;
    int setter_errors;
} host_directory;

static int directory_frees;

static void directory_free(void* payload) {
    host_directory* dir = (host_directory*)payload;
    ++directory_frees;
    authp_free(dir->hash);
    free(dir);
}

static int named(const char* s, size_t n, const char* want) {
    return n == strlen(want) && memcmp(s, want, n) == 0;
}

static int serve(authp_user_builder* out, const host_directory* dir, int64_t id, const char* name, int active,
                 int staff) {
    int bad = 0;
    bad |= authp_user_builder_set_id(out, id) != AUTHP_OK;
    bad |= authp_user_builder_set_username(out, name, strlen(name)) != AUTHP_OK;
    bad |= authp_user_builder_set_flags(out, active, staff, 0) != AUTHP_OK;
    bad |= authp_user_builder_set_password_hash(out, dir->hash, strlen(dir->hash)) != AUTHP_OK;
    bad |= authp_user_builder_set_attributes_json(out, "{\"dept\": \"ops\"}", 15) != AUTHP_OK;
    return bad;
}

static int host_lookup(authp_user_builder* out, authp_lookup_kind kind, const char* username, size_t len, int64_t id,
                       void* payload) {
    host_directory* dir = (host_directory*)payload;
    (void)id;
    ++dir->calls;
    if (kind != AUTHP_LOOKUP_BY_USERNAME) return AUTHP_ENOTFOUND;
    if (named(username, len, "hostuser")) {
        dir->setter_errors += serve(out, dir, 1001, "hostuser", 1, 0);
        /* Invalid input to the setters is refused, and does not spoil what was set. */
        dir->setter_errors += authp_user_builder_set_attributes_json(out, "[1]", 3) != AUTHP_EINVALID;
        dir->setter_errors += authp_user_builder_set_username(out, "bad\xff", 4) != AUTHP_EINVALID;
        return AUTHP_OK;
    }
    if (named(username, len, "hoststaff")) {
        dir->setter_errors += serve(out, dir, 1002, "hoststaff", 1, 1);
        return AUTHP_OK;
    }
    if (named(username, len, "hostinactive")) {
        dir->setter_errors += serve(out, dir, 1003, "hostinactive", 0, 0);
        return AUTHP_OK;
    }
    if (named(username, len, "raise")) return AUTHP_EUSER;
    if (named(username, len, "garbage")) {
        authp_user_builder_set_id(out, 7); /* "found", but without a username */
        return AUTHP_OK;
    }
    if (named(username, len, "broken")) return AUTHP_ERROR;
    return dir->unknown_rc;
}

static void expect_service_unavailable(const char* name, int rc, int want_rc, authp_decision* d) {
    char what[256];
    snprintf(what, sizeof what, "%s -> evaluate returns %s", name, authp_strerror(want_rc));
    CHECK_INT(what, rc, want_rc);
    snprintf(what, sizeof what, "%s -> 503 safe denial", name);
    support_check_decision(what, d, 503, "service_unavailable", "Authentication is temporarily unavailable.");
    snprintf(what, sizeof what, "%s -> authp_error_last is set", name);
    CHECK(what, authp_error_last()[0] != '\0');
}

static void user_lookup_cases(void) {
    static const char* const config =
        "{\"PASSWORD_ITERATIONS\": 1000, \"CACHE\": {\"TTL\": 0},"
        " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}";
    host_directory* dir = (host_directory*)calloc(1, sizeof *dir);
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_decision* d;
    authp_request* req = NULL;
    const authp_user* user = NULL;
    int rc, calls_before, matches = 0, rehash = 0;

    check_section("callbacks: user lookup");
    if (!dir) return;
    dir->unknown_rc = AUTHP_ENOTFOUND;
    rc = authp_password_hash(&dir->hash, "hostpw", 6, 1000);
    CHECK_INT("password hash -> OK", rc, AUTHP_OK);
    if (rc != AUTHP_OK) {
        free(dir);
        return;
    }
    CHECK("password hash -> Django pbkdf2_sha256$1000$ format", strncmp(dir->hash, "pbkdf2_sha256$1000$", 19) == 0);
    rc = authp_password_verify(&matches, &rehash, "hostpw", 6, dir->hash, strlen(dir->hash), 1000);
    CHECK("password verify -> matches, no rehash at 1000", rc == AUTHP_OK && matches == 1 && rehash == 0);
    rc = authp_password_verify(&matches, &rehash, "hostpw", 6, dir->hash, strlen(dir->hash), 0);
    CHECK("password verify -> needs rehash below the default iterations", rc == AUTHP_OK && matches && rehash);
    rc = authp_password_verify(&matches, NULL, "wrong", 5, dir->hash, strlen(dir->hash), 1000);
    CHECK("password verify -> wrong password does not match", rc == AUTHP_OK && matches == 0);
    rc = authp_password_verify(&matches, &rehash, "x", 1, "md5$garbage", 11, 0);
    CHECK("password verify -> unknown format: no match, OK", rc == AUTHP_OK && matches == 0);

    authp_config_new(&cfg);
    CHECK_INT("set user lookup -> OK", authp_config_set_user_lookup(cfg, host_lookup, dir, directory_free), AUTHP_OK);
    e = support_engine(cfg, config);
    if (!e) goto done;
    support_add_user(e, "dbuser", "dbpw", 0);

    d = support_decide(e, NULL, "GET", support_basic("hostuser:hostpw"));
    support_check_decision("lookup found -> 200", d, 200, NULL, NULL);
    CHECK_STR("lookup found -> user hostuser", support_username(d), "hostuser");
    CHECK_INT("lookup found -> id from the host", authp_user_id(authp_decision_user(d)), 1001);
    CHECK_STR("lookup found -> attributes from the host", authp_user_attributes_json(authp_decision_user(d)),
              "{\"dept\":\"ops\"}");
    CHECK_INT("lookup found -> setters accepted valid input and refused invalid input", dir->setter_errors, 0);
    CHECK("lookup found -> callback called", dir->calls >= 1);
    authp_decision_free(d);

    d = support_decide(e, "", "GET", support_basic("hoststaff:hostpw"));
    CHECK("lookup found staff -> is_staff", d && authp_user_is_staff(authp_decision_user(d)));
    authp_decision_free(d);
    d = support_decide(e, NULL, "GET", support_basic("hostuser:wrong"));
    support_check_decision("lookup found, wrong password -> 401", d, 401, "authentication_failed",
                           "Invalid username/password.");
    authp_decision_free(d);
    d = support_decide(e, NULL, "GET", support_basic("hostinactive:hostpw"));
    support_check_decision("lookup found inactive -> 401", d, 401, "authentication_failed",
                           "Invalid username/password.");
    authp_decision_free(d);
    d = support_decide(e, NULL, "GET", support_basic("ghost:x"));
    support_check_decision("lookup ENOTFOUND -> 401", d, 401, "authentication_failed", "Invalid username/password.");
    authp_decision_free(d);

    /* ENOTFOUND is authoritative; PASSTHROUGH falls back to the built-in directory. */
    d = support_decide(e, NULL, "GET", support_basic("dbuser:dbpw"));
    support_check_decision("lookup ENOTFOUND -> built-in directory not consulted", d, 401, "authentication_failed",
                           "Invalid username/password.");
    authp_decision_free(d);
    dir->unknown_rc = AUTHP_PASSTHROUGH;
    d = support_decide(e, NULL, "GET", support_basic("dbuser:dbpw"));
    support_check_decision("lookup PASSTHROUGH -> built-in directory -> 200", d, 200, NULL, NULL);
    CHECK_STR("lookup PASSTHROUGH -> user dbuser", support_username(d), "dbuser");
    authp_decision_free(d);

    d = support_decide_n(&rc, e, NULL, "GET", support_basic("raise:x"), strlen(support_basic("raise:x")));
    expect_service_unavailable("lookup EUSER", rc, AUTHP_EUSER, d);
    authp_decision_free(d);
    d = support_decide(e, NULL, "GET", support_basic("hostuser:hostpw"));
    support_check_decision("lookup EUSER -> engine still usable afterwards", d, 200, NULL, NULL);
    authp_decision_free(d);

    d = support_decide_n(&rc, e, NULL, "GET", support_basic("garbage:x"), strlen(support_basic("garbage:x")));
    expect_service_unavailable("lookup found without username", rc, AUTHP_ECALLBACK, d);
    CHECK_CONTAINS("lookup found without username -> message says so", authp_error_last(), "username");
    authp_decision_free(d);
    d = support_decide_n(&rc, e, NULL, "GET", support_basic("broken:x"), strlen(support_basic("broken:x")));
    expect_service_unavailable("lookup returns AUTHP_ERROR", rc, AUTHP_ECALLBACK, d);
    authp_decision_free(d);

    /* Through the lazy accessors: the failure is reported once, then the request stays anonymous. */
    authp_request_new(&req, e);
    authp_request_add_header(req, "Authorization", 13, support_basic("raise:x"), strlen(support_basic("raise:x")));
    calls_before = dir->calls;
    CHECK_INT("request_user with lookup EUSER -> AUTHP_EUSER", authp_request_user(&user, req), AUTHP_EUSER);
    CHECK_INT("request_user again -> not retried, OK", authp_request_user(&user, req), AUTHP_OK);
    CHECK_INT("request_user again -> callback not called again", dir->calls - calls_before, 1);
    CHECK("request_user again -> anonymous", user != NULL && !authp_user_is_authenticated(user));
    CHECK_INT("request_user again -> status ANONYMOUS", authp_request_auth_status(req), AUTHP_AUTH_ANONYMOUS);
    authp_request_free(req);

    /* The payload belongs to the config and every engine built from it: freed once, at the end. */
    authp_config_free(cfg);
    cfg = NULL;
    CHECK_INT("lookup payload -> not freed while an engine uses it", directory_frees, 0);
    d = support_decide(e, NULL, "GET", support_basic("hostuser:hostpw"));
    support_check_decision("lookup -> engine works after its config is freed", d, 200, NULL, NULL);
    authp_decision_free(d);
    authp_engine_free(e);
    e = NULL;
    CHECK_INT("lookup payload -> freed exactly once when config and engine are freed", directory_frees, 1);
    dir = NULL;

done:
    authp_engine_free(e);
    authp_config_free(cfg);
    if (dir && directory_frees == 0) directory_free(dir);
}

static void lookup_payload_ownership_cases(void) {
    authp_config* cfg = NULL;
    host_directory* a = (host_directory*)calloc(1, sizeof *a);
    host_directory* b = (host_directory*)calloc(1, sizeof *b);

    directory_frees = 0;
    authp_config_new(&cfg);
    authp_config_set_user_lookup(cfg, host_lookup, a, directory_free);
    authp_config_set_user_lookup(cfg, host_lookup, b, directory_free);
    CHECK_INT("lookup replaced -> old payload freed once", directory_frees, 1);
    authp_config_free(cfg);
    CHECK_INT("lookup config freed without engine -> payload freed once", directory_frees, 2);
    directory_frees = 0;
}

/* ---- password verifier ------------------------------------------------------------------ */

static int verifier_frees;

static void verifier_free(void* payload) {
    (void)payload;
    ++verifier_frees;
}

static int verify_password(int* matches, const authp_user* user, const char* password, size_t len, void* payload) {
    int* calls = (int*)payload;
    ++*calls;
    if (strcmp(authp_user_username(user, NULL), "vuser") != 0) return AUTHP_ERROR;
    if (named(password, len, "override")) {
        *matches = 1;
        return AUTHP_OK;
    }
    if (named(password, len, "real")) {
        *matches = 0; /* the host says no, although the hash matches */
        return AUTHP_OK;
    }
    if (named(password, len, "raise")) return AUTHP_EUSER;
    return AUTHP_PASSTHROUGH;
}

static void password_verifier_cases(void) {
    static int calls;
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_decision* d;
    int rc;

    check_section("callbacks: password verifier");
    authp_config_new(&cfg);
    CHECK_INT("set password verifier -> OK",
              authp_config_set_password_verifier(cfg, verify_password, &calls, verifier_free), AUTHP_OK);
    e = support_engine(cfg, "{\"PASSWORD_ITERATIONS\": 1000, \"CACHE\": {\"TTL\": 0}}");
    if (e) {
        support_add_user(e, "vuser", "real", 0);
        support_add_user(e, "other", "pw", 0);
        d = support_decide(e, NULL, "GET", support_basic("vuser:override"));
        support_check_decision("verifier matches=1 -> 200", d, 200, NULL, NULL);
        CHECK("verifier -> called with the user", calls >= 1);
        authp_decision_free(d);
        d = support_decide(e, NULL, "GET", support_basic("vuser:real"));
        support_check_decision("verifier matches=0 -> 401 despite the hash", d, 401, "authentication_failed",
                               "Invalid username/password.");
        authp_decision_free(d);
        d = support_decide(e, NULL, "GET", support_basic("vuser:nope"));
        support_check_decision("verifier PASSTHROUGH -> engine checks the hash (wrong)", d, 401, NULL, NULL);
        authp_decision_free(d);
        d = support_decide_n(&rc, e, NULL, "GET", support_basic("vuser:raise"), strlen(support_basic("vuser:raise")));
        expect_service_unavailable("verifier EUSER", rc, AUTHP_EUSER, d);
        authp_decision_free(d);
        d = support_decide_n(&rc, e, NULL, "GET", support_basic("other:pw"), strlen(support_basic("other:pw")));
        expect_service_unavailable("verifier AUTHP_ERROR", rc, AUTHP_ECALLBACK, d);
        authp_decision_free(d);
    }
    authp_engine_free(e);
    CHECK_INT("verifier payload -> kept while the config lives", verifier_frees, 0);
    authp_config_free(cfg);
    CHECK_INT("verifier payload -> freed once", verifier_frees, 1);
}

/* ---- custom authenticators -------------------------------------------------------------- */

typedef struct apikey_state {
    int calls;
    int challenge_calls;
    int reenter_rc;
    int saw_request;
} apikey_state;

static int apikey_frees;

static void apikey_free(void* payload) {
    ++apikey_frees;
    free(payload);
}

static int apikey_authenticate(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    static const char user[] =
        "{\"username\": \"svc\", \"id\": 42, \"is_staff\": true, \"attributes\": {\"plan\": \"pro\"}}";
    static const char auth[] = "{\"key_id\": \"k1\", \"scopes\": [\"read\"]}";
    apikey_state* st = (apikey_state*)payload;
    const char* key = NULL;
    size_t n = 0, path_len = 0;
    ++st->calls;
    st->saw_request = strcmp(authp_request_method(req, NULL), "GET") == 0 &&
                      strcmp(authp_request_path(req, &path_len), "/items") == 0 && path_len == 6;
    if (authp_request_header(req, "x-API-key", 9, &key, &n) != AUTHP_OK) return AUTHP_PASSTHROUGH;
    if (named(key, n, "good")) {
        if (authp_authn_set_user_json(ctx, user, strlen(user)) != AUTHP_OK) return AUTHP_ERROR;
        if (authp_authn_set_auth_json(ctx, auth, strlen(auth)) != AUTHP_OK) return AUTHP_ERROR;
        return AUTHP_OK;
    }
    if (named(key, n, "bad")) {
        authp_authn_set_detail(ctx, "API key rejected.", 17);
        return AUTHP_EAUTHFAILED;
    }
    if (named(key, n, "nodetail")) return AUTHP_EAUTHFAILED;
    if (named(key, n, "raise")) return AUTHP_EUSER;
    if (named(key, n, "broken")) return AUTHP_ERROR;
    if (named(key, n, "nouser")) return AUTHP_OK;
    if (named(key, n, "reenter")) {
        const authp_user* u = NULL;
        /* A callback must not read the user of the request it is authenticating. */
        st->reenter_rc = authp_request_user(&u, (authp_request*)req);
        return AUTHP_PASSTHROUGH;
    }
    return AUTHP_PASSTHROUGH;
}

static int apikey_challenge(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    static const char challenge[] = "ApiKey realm=\"svc\"";
    (void)req;
    ++((apikey_state*)payload)->challenge_calls;
    return authp_authn_set_challenge(ctx, challenge, strlen(challenge));
}

static authp_decision* decide_key(int* rc, const authp_engine* e, const char* view, const char* api_key,
                                  const char* authorization) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    *rc = authp_request_new(&req, e);
    if (*rc != AUTHP_OK) return NULL;
    if (view) authp_request_set_view(req, view, strlen(view));
    authp_request_set_path(req, "/items", 6);
    if (api_key) authp_request_add_header(req, "X-Api-Key", 9, api_key, strlen(api_key));
    if (authorization) authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization));
    *rc = authp_engine_evaluate(&d, e, req);
    authp_request_free(req);
    return d;
}

static void custom_authenticator_cases(void) {
    static const char* const config =
        "{\"PASSWORD_ITERATIONS\": 1000,"
        " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"ApiKey\", \"BasicAuthentication\"],"
        " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
        " \"VIEWS\": {"
        "   \"challenged\": {\"authentication_classes\": [\"ApiKeyChallenge\", \"BasicAuthentication\"]},"
        "   \"basic_first\": {\"authentication_classes\": [\"BasicAuthentication\", \"ApiKey\"]}"
        " }}";
    apikey_state* plain = (apikey_state*)calloc(1, sizeof *plain);
    apikey_state* challenged = (apikey_state*)calloc(1, sizeof *challenged);
    apikey_state* rejected = (apikey_state*)calloc(1, sizeof *rejected);
    authp_authenticator vt = AUTHP_AUTHENTICATOR_INIT;
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_decision* d;
    const authp_user* user;
    int rc, before;

    check_section("callbacks: custom authenticators");
    apikey_frees = 0;
    CHECK_INT("authenticator init -> OK", authp_authenticator_init(&vt, AUTHP_AUTHENTICATOR_VERSION), AUTHP_OK);
    CHECK("authenticator init -> version set, functions NULL",
          vt.version == AUTHP_AUTHENTICATOR_VERSION && vt.authenticate == NULL && vt.challenge == NULL);
    CHECK_INT("authenticator init unknown version -> AUTHP_EVERSION", authp_authenticator_init(&vt, 99),
              AUTHP_EVERSION);
    authp_authenticator_init(&vt, AUTHP_AUTHENTICATOR_VERSION);

    authp_config_new(&cfg);
    /* Registrations that fail do not take ownership of the payload. */
    CHECK_INT("add authenticator without authenticate -> AUTHP_EINVALID",
              authp_config_add_authenticator(cfg, "ApiKey", &vt, rejected, apikey_free), AUTHP_EINVALID);
    vt.authenticate = apikey_authenticate;
    CHECK_INT("add authenticator named like a built-in -> AUTHP_EEXISTS",
              authp_config_add_authenticator(cfg, "BasicAuthentication", &vt, rejected, apikey_free), AUTHP_EEXISTS);
    vt.version = 2;
    CHECK_INT("add authenticator with an unknown vtable version -> AUTHP_EVERSION",
              authp_config_add_authenticator(cfg, "ApiKey", &vt, rejected, apikey_free), AUTHP_EVERSION);
    vt.version = AUTHP_AUTHENTICATOR_VERSION;
    CHECK_INT("failed registrations -> payload not freed", apikey_frees, 0);
    free(rejected);

    CHECK_INT("add authenticator ApiKey -> OK", authp_config_add_authenticator(cfg, "ApiKey", &vt, plain, apikey_free),
              AUTHP_OK);
    vt.challenge = apikey_challenge;
    CHECK_INT("add authenticator ApiKeyChallenge -> OK",
              authp_config_add_authenticator(cfg, "ApiKeyChallenge", &vt, challenged, apikey_free), AUTHP_OK);
    e = support_engine(cfg, config);
    if (!e) goto done;
    support_add_user(e, "alice", "wonderland", 0);

    d = decide_key(&rc, e, NULL, "good", NULL);
    support_check_decision("custom success -> 200", d, 200, NULL, NULL);
    CHECK_INT("custom success -> called once", plain->calls, 1);
    CHECK("custom success -> the callback read method, path and header", plain->saw_request);
    CHECK_STR("custom success -> authenticator name", authp_decision_authenticator(d), "ApiKey");
    CHECK_STR("custom success -> auth JSON", authp_decision_auth_json(d), "{\"key_id\":\"k1\",\"scopes\":[\"read\"]}");
    user = authp_decision_user(d);
    CHECK_STR("custom success -> username from user JSON", support_username(d), "svc");
    CHECK("custom success -> id, is_staff, authenticated from user JSON",
          authp_user_id(user) == 42 && authp_user_is_staff(user) && authp_user_is_authenticated(user) &&
              authp_user_is_active(user));
    CHECK_STR("custom success -> attributes from user JSON", authp_user_attributes_json(user), "{\"plan\":\"pro\"}");
    authp_decision_free(d);

    before = plain->calls;
    d = decide_key(&rc, e, NULL, NULL, support_basic("alice:wonderland"));
    support_check_decision("custom PASSTHROUGH -> next authenticator (Basic) -> 200", d, 200, NULL, NULL);
    CHECK_STR("custom PASSTHROUGH -> authenticator BasicAuthentication", authp_decision_authenticator(d),
              "BasicAuthentication");
    CHECK_INT("custom PASSTHROUGH -> custom called once", plain->calls - before, 1);
    authp_decision_free(d);

    /* DRF's 401-vs-403 rule: the first authenticator of the view has no challenge -> 403. */
    d = decide_key(&rc, e, NULL, "bad", NULL);
    support_check_decision("custom EAUTHFAILED, first authenticator without challenge -> 403 with the detail", d, 403,
                           "authentication_failed", "API key rejected.");
    CHECK("custom EAUTHFAILED without challenge -> no WWW-Authenticate", support_header(d, "WWW-Authenticate") == NULL);
    authp_decision_free(d);
    d = decide_key(&rc, e, NULL, "bad", support_basic("alice:wonderland"));
    support_check_decision("custom EAUTHFAILED -> the chain stops (Basic not tried)", d, 403, "authentication_failed",
                           "API key rejected.");
    authp_decision_free(d);
    d = decide_key(&rc, e, NULL, NULL, NULL);
    support_check_decision("first authenticator without challenge, anonymous -> 403 not_authenticated", d, 403,
                           "not_authenticated", "Authentication credentials were not provided.");
    authp_decision_free(d);
    d = decide_key(&rc, e, NULL, "nodetail", NULL);
    support_check_decision("custom EAUTHFAILED without detail -> default detail", d, 403, "authentication_failed",
                           "Incorrect authentication credentials.");
    authp_decision_free(d);

    d = decide_key(&rc, e, "challenged", "bad", NULL);
    support_check_decision("custom challenge -> 401 with the detail", d, 401, "authentication_failed",
                           "API key rejected.");
    CHECK_STR("custom challenge -> WWW-Authenticate from challenge()", support_header(d, "WWW-Authenticate"),
              "ApiKey realm=\"svc\"");
    CHECK("custom challenge -> challenge() called", challenged->challenge_calls >= 1);
    authp_decision_free(d);
    d = decide_key(&rc, e, "challenged", NULL, NULL);
    support_check_decision("custom challenge, anonymous -> 401 not_authenticated", d, 401, "not_authenticated", NULL);
    CHECK_STR("custom challenge, anonymous -> WWW-Authenticate", support_header(d, "WWW-Authenticate"),
              "ApiKey realm=\"svc\"");
    authp_decision_free(d);
    d = decide_key(&rc, e, "basic_first", "bad", NULL);
    support_check_decision("custom failure when Basic is first -> 401", d, 401, "authentication_failed",
                           "API key rejected.");
    CHECK_STR("custom failure when Basic is first -> Basic challenge", support_header(d, "WWW-Authenticate"),
              "Basic realm=\"api\"");
    authp_decision_free(d);

    d = decide_key(&rc, e, NULL, "raise", NULL);
    expect_service_unavailable("custom EUSER", rc, AUTHP_EUSER, d);
    authp_decision_free(d);
    d = decide_key(&rc, e, NULL, "broken", NULL);
    expect_service_unavailable("custom AUTHP_ERROR", rc, AUTHP_ECALLBACK, d);
    authp_decision_free(d);
    d = decide_key(&rc, e, NULL, "nouser", NULL);
    expect_service_unavailable("custom OK without user", rc, AUTHP_ECALLBACK, d);
    authp_decision_free(d);
    d = decide_key(&rc, e, NULL, "good", NULL);
    support_check_decision("custom errors -> engine still usable afterwards", d, 200, NULL, NULL);
    authp_decision_free(d);

    d = decide_key(&rc, e, NULL, "reenter", NULL);
    CHECK_INT("custom reads the user of its own request -> AUTHP_EMISUSE", plain->reenter_rc, AUTHP_EMISUSE);
    support_check_decision("custom reads the user of its own request -> evaluation continues", d, 403,
                           "not_authenticated", NULL);
    authp_decision_free(d);

    authp_config_free(cfg);
    cfg = NULL;
    CHECK_INT("authenticator payloads -> kept while the engine lives", apikey_frees, 0);
    authp_engine_free(e);
    e = NULL;
    CHECK_INT("authenticator payloads -> each freed once with config and engine", apikey_frees, 2);
    plain = challenged = NULL;

done:
    authp_engine_free(e);
    authp_config_free(cfg);
    if (apikey_frees == 0) {
        free(plain);
        free(challenged);
    }
}

void test_callbacks(void) {
    user_lookup_cases();
    lookup_payload_ownership_cases();
    password_verifier_cases();
    custom_authenticator_cases();
}
