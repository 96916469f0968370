/* Lazy authentication (perform_authentication: false), UNAUTHENTICATED_USER / _TOKEN. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

typedef struct counter {
    int calls;
} counter;

/* Authenticates "X-User: <name>" as <name>; not applicable without the header. */
static int counting_authenticate(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    char json[256];
    const char* name = NULL;
    size_t n = 0;
    int len;
    ++((counter*)payload)->calls;
    if (authp_request_header(req, "X-User", 6, &name, &n) != AUTHP_OK) return AUTHP_PASSTHROUGH;
    if (n > 0 && name[0] == '!') {
        authp_authn_set_detail(ctx, "Bad user header.", 16);
        return AUTHP_EAUTHFAILED;
    }
    len = snprintf(json, sizeof json, "{\"username\": \"%.*s\"}", (int)n, name);
    if (authp_authn_set_user_json(ctx, json, (size_t)len) != AUTHP_OK) return AUTHP_ERROR;
    if (authp_authn_set_auth_json(ctx, "\"header\"", 8) != AUTHP_OK) return AUTHP_ERROR;
    return AUTHP_OK;
}

static authp_request* new_request(const authp_engine* e, const char* view, const char* method, const char* user) {
    authp_request* req = NULL;
    if (authp_request_new(&req, e) != AUTHP_OK) return NULL;
    if (view) authp_request_set_view(req, view, strlen(view));
    if (method) authp_request_set_method(req, method, strlen(method));
    if (user) authp_request_add_header(req, "X-User", 6, user, strlen(user));
    return req;
}

static void lazy_cases(void) {
    static const char* const config =
        "{\"PASSWORD_ITERATIONS\": 1000,"
        " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"Counting\"],"
        " \"VIEWS\": {"
        "   \"lazy\": {\"permission_classes\": [\"AllowAny\"], \"perform_authentication\": false},"
        "   \"lazy_protected\": {\"permission_classes\": [\"IsAuthenticated\"], \"perform_authentication\": false},"
        "   \"eager\": {\"permission_classes\": [\"AllowAny\"]}"
        " }}";
    counter count = {0};
    authp_authenticator vt;
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_request* req = NULL;
    authp_decision* d = NULL;
    const authp_user *user = NULL, *again = NULL;
    const char* auth = NULL;
    int rc;

    check_section("lazy authentication");
    authp_authenticator_init(&vt, AUTHP_AUTHENTICATOR_VERSION);
    vt.authenticate = counting_authenticate;
    authp_config_new(&cfg);
    authp_config_add_authenticator(cfg, "Counting", &vt, &count, NULL);
    e = support_engine(cfg, config);
    if (!e) goto done;

    /* perform_authentication false + AllowAny: nobody reads the user, nobody authenticates. */
    req = new_request(e, "lazy", "GET", "alice");
    rc = authp_engine_evaluate(&d, e, req);
    CHECK_INT("lazy AllowAny -> evaluate OK", rc, AUTHP_OK);
    support_check_decision("lazy AllowAny -> 200", d, 200, NULL, NULL);
    CHECK_INT("lazy AllowAny -> authenticator not called", count.calls, 0);
    CHECK_INT("lazy AllowAny -> auth status NOT_RUN", authp_request_auth_status(req), AUTHP_AUTH_NOT_RUN);
    CHECK("lazy AllowAny -> decision user NULL", authp_decision_user(d) == NULL);
    CHECK("lazy AllowAny -> decision authenticator NULL", authp_decision_authenticator(d) == NULL);
    CHECK("lazy AllowAny -> request authenticator NULL (does not authenticate)",
          authp_request_authenticator(req) == NULL && count.calls == 0);
    CHECK_CONTAINS("lazy AllowAny -> decision JSON user null", authp_decision_to_json(d, NULL), "\"user\":null");
    authp_decision_free(d);
    d = NULL;

    /* The host reads the user: authentication runs now, once. */
    rc = authp_request_user(&user, req);
    CHECK_INT("lazy request_user -> OK", rc, AUTHP_OK);
    CHECK_INT("lazy request_user -> authenticator called once", count.calls, 1);
    CHECK("lazy request_user -> user alice", user && strcmp(authp_user_username(user, NULL), "alice") == 0);
    rc = authp_request_user(&again, req);
    CHECK_INT("lazy request_user twice -> authenticator still called once", count.calls, 1);
    CHECK("lazy request_user twice -> same user", rc == AUTHP_OK && again == user);
    rc = authp_request_auth_json(&auth, req);
    CHECK_STR("lazy request_auth_json -> auth value", auth, "\"header\"");
    CHECK_INT("lazy request_auth_json -> no further call", count.calls, 1);
    CHECK_INT("lazy -> auth status AUTHENTICATED", authp_request_auth_status(req), AUTHP_AUTH_AUTHENTICATED);
    CHECK_STR("lazy -> request authenticator Counting", authp_request_authenticator(req), "Counting");
    CHECK_INT("lazy request_authenticate after the fact -> no further call",
              authp_request_authenticate(req) == AUTHP_OK ? count.calls : -1, 1);

    /* reset: a new request, authenticated lazily again. */
    authp_request_reset(req);
    CHECK_INT("request reset -> auth status NOT_RUN", authp_request_auth_status(req), AUTHP_AUTH_NOT_RUN);
    authp_request_set_view(req, "lazy", 4);
    authp_request_add_header(req, "X-User", 6, "bob", 3);
    rc = authp_request_user(&user, req);
    CHECK("request reset -> the new request authenticates once more",
          rc == AUTHP_OK && count.calls == 2 && user && strcmp(authp_user_username(user, NULL), "bob") == 0);
    authp_request_free(req);
    req = NULL;

    /* perform_authentication false, but a permission reads the user: it runs, once. */
    count.calls = 0;
    req = new_request(e, "lazy_protected", "GET", "alice");
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("lazy IsAuthenticated -> permission reads the user -> 200", d, 200, NULL, NULL);
    CHECK_INT("lazy IsAuthenticated -> authenticator called once", count.calls, 1);
    CHECK_STR("lazy IsAuthenticated -> decision user", support_username(d), "alice");
    rc = authp_request_user(&user, req);
    CHECK_INT("lazy IsAuthenticated then request_user -> no further call", count.calls, 1);
    authp_decision_free(d);
    d = NULL;
    authp_request_free(req);
    req = NULL;

    /* Default views (perform_authentication true): exactly once per request. */
    count.calls = 0;
    req = new_request(e, "eager", "GET", "alice");
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("eager AllowAny -> 200", d, 200, NULL, NULL);
    CHECK_INT("eager -> authenticator called once", count.calls, 1);
    CHECK_INT("eager -> auth status AUTHENTICATED", authp_request_auth_status(req), AUTHP_AUTH_AUTHENTICATED);
    CHECK_STR("eager -> decision user", support_username(d), "alice");
    authp_decision_free(d);
    d = NULL;
    rc = authp_request_user(&user, req);
    CHECK_INT("eager then request_user -> no further call", count.calls, 1);
    authp_request_reset(req);
    authp_request_set_view(req, "eager", 5);
    rc = authp_engine_evaluate(&d, e, req);
    CHECK_INT("eager second request -> one more call", count.calls, 2);
    CHECK_INT("eager second request without header -> ANONYMOUS", authp_request_auth_status(req), AUTHP_AUTH_ANONYMOUS);
    authp_decision_free(d);
    d = NULL;
    authp_request_free(req);
    req = NULL;

    /* A rejected credential on a lazy view: no verdict until someone reads the user. */
    count.calls = 0;
    req = new_request(e, "lazy", "GET", "!mallory");
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("lazy AllowAny, bad credentials unread -> 200", d, 200, NULL, NULL);
    CHECK_INT("lazy AllowAny, bad credentials unread -> not called", count.calls, 0);
    authp_decision_free(d);
    d = NULL;
    rc = authp_request_user(&user, req);
    CHECK("lazy bad credentials, request_user -> OK, anonymous user",
          rc == AUTHP_OK && user != NULL && !authp_user_is_authenticated(user));
    CHECK_INT("lazy bad credentials, request_user -> status FAILED", authp_request_auth_status(req), AUTHP_AUTH_FAILED);
    CHECK_STR("lazy bad credentials -> auth_failure detail", authp_request_auth_failure(req), "Bad user header.");
    CHECK("lazy bad credentials -> no authenticator", authp_request_authenticator(req) == NULL);
    CHECK_INT("lazy bad credentials -> called once", count.calls, 1);
    authp_request_free(req);
    req = NULL;
    d = support_decide(e, "eager", "GET", NULL);
    authp_decision_free(d);
    req = new_request(e, "eager", "GET", "!mallory");
    rc = authp_engine_evaluate(&d, e, req);
    support_check_decision("eager AllowAny, bad credentials -> 403 (no challenge)", d, 403, "authentication_failed",
                           "Bad user header.");
    authp_decision_free(d);
    d = NULL;
    authp_request_free(req);
    req = NULL;

    count.calls = 0;
    d = support_decide(e, NULL, "GET", NULL);
    CHECK_INT("default view -> authenticator called once", count.calls, 1);
    authp_decision_free(d);
    d = NULL;

done:
    authp_decision_free(d);
    authp_request_free(req);
    authp_engine_free(e);
    authp_config_free(cfg);
}

static void unauthenticated_cases(void) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_request* req = NULL;
    authp_decision* d = NULL;
    const authp_user* user = NULL;
    const char* auth = "unset";
    int rc;

    check_section("unauthenticated user and token");
    authp_config_new(&cfg);
    e = support_engine(cfg, "{\"PASSWORD_ITERATIONS\": 1000, \"UNAUTHENTICATED_USER\": null}");
    if (e) {
        authp_request_new(&req, e);
        rc = authp_request_user(&user, req);
        CHECK("UNAUTHENTICATED_USER null -> request_user OK and NULL", rc == AUTHP_OK && user == NULL);
        CHECK_INT("UNAUTHENTICATED_USER null -> status ANONYMOUS", authp_request_auth_status(req),
                  AUTHP_AUTH_ANONYMOUS);
        rc = authp_request_auth_json(&auth, req);
        CHECK("UNAUTHENTICATED_TOKEN default -> auth NULL", rc == AUTHP_OK && auth == NULL);
        rc = authp_engine_evaluate(&d, e, req);
        support_check_decision("UNAUTHENTICATED_USER null -> AllowAny 200", d, 200, NULL, NULL);
        CHECK("UNAUTHENTICATED_USER null -> decision user NULL", authp_decision_user(d) == NULL);
        authp_decision_free(d);
        d = NULL;
        authp_request_free(req);
        req = NULL;
    }
    authp_engine_free(e);
    authp_config_free(cfg);
    e = NULL;
    cfg = NULL;

    authp_config_new(&cfg);
    e = support_engine(cfg,
                       "{\"PASSWORD_ITERATIONS\": 1000, \"UNAUTHENTICATED_TOKEN\": {\"anonymous\": true, \"n\": 1}}");
    if (e) {
        authp_request_new(&req, e);
        rc = authp_request_auth_json(&auth, req);
        CHECK_STR("UNAUTHENTICATED_TOKEN set -> request auth JSON", rc == AUTHP_OK ? auth : "(error)",
                  "{\"anonymous\":true,\"n\":1}");
        rc = authp_request_user(&user, req);
        CHECK("UNAUTHENTICATED_USER default -> anonymous user",
              rc == AUTHP_OK && user != NULL && !authp_user_is_authenticated(user));
        rc = authp_engine_evaluate(&d, e, req);
        CHECK_STR("UNAUTHENTICATED_TOKEN set -> decision auth JSON", authp_decision_auth_json(d),
                  "{\"anonymous\":true,\"n\":1}");
        authp_decision_free(d);
        authp_request_free(req);
    }
    authp_engine_free(e);
    authp_config_free(cfg);
}

/* authp_request_challenge: the view's first authenticator's challenge, without authenticating. */
static void challenge_cases(void) {
    static const char* const config =
        "{\"PASSWORD_ITERATIONS\": 1000,"
        " \"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\": \"BasicAuthentication\", \"realm\": \"zone\"}],"
        " \"VIEWS\": {"
        "   \"counting_first\": {\"authentication_classes\": [\"Counting\", \"BasicAuthentication\"]},"
        "   \"none\": {\"authentication_classes\": []}"
        " }}";
    counter count = {0};
    authp_authenticator vt;
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_request* req = NULL;
    char* challenge = NULL;
    int rc;

    check_section("request challenge");
    authp_authenticator_init(&vt, AUTHP_AUTHENTICATOR_VERSION);
    vt.authenticate = counting_authenticate;
    authp_config_new(&cfg);
    authp_config_add_authenticator(cfg, "Counting", &vt, &count, NULL);
    e = support_engine(cfg, config);
    if (!e) goto done;

    req = new_request(e, NULL, "GET", "alice");
    rc = authp_request_challenge(&challenge, req);
    CHECK_INT("challenge of the default policy -> OK", rc, AUTHP_OK);
    CHECK_STR("challenge of the default policy -> Basic with its realm", challenge, "Basic realm=\"zone\"");
    CHECK_INT("challenge -> does not authenticate", authp_request_auth_status(req), AUTHP_AUTH_NOT_RUN);
    authp_free(challenge);
    challenge = NULL;
    authp_request_free(req);

    req = new_request(e, "counting_first", "GET", "alice");
    rc = authp_request_challenge(&challenge, req);
    CHECK("first authenticator without a challenge -> OK and NULL (failures are 403)",
          rc == AUTHP_OK && challenge == NULL);
    CHECK_INT("challenge -> custom authenticator not called", count.calls, 0);
    authp_request_free(req);

    req = new_request(e, "none", "GET", NULL);
    rc = authp_request_challenge(&challenge, req);
    CHECK("view without authenticators -> OK and NULL", rc == AUTHP_OK && challenge == NULL);
    authp_request_free(req);

    req = new_request(e, "nope", "GET", NULL);
    challenge = (char*)"sentinel";
    rc = authp_request_challenge(&challenge, req);
    CHECK_INT("challenge of an unknown view -> ENOTFOUND", rc, AUTHP_ENOTFOUND);
    CHECK("challenge of an unknown view -> *out NULL", challenge == NULL);
    authp_request_free(req);
    req = NULL;
    CHECK_INT("challenge with NULL out -> EMISUSE", authp_request_challenge(NULL, req), AUTHP_EMISUSE);

done:
    authp_engine_free(e);
    authp_config_free(cfg);
}

void test_lazy(void) {
    lazy_cases();
    challenge_cases();
    unauthenticated_cases();
}
