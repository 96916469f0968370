/* Certificate-bound access tokens (RFC 8705) through the C API: the host passes the verified
 * client certificate with authp_request_set_client_certificate; a token whose cnf names
 * x5t#S256 is accepted only with that certificate. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static const unsigned char kCert[] = {0x30, 0x0a, 'c', 'e', 'r', 't', 'b', 'y', 't', 'e', 's', '!'};
static const unsigned char kOtherCert[] = {0x30, 0x0a, 'o', 't', 'h', 'e', 'r', 'b', 'y', 't', 'e', 's'};

/* "bound": a token whose cnf names base64url(SHA-256(kCert)); anything else: unbound. */
static int introspect(authp_introspection* out, const char* token, size_t len, void* payload) {
    const char* r = "{\"active\": true, \"sub\": \"alice\"}";
    (void)payload;
    if (len == 5 && memcmp(token, "bound", 5) == 0)
        r = "{\"active\": true, \"sub\": \"alice\","
            " \"cnf\": {\"x5t#S256\": \"ZwQBQzdiMb3O2lXJ-KFdEqFDthT0SeR7UZdQpMsXHY8\"}}";
    return authp_introspection_set_json(out, r, strlen(r));
}

/* Evaluates "Authorization: Bearer <token>" with `der` (NULL: no certificate). */
static authp_decision* decide(authp_engine* e, const char* token, const unsigned char* der, size_t len) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    char authorization[64];
    if (authp_request_new(&req, e) != AUTHP_OK) return NULL;
    snprintf(authorization, sizeof authorization, "Bearer %s", token);
    CHECK_INT("add header", authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization)),
              AUTHP_OK);
    if (der) CHECK_INT("set certificate", authp_request_set_client_certificate(req, der, len), AUTHP_OK);
    if (authp_engine_evaluate(&d, e, req) != AUTHP_OK) d = NULL;
    authp_request_free(req);
    return d;
}

void test_cert_binding(void) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_request* req = NULL;
    authp_decision* d = NULL;
    unsigned char big[16385];
    check_section("certificate-bound tokens (RFC 8705)");
    CHECK_INT("config new", authp_config_new(&cfg), AUTHP_OK);
    CHECK_INT("set introspection", authp_config_set_introspection(cfg, introspect, NULL, NULL), AUTHP_OK);
    e = support_engine(cfg,
                       "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_AUTHENTICATION_CLASSES\": [{\"class\":"
                       " \"OAuth2Authentication\", \"source\": \"introspection\", \"lookup_user\": false}],"
                       " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"]}");
    if (!e) {
        authp_config_free(cfg);
        return;
    }
    d = decide(e, "bound", kCert, sizeof kCert);
    support_check_decision("bound token with its certificate", d, 200, NULL, NULL);
    authp_decision_free(d);
    d = decide(e, "bound", kOtherCert, sizeof kOtherCert);
    support_check_decision("bound token with another certificate", d, 401, "invalid_token",
                           "The token is bound to another client certificate.");
    authp_decision_free(d);
    d = decide(e, "bound", NULL, 0);
    support_check_decision("bound token without a certificate", d, 401, "invalid_token",
                           "The token is bound to a client certificate and none was presented.");
    authp_decision_free(d);
    d = decide(e, "plain", NULL, 0);
    support_check_decision("unbound token needs no certificate", d, 200, NULL, NULL);
    authp_decision_free(d);

    /* The conventions of the neighbouring setters: misuse, clearing with len 0, the size cap. */
    CHECK_INT("NULL request", authp_request_set_client_certificate(NULL, kCert, sizeof kCert), AUTHP_EMISUSE);
    CHECK_INT("request new", authp_request_new(&req, e), AUTHP_OK);
    CHECK_INT("NULL bytes with a length", authp_request_set_client_certificate(req, NULL, 3), AUTHP_EMISUSE);
    CHECK_INT("NULL bytes, length 0 clears", authp_request_set_client_certificate(req, NULL, 0), AUTHP_OK);
    memset(big, 0x30, sizeof big);
    CHECK_INT("over the cap is accepted here", authp_request_set_client_certificate(req, big, sizeof big), AUTHP_OK);
    d = NULL;
    CHECK_INT("evaluate", authp_engine_evaluate(&d, e, req), AUTHP_OK);
    CHECK("an oversize certificate is a 400", d != NULL && authp_decision_status(d) == 400);
    authp_decision_free(d);
    authp_request_free(req);
    authp_engine_free(e);
    authp_config_free(cfg);
}
