/* authp_engine_reload: a new policy without a restart; a bad one is refused and the old serves. */
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static const char* const kOpen =
    "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_AUTHENTICATION_CLASSES\": [\"BasicAuthentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"AllowAny\"], \"VIEWS\": {\"a\": {}}}";
static const char* const kClosed =
    "{\"PASSWORD_ITERATIONS\": 1000, \"DEFAULT_AUTHENTICATION_CLASSES\": [\"BasicAuthentication\"],"
    " \"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"], \"VIEWS\": {\"b\": {}}}";

static int load(authp_config* cfg, const char* json) {
    return authp_config_load_json(cfg, json, strlen(json), NULL);
}

void test_reload(void) {
    authp_config* cfg = NULL;
    CHECK("reload: config", authp_config_new(&cfg) == AUTHP_OK);
    authp_engine* e = support_engine(cfg, kOpen);
    support_add_user(e, "alice", "pw", 0);
    authp_request* req = NULL;
    CHECK("reload: request", authp_request_new(&req, e) == AUTHP_OK);

    authp_decision* d = support_decide(e, "", "GET", "");
    support_check_decision("reload: open before", d, 200, NULL, NULL);
    authp_decision_free(d);
    CHECK("reload: view a before", authp_engine_has_view(e, "a", 1) == 1);

    CHECK("reload: load closed", load(cfg, kClosed) == AUTHP_OK);
    CHECK("reload: ok", authp_engine_reload(e, cfg) == AUTHP_OK);
    d = support_decide(e, "", "GET", "");
    support_check_decision("reload: closed after", d, 401, "not_authenticated", NULL);
    authp_decision_free(d);
    CHECK("reload: view a gone", authp_engine_has_view(e, "a", 1) == 0);
    CHECK("reload: view b", authp_engine_has_view(e, "b", 1) == 1);
    /* Same DATABASE and callbacks: the directory is kept, alice still logs in. */
    d = support_decide(e, "", "GET", support_basic("alice:pw"));
    support_check_decision("reload: directory kept", d, 200, NULL, NULL);
    authp_decision_free(d);

    /* A configuration that fails to build is refused with its error; the old policy serves. */
    CHECK("reload: load bad",
          load(cfg, "{\"DEFAULT_AUTHENTICATION_CLASSES\": [\"NoSuchAuthentication\"]}") == AUTHP_OK);
    CHECK("reload: bad refused", authp_engine_reload(e, cfg) == AUTHP_ECONFIG);
    CHECK("reload: error names the class", strstr(authp_error_last(), "NoSuchAuthentication") != NULL);
    d = support_decide(e, "", "GET", "");
    support_check_decision("reload: old policy kept", d, 401, "not_authenticated", NULL);
    authp_decision_free(d);
    CHECK("reload: NULL engine", authp_engine_reload(NULL, cfg) == AUTHP_EMISUSE);

    /* A request made before a reload still works after it. */
    CHECK("reload: back to open", load(cfg, kOpen) == AUTHP_OK && authp_engine_reload(e, cfg) == AUTHP_OK);
    authp_decision* d2 = NULL;
    CHECK("reload: old request", authp_engine_evaluate(&d2, e, req) == AUTHP_OK);
    support_check_decision("reload: old request decides on the new policy", d2, 200, NULL, NULL);
    authp_decision_free(d2);
    authp_request_free(req);
    authp_engine_free(e);
    authp_config_free(cfg);
}
