/* Decisions of the built-in authenticators (Basic, Token) and permissions, through the C API. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static const char* const kConfig =
    "{\"PASSWORD_ITERATIONS\": 1000,"
    " \"DEFAULT_AUTHENTICATION_CLASSES\": [\"BasicAuthentication\", \"TokenAuthentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"],"
    " \"VIEWS\": {"
    "   \"public\": {\"permission_classes\": [\"AllowAny\"]},"
    "   \"admin\": {\"permission_classes\": [\"IsAdminUser\"]},"
    "   \"token_first\": {\"authentication_classes\": [\"TokenAuthentication\", \"BasicAuthentication\"]},"
    "   \"no_authenticators\": {\"authentication_classes\": []},"
    "   \"and_view\": {\"permission_classes\": [{\"and\": [\"IsAuthenticated\", \"IsAdminUser\"]}]},"
    "   \"or_view\": {\"permission_classes\": [{\"or\": [\"IsAdminUser\", \"IsAuthenticatedOrReadOnly\"]}]},"
    "   \"not_view\": {\"permission_classes\": [{\"not\": \"IsAuthenticated\"}]},"
    "   \"readonly\": {\"permission_classes\": [\"IsAuthenticatedOrReadOnly\"]}"
    " }}";

static const char* const kNotProvided = "Authentication credentials were not provided.";
static const char* const kPermissionDenied = "You do not have permission to perform this action.";
static const char* const kBasicChallenge = "Basic realm=\"api\"";

static double fake_clock(void* payload) {
    return *(const double*)payload;
}

/* Decides and checks status, code and detail in one go, then frees the decision. */
static void expect(const char* name, const authp_engine* e, const char* view, const char* method,
                   const char* authorization, int status, const char* code, const char* detail) {
    authp_decision* d = support_decide(e, view, method, authorization);
    support_check_decision(name, d, status, code, detail);
    authp_decision_free(d);
}

static char* create_token(authp_engine* e, const char* username, const char* name, long long expires_in) {
    char* key = NULL;
    const int rc = authp_token_create(&key, e, username, strlen(username), name, strlen(name), (int64_t)expires_in);
    if (!check_record(rc == AUTHP_OK && key != NULL, "token create", check_fmt("rc %d: %s", rc, authp_error_last()),
                      __FILE__, __LINE__))
        return NULL;
    return key;
}

static int is_lower_hex(const char* s, size_t n) {
    size_t i;
    if (strlen(s) != n) return 0;
    for (i = 0; i < n; ++i) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    }
    return 1;
}

static void basic_cases(authp_engine* e) {
    authp_decision* d;
    const authp_user* user;

    d = support_decide(e, NULL, "GET", support_basic("alice:wonderland"));
    support_check_decision("basic valid -> 200", d, 200, NULL, NULL);
    CHECK_STR("basic valid -> user alice", support_username(d), "alice");
    CHECK_STR("basic valid -> authenticator BasicAuthentication", authp_decision_authenticator(d),
              "BasicAuthentication");
    CHECK("basic valid -> auth is null", authp_decision_auth_json(d) == NULL);
    CHECK("basic valid -> no code, no detail", authp_decision_code(d) == NULL && authp_decision_detail(d) == NULL);
    CHECK_INT("basic valid -> no response headers", authp_decision_header_count(d), 0);
    user = authp_decision_user(d);
    CHECK("basic valid -> user is authenticated, active, has an id",
          authp_user_is_authenticated(user) && authp_user_is_active(user) && authp_user_has_id(user) &&
              authp_user_id(user) > 0);
    CHECK("basic valid -> user is not staff", !authp_user_is_staff(user) && !authp_user_is_superuser(user));
    CHECK_CONTAINS("basic valid -> user JSON names alice", authp_user_to_json(user), "\"username\":\"alice\"");
    CHECK_STR("basic valid -> attributes default {}", authp_user_attributes_json(user), "{}");
    CHECK_CONTAINS("basic valid -> decision JSON", authp_decision_to_json(d, NULL), "\"status\":200");
    authp_decision_free(d);

    d = support_decide(e, NULL, "GET", support_basic("alice:queen-of-hearts"));
    support_check_decision("basic wrong password -> 401 Invalid username/password.", d, 401, "authentication_failed",
                           "Invalid username/password.");
    CHECK_STR("basic wrong password -> WWW-Authenticate Basic realm=\"api\"", support_header(d, "WWW-Authenticate"),
              kBasicChallenge);
    CHECK_CONTAINS("basic wrong password -> decision JSON carries the header", authp_decision_to_json(d, NULL),
                   "\"WWW-Authenticate\":\"Basic realm=\\\"api\\\"\"");
    authp_decision_free(d);

    expect("basic unknown user -> 401 Invalid username/password.", e, NULL, "GET", support_basic("nobody:x"), 401,
           "authentication_failed", "Invalid username/password.");
    expect("basic lowercase keyword -> 200", e, NULL, "GET", "basic YWxpY2U6d29uZGVybGFuZA==", 200, NULL, NULL);
    expect("basic without colon -> not correctly base64 encoded", e, NULL, "GET", support_basic("alicewonderland"), 401,
           "authentication_failed", "Invalid basic header. Credentials not correctly base64 encoded.");
    expect("basic =a= -> not correctly base64 encoded", e, NULL, "GET", "Basic =a=", 401, "authentication_failed",
           "Invalid basic header. Credentials not correctly base64 encoded.");
    expect("basic alone -> no credentials provided", e, NULL, "GET", "Basic", 401, "authentication_failed",
           "Invalid basic header. No credentials provided.");
    expect("basic with spaces -> should not contain spaces", e, NULL, "GET", "Basic YWxp Y2U=", 401,
           "authentication_failed", "Invalid basic header. Credentials string should not contain spaces.");
    expect("basic inactive user -> Invalid username/password.", e, NULL, "GET", support_basic("carol:cheshire"), 401,
           "authentication_failed", "Invalid username/password.");
    expect("basic failure on an AllowAny view -> still 401", e, "public", "GET", support_basic("alice:nope"), 401,
           "authentication_failed", "Invalid username/password.");

    /* Changes through the engine take effect at once, although the success above was cached. */
    CHECK_INT("user set password -> OK", authp_user_set_password(e, "alice", 5, "rabbit-hole", 11), AUTHP_OK);
    expect("basic after password change, old password -> 401", e, NULL, "GET", support_basic("alice:wonderland"), 401,
           "authentication_failed", "Invalid username/password.");
    expect("basic after password change, new password -> 200", e, NULL, "GET", support_basic("alice:rabbit-hole"), 200,
           NULL, NULL);
    authp_user_set_password(e, "alice", 5, "wonderland", 10);
    CHECK_INT("user set active 0 -> OK", authp_user_set_active(e, "alice", 5, 0), AUTHP_OK);
    expect("basic after deactivation -> 401", e, NULL, "GET", support_basic("alice:wonderland"), 401,
           "authentication_failed", "Invalid username/password.");
    authp_user_set_active(e, "alice", 5, 1);
    expect("basic after reactivation -> 200", e, NULL, "GET", support_basic("alice:wonderland"), 200, NULL, NULL);

    d = support_decide(e, "public", "GET", NULL);
    support_check_decision("anonymous on an AllowAny view -> 200", d, 200, NULL, NULL);
    user = authp_decision_user(d);
    CHECK("anonymous on an AllowAny view -> anonymous user", user != NULL && !authp_user_is_authenticated(user) &&
                                                                 !authp_user_has_id(user) &&
                                                                 strcmp(authp_user_username(user, NULL), "") == 0);
    CHECK("anonymous on an AllowAny view -> no authenticator", authp_decision_authenticator(d) == NULL);
    authp_decision_free(d);
}

static void token_cases(authp_engine* e, double* now) {
    char header[128];
    char* key = create_token(e, "alice", "laptop", 0);
    char* carol_key = create_token(e, "carol", "phone", 0);
    char* expiring = create_token(e, "alice", "short-lived", 60);
    authp_decision* d;
    int rc;
    size_t n;
    if (!key || !carol_key || !expiring) goto done;

    CHECK("token create -> 40 lowercase hex characters", is_lower_hex(key, 40));

    d = support_decide(e, NULL, "GET", support_token(key));
    support_check_decision("token valid -> 200", d, 200, NULL, NULL);
    CHECK_STR("token valid -> user alice", support_username(d), "alice");
    CHECK_STR("token valid -> authenticator TokenAuthentication", authp_decision_authenticator(d),
              "TokenAuthentication");
    CHECK_CONTAINS("token valid -> auth JSON names the token", authp_decision_auth_json(d), "laptop");
    authp_decision_free(d);

    snprintf(header, sizeof header, "token %s", key);
    expect("token lowercase keyword -> 200", e, NULL, "GET", header, 200, NULL, NULL);

    d = support_decide(e, NULL, "GET", "Token 0000000000000000000000000000000000000000");
    support_check_decision("token bad -> 401 Invalid token.", d, 401, "authentication_failed", "Invalid token.");
    CHECK_STR("token bad -> challenge of the first authenticator (Basic)", support_header(d, "WWW-Authenticate"),
              kBasicChallenge);
    authp_decision_free(d);

    expect("token alone -> no credentials provided", e, NULL, "GET", "Token", 401, "authentication_failed",
           "Invalid token header. No credentials provided.");
    expect("token foo bar -> should not contain spaces", e, NULL, "GET", "Token foo bar", 401, "authentication_failed",
           "Invalid token header. Token string should not contain spaces.");
    expect("token with a non-UTF-8 byte -> invalid characters", e, NULL, "GET", "Token abcd\xb8", 401,
           "authentication_failed", "Invalid token header. Token string should not contain invalid characters.");
    expect("token of an inactive user -> User inactive or deleted.", e, NULL, "GET", support_token(carol_key), 401,
           "authentication_failed", "User inactive or deleted.");

    /* A NUL byte is data: "Token <key>\0junk" is another key, not a truncated valid one. */
    n = (size_t)snprintf(header, sizeof header, "Token %s", key);
    memcpy(header + n, "\0junk", 5);
    d = support_decide_n(&rc, e, NULL, "GET", header, n + 5);
    CHECK_INT("header with NUL byte -> evaluate OK", rc, AUTHP_OK);
    support_check_decision("header with NUL byte -> not truncated, Invalid token.", d, 401, "authentication_failed",
                           "Invalid token.");
    CHECK("header with NUL byte -> no user authenticated", authp_decision_authenticator(d) == NULL);
    authp_decision_free(d);
    d = support_decide_n(&rc, e, NULL, "GET", header, n);
    support_check_decision("header with NUL byte -> same bytes before the NUL do authenticate", d, 200, NULL, NULL);
    authp_decision_free(d);

    /* Expiry follows the injected clock (the token was created at *now with expires_in 60). */
    expect("token expiring -> valid before expiry", e, NULL, "GET", support_token(expiring), 200, NULL, NULL);
    *now += 59;
    expect("token expiring -> valid 59 s later (cached)", e, NULL, "GET", support_token(expiring), 200, NULL, NULL);
    *now += 2;
    expect("token expired -> Token has expired.", e, NULL, "GET", support_token(expiring), 401, "authentication_failed",
           "Token has expired.");

    /* Deactivation and role changes reach cached tokens at once. */
    authp_user_set_active(e, "alice", 5, 0);
    expect("token after deactivation -> User inactive or deleted.", e, NULL, "GET", support_token(key), 401,
           "authentication_failed", "User inactive or deleted.");
    authp_user_set_active(e, "alice", 5, 1);
    authp_user_set_roles(e, "alice", 5, 1, 0);
    expect("token after set roles staff -> admin view 200", e, "admin", "GET", support_token(key), 200, NULL, NULL);
    authp_user_set_roles(e, "alice", 5, 0, 0);
    expect("token after set roles non-staff -> admin view 403", e, "admin", "GET", support_token(key), 403,
           "permission_denied", kPermissionDenied);

    rc = authp_token_revoke(e, key, strlen(key));
    CHECK_INT("token revoke -> OK", rc, AUTHP_OK);
    expect("token revoked -> Invalid token.", e, NULL, "GET", support_token(key), 401, "authentication_failed",
           "Invalid token.");
    rc = authp_token_revoke(e, key, strlen(key));
    CHECK_INT("token revoke twice -> AUTHP_ENOTFOUND", rc, AUTHP_ENOTFOUND);

done:
    authp_free(key);
    authp_free(carol_key);
    authp_free(expiring);
}

static void permission_cases(authp_engine* e) {
    char alice[64];
    authp_decision* d;

    snprintf(alice, sizeof alice, "%s", support_basic("alice:wonderland"));

    expect("IsAuthenticated anonymous -> 401 not_authenticated", e, NULL, "GET", NULL, 401, "not_authenticated",
           kNotProvided);
    expect("IsAdminUser non-staff -> 403 permission_denied", e, "admin", "GET", alice, 403, "permission_denied",
           kPermissionDenied);
    expect("IsAdminUser staff -> 200", e, "admin", "GET", support_basic("bob:looking-glass"), 200, NULL, NULL);
    d = support_decide(e, "admin", "GET", NULL);
    support_check_decision("IsAdminUser anonymous -> 401 not_authenticated", d, 401, "not_authenticated", kNotProvided);
    CHECK_STR("IsAdminUser anonymous -> WWW-Authenticate Basic realm=\"api\"", support_header(d, "WWW-Authenticate"),
              kBasicChallenge);
    authp_decision_free(d);

    d = support_decide(e, "token_first", "GET", NULL);
    support_check_decision("first authenticator Token, anonymous -> 401", d, 401, "not_authenticated", kNotProvided);
    CHECK_STR("first authenticator Token -> WWW-Authenticate Token", support_header(d, "WWW-Authenticate"), "Token");
    authp_decision_free(d);
    d = support_decide(e, "no_authenticators", "GET", NULL);
    support_check_decision("no authenticators, IsAuthenticated -> 403 permission_denied", d, 403, "permission_denied",
                           kPermissionDenied);
    CHECK("no authenticators -> no WWW-Authenticate", support_header(d, "WWW-Authenticate") == NULL);
    authp_decision_free(d);

    /* Composition through JSON: {"and": …}, {"or": …}, {"not": …}. */
    expect("and(IsAuthenticated, IsAdminUser) staff -> 200", e, "and_view", "GET", support_basic("bob:looking-glass"),
           200, NULL, NULL);
    expect("and(IsAuthenticated, IsAdminUser) non-staff -> 403", e, "and_view", "GET", alice, 403, "permission_denied",
           kPermissionDenied);
    expect("and(IsAuthenticated, IsAdminUser) anonymous -> 401", e, "and_view", "GET", NULL, 401, "not_authenticated",
           kNotProvided);
    expect("or(IsAdminUser, IsAuthenticatedOrReadOnly) GET anonymous -> 200", e, "or_view", "GET", NULL, 200, NULL,
           NULL);
    expect("or(IsAdminUser, IsAuthenticatedOrReadOnly) POST anonymous -> 401", e, "or_view", "POST", NULL, 401,
           "not_authenticated", kNotProvided);
    expect("or(IsAdminUser, IsAuthenticatedOrReadOnly) POST non-staff -> 200", e, "or_view", "POST", alice, 200, NULL,
           NULL);
    expect("not(IsAuthenticated) anonymous -> 200", e, "not_view", "GET", NULL, 200, NULL, NULL);
    expect("not(IsAuthenticated) authenticated -> 403", e, "not_view", "GET", alice, 403, "permission_denied",
           kPermissionDenied);
    expect("IsAuthenticatedOrReadOnly GET anonymous -> 200", e, "readonly", "GET", NULL, 200, NULL, NULL);
    expect("IsAuthenticatedOrReadOnly HEAD anonymous -> 200", e, "readonly", "HEAD", NULL, 200, NULL, NULL);
    expect("IsAuthenticatedOrReadOnly POST anonymous -> 401", e, "readonly", "POST", NULL, 401, "not_authenticated",
           kNotProvided);
    expect("IsAuthenticatedOrReadOnly POST authenticated -> 200", e, "readonly", "POST", alice, 200, NULL, NULL);
}

/* authp_engine_cache_stats: a repeated Basic check is a hit; counters only grow. */
static void cache_stats_cases(authp_engine* e) {
    uint64_t hits0 = 0, misses0 = 0, hits1 = 0, misses1 = 0;
    authp_decision* d;
    CHECK_INT("cache stats", authp_engine_cache_stats(&hits0, &misses0, e), AUTHP_OK);
    d = support_decide(e, NULL, "GET", support_basic("alice:wonderland"));
    authp_decision_free(d);
    d = support_decide(e, NULL, "GET", support_basic("alice:wonderland"));
    authp_decision_free(d);
    CHECK_INT("cache stats again", authp_engine_cache_stats(&hits1, &misses1, e), AUTHP_OK);
    CHECK("cache stats: the repeated check is a hit", hits1 >= hits0 + 1);
    CHECK("cache stats: misses never go back", misses1 >= misses0);
    CHECK_INT("cache stats: NULL outputs are allowed", authp_engine_cache_stats(NULL, NULL, e), AUTHP_OK);
    CHECK_INT("cache stats: NULL engine is misuse", authp_engine_cache_stats(&hits1, NULL, NULL), AUTHP_EMISUSE);
}

/* authp_decision_body_json: DRF's {"detail": …} for a denial, AUTHP_ENOTFOUND when allowed. */
static void body_cases(authp_engine* e) {
    const char* body = "unset";
    size_t len = 7;
    authp_decision* d = support_decide(e, NULL, "GET", NULL);
    CHECK_INT("body of a denial", authp_decision_body_json(&body, &len, d), AUTHP_OK);
    CHECK_STR("body is {detail}", body, "{\"detail\":\"Authentication credentials were not provided.\"}");
    CHECK("body length", len == strlen(body));
    CHECK_CONTAINS("decision JSON carries the body", authp_decision_to_json(d, NULL),
                   ",\"body\":{\"detail\":\"Authentication credentials were not provided.\"}}");
    authp_decision_free(d);
    d = support_decide(e, "public", "GET", NULL);
    CHECK_INT("no body when allowed", authp_decision_body_json(&body, &len, d), AUTHP_ENOTFOUND);
    CHECK("allowed: NULL body", body == NULL && len == 0);
    authp_decision_free(d);
    CHECK_INT("NULL out", authp_decision_body_json(NULL, NULL, NULL), AUTHP_EMISUSE);
    CHECK_INT("NULL decision", authp_decision_body_json(&body, NULL, NULL), AUTHP_EMISUSE);
}

void test_decisions(void) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    double now = 1700000000.0;

    check_section("decisions: Basic, Token, permissions");
    CHECK_INT("config new", authp_config_new(&cfg), AUTHP_OK);
    CHECK_INT("config set clock", authp_config_set_clock(cfg, fake_clock, &now, NULL), AUTHP_OK);
    e = support_engine(cfg, kConfig);
    if (e) {
        CHECK("engine has view admin", authp_engine_has_view(e, "admin", 5) == 1);
        CHECK("engine has no view nope", authp_engine_has_view(e, "nope", 4) == 0);
        support_add_user(e, "alice", "wonderland", 0);
        support_add_user(e, "bob", "looking-glass", AUTHP_USER_STAFF);
        support_add_user(e, "carol", "cheshire", AUTHP_USER_INACTIVE);
        basic_cases(e);
        token_cases(e, &now);
        permission_cases(e);
        cache_stats_cases(e);
        body_cases(e);
    }
    authp_engine_free(e);
    authp_config_free(cfg);
}
