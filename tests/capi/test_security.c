/* Security review (issue 22) findings that show at the C ABI: a non-finite or throwing host clock
 * (7, 9) is AUTHP_ECALLBACK with the safe 503 decision, never an allow or a NULL decision; and
 * authp_request_header caps the name length as add_header does (16). */
#include <math.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

double throwing_clock(void* payload); /* throwing_clock.cc */

static double nan_clock(void* payload) {
    (void)payload;
    return NAN;
}

static void clock_case(const char* name, authp_clock_cb clock) {
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    int rc = 0;
    CHECK_INT("config new", authp_config_new(&cfg), AUTHP_OK);
    CHECK_INT("set clock", authp_config_set_clock(cfg, clock, NULL, NULL), AUTHP_OK);
    e = support_engine(cfg,
                       "{\"DEFAULT_PERMISSION_CLASSES\": [\"IsAuthenticated\"], \"PASSWORD_ITERATIONS\": 1000,"
                       " \"LOGIN_FAILURES\": null}");
    if (e) {
        authp_decision* d = support_decide_n(&rc, e, NULL, "GET", "Basic YTpi", 10);
        CHECK_INT(check_fmt("%s: evaluate -> ECALLBACK", name), rc, AUTHP_ECALLBACK);
        CHECK(check_fmt("%s: a decision is returned", name), d != NULL);
        if (d) {
            CHECK_INT(check_fmt("%s: the safe denial is 503", name), authp_decision_status(d), 503);
            CHECK(check_fmt("%s: not allowed", name), authp_decision_allowed(d) == 0);
        }
        authp_decision_free(d);
    }
    authp_engine_free(e);
    authp_config_free(cfg);
}

void test_security(void) {
    check_section("security review (issue 22)");
    clock_case("finding 22.7 NaN clock", nan_clock);
    clock_case("finding 22.9 throwing C++ clock", throwing_clock);
    {
        authp_config* cfg = NULL;
        CHECK_INT("config new", authp_config_new(&cfg), AUTHP_OK);
        CHECK_INT("finding 22.8: loading /dev/zero is a bounded read and AUTHP_ECONFIG",
                  authp_config_load_file(cfg, "/dev/zero"), AUTHP_ECONFIG);
        CHECK("finding 22.8: the error names the file", strstr(authp_error_last(), "/dev/zero") != NULL);
        authp_config_free(cfg);
    }
    {
        authp_config* cfg = NULL;
        authp_engine* e = NULL;
        authp_request* req = NULL;
        char name[400];
        const char* value = NULL;
        size_t len = 0;
        memset(name, 'x', sizeof name);
        CHECK_INT("config new", authp_config_new(&cfg), AUTHP_OK);
        e = support_engine(cfg, "{}");
        if (e && authp_request_new(&req, e) == AUTHP_OK) {
            CHECK_INT("finding 22.16: add X-A", authp_request_add_header(req, "X-A", 3, "1", 1), AUTHP_OK);
            CHECK_INT("finding 22.16: a 400-byte name is not found",
                      authp_request_header(req, name, sizeof name, &value, &len), AUTHP_ENOTFOUND);
            CHECK_INT("finding 22.16: x-a is found", authp_request_header(req, "x-a", 3, &value, &len), AUTHP_OK);
        }
        authp_request_free(req);
        authp_engine_free(e);
        authp_config_free(cfg);
    }
}
