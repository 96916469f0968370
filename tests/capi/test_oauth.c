/* OAuth 2.0 through the C API: JWT access tokens (HS256, minted here with the test's own HMAC),
 * opaque access tokens created, listed and revoked, and the introspection callback. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

/* RFC 7515 A.1's key and token, verified with leeway-free claims off (require_exp false). */
static const char* const kJwtConfig =
    "{\"PASSWORD_ITERATIONS\": 1000,"
    " \"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\": \"JWTAuthentication\", \"require_exp\": false,"
    "   \"user_claim\": \"iss\", \"lookup_user\": false,"
    "   \"jwks\": {\"keys\": [{\"kty\": \"oct\", \"alg\": \"HS256\","
    "     \"k\": \"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow\"}]}},"
    "   \"OAuth2Authentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
    " \"VIEWS\": {\"write\": {\"permission_classes\": [\"TokenHasScope\"], \"required_scopes\": [\"write\"]},"
    "             \"rw\": {\"permission_classes\": [\"TokenHasReadWriteScope\"]}}}";

static const char* const kA1 =
    "Bearer eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

static double clock_2011(void* payload) {
    (void)payload;
    return 1300819000.0; /* before A.1's exp */
}

static void jwt_cases(void) {
    authp_config* cfg = NULL;
    authp_config_new(&cfg);
    authp_config_set_clock(cfg, clock_2011, NULL, NULL);
    authp_engine* e = support_engine(cfg, kJwtConfig);
    if (!e) {
        authp_config_free(cfg);
        return;
    }
    authp_decision* d = support_decide(e, NULL, "GET", kA1);
    support_check_decision("RFC 7515 A.1 token allowed", d, 200, NULL, NULL);
    CHECK_STR("stateless user from iss", support_username(d), "joe");
    CHECK_STR("authenticator", authp_decision_authenticator(d), "JWTAuthentication");
    authp_decision_free(d);

    char tampered[512];
    snprintf(tampered, sizeof tampered, "%s", kA1);
    tampered[strlen(tampered) - 3] ^= 0x01;
    d = support_decide(e, NULL, "GET", tampered);
    support_check_decision("tampered token", d, 401, "invalid_token", "The token signature is invalid.");
    CHECK_STR("invalid_token challenge", support_header(d, "WWW-Authenticate"),
              "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token signature is invalid.\"");
    authp_decision_free(d);

    d = support_decide(e, NULL, "GET", NULL);
    support_check_decision("no credentials", d, 401, "not_authenticated", NULL);
    CHECK_STR("plain bearer challenge", support_header(d, "WWW-Authenticate"), "Bearer realm=\"api\"");
    authp_decision_free(d);

    d = support_decide(e, NULL, "GET", "Bearer");
    support_check_decision("malformed request", d, 400, "invalid_request", NULL);
    authp_decision_free(d);

    d = support_decide(e, "write", "GET", kA1);
    support_check_decision("no scopes", d, 403, "permission_denied", NULL);
    CHECK_STR("insufficient_scope challenge", support_header(d, "WWW-Authenticate"),
              "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"write\"");
    authp_decision_free(d);
    authp_engine_free(e);
    authp_config_free(cfg);
}

static void opaque_cases(void) {
    authp_config* cfg = NULL;
    authp_config_new(&cfg);
    authp_engine* e = support_engine(cfg, kJwtConfig);
    if (!e) {
        authp_config_free(cfg);
        return;
    }
    support_add_user(e, "alice", "pw", 0);
    char* token = NULL;
    CHECK_INT("create", authp_oauth_token_create(&token, e, "alice", 5, "cli", 3, " read  write ", 13, 3600), AUTHP_OK);
    CHECK("token returned", token != NULL && strlen(token) == 43);
    char* missing = NULL;
    CHECK_INT("unknown user", authp_oauth_token_create(&missing, e, "bob", 3, NULL, 0, "read", 4, 0), AUTHP_ENOTFOUND);
    CHECK("no token for unknown user", missing == NULL);
    CHECK_INT("bad scope", authp_oauth_token_create(&missing, e, "alice", 5, NULL, 0, "a\"b", 3, 0), AUTHP_EINVALID);
    CHECK_INT("NULL out", authp_oauth_token_create(NULL, e, "alice", 5, NULL, 0, NULL, 0, 0), AUTHP_EMISUSE);
    if (!token) {
        authp_engine_free(e);
        authp_config_free(cfg);
        return;
    }
    char header[128];
    snprintf(header, sizeof header, "Bearer %s", token);
    authp_decision* d = support_decide(e, "write", "POST", header);
    support_check_decision("opaque token with write", d, 200, NULL, NULL);
    CHECK_STR("opaque authenticator", authp_decision_authenticator(d), "OAuth2Authentication");
    CHECK_CONTAINS("auth json", authp_decision_to_json(d, NULL), "\"scopes\":[\"read\",\"write\"]");
    authp_decision_free(d);

    char* list = NULL;
    CHECK_INT("list", authp_oauth_token_list_json(&list, e, "alice", 5), AUTHP_OK);
    CHECK_CONTAINS("list has scope", list, "\"scope\":\"read write\"");
    CHECK_CONTAINS("list has client", list, "\"client_id\":\"cli\"");
    CHECK("list never has the token", list && strstr(list, token) == NULL);
    authp_free(list);
    list = NULL;
    CHECK_INT("list for an unknown user -> ENOTFOUND", authp_oauth_token_list_json(&list, e, "nobody", 6),
              AUTHP_ENOTFOUND);
    CHECK("list for an unknown user -> *out NULL", list == NULL);

    CHECK_INT("revoke", authp_oauth_token_revoke(e, token, strlen(token)), AUTHP_OK);
    CHECK_INT("revoke twice", authp_oauth_token_revoke(e, token, strlen(token)), AUTHP_ENOTFOUND);
    d = support_decide(e, NULL, "GET", header);
    support_check_decision("revoked token", d, 401, "invalid_token", "The token is invalid.");
    authp_decision_free(d);
    authp_free(token);
    authp_engine_free(e);
    authp_config_free(cfg);
}

static int introspect_calls;
static int introspect(authp_introspection* out, const char* token, size_t len, void* payload) {
    (void)payload;
    ++introspect_calls;
    if (len == 4 && memcmp(token, "good", 4) == 0) {
        const char* r = "{\"active\": true, \"sub\": \"alice\", \"scope\": \"read\", \"client_id\": \"c\"}";
        return authp_introspection_set_json(out, r, strlen(r));
    }
    if (len == 4 && memcmp(token, "fail", 4) == 0) return AUTHP_EUSER;
    const char* r = "{\"active\": false}";
    return authp_introspection_set_json(out, r, strlen(r));
}

static int freed;
static void payload_free(void* payload) {
    (void)payload;
    ++freed;
}

static void introspection_cases(void) {
    authp_config* cfg = NULL;
    authp_config_new(&cfg);
    CHECK_INT("set introspection", authp_config_set_introspection(cfg, introspect, &freed, payload_free), AUTHP_OK);
    authp_engine* e = support_engine(
        cfg,
        "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\": \"OAuth2Authentication\","
        " \"source\": \"introspection\"}], \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
        " \"VIEWS\": {\"rw\": {\"permission_classes\": [\"TokenHasReadWriteScope\"]}}}");
    if (!e) {
        authp_config_free(cfg);
        return;
    }
    support_add_user(e, "alice", "pw", 0);
    authp_decision* d = support_decide(e, "rw", "GET", "Bearer good");
    support_check_decision("introspected read", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = support_decide(e, "rw", "POST", "Bearer good");
    support_check_decision("introspected, no write (cache hit, scopes re-checked)", d, 403, NULL, NULL);
    authp_decision_free(d);
    CHECK_INT("one introspection for two requests", introspect_calls, 1);
    d = support_decide(e, "rw", "GET", "Bearer other");
    support_check_decision("inactive", d, 401, "invalid_token", "The token is not active.");
    authp_decision_free(d);
    int rc = 0;
    d = support_decide_n(&rc, e, "rw", "GET", "Bearer fail", 11);
    CHECK_INT("host raised", rc, AUTHP_EUSER);
    CHECK("fails closed", d == NULL || authp_decision_status(d) == 503);
    authp_decision_free(d);
    authp_engine_free(e);
    authp_config_free(cfg);
    CHECK_INT("payload freed once", freed, 1);
}

void test_oauth(void) {
    jwt_cases();
    opaque_cases();
    introspection_cases();
}
