/* Throttles (429 with Retry-After) and the logger, through the C API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "support.h"
#include "tests.h"

static double fake_clock(void* payload) {
    return *(const double*)payload;
}

static authp_decision* decide_from(const authp_engine* e, const char* view, const char* addr,
                                   const char* authorization) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    int rc;
    if (authp_request_new(&req, e) != AUTHP_OK) return NULL;
    if (view) authp_request_set_view(req, view, strlen(view));
    authp_request_set_remote_addr(req, addr, strlen(addr));
    if (authorization) authp_request_add_header(req, "Authorization", 13, authorization, strlen(authorization));
    rc = authp_engine_evaluate(&d, e, req);
    if (rc != AUTHP_OK)
        check_record(0, "throttle: evaluate", check_fmt("rc %d: %s", rc, authp_error_last()), __FILE__, __LINE__);
    authp_request_free(req);
    return d;
}

static void throttle_cases(void) {
    static const char* const config =
        "{\"PASSWORD_ITERATIONS\": 1000,"
        " \"DEFAULT_THROTTLE_CLASSES\": [\"AnonRateThrottle\", \"UserRateThrottle\"],"
        " \"DEFAULT_THROTTLE_RATES\": {\"anon\": \"2/min\", \"user\": \"3/min\"},"
        " \"VIEWS\": {\"staff\": {\"permission_classes\": [\"IsAdminUser\"],"
        "                         \"throttle_classes\": [\"UserRateThrottle\"]}}}";
    double now = 1700000000.0;
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_decision* d;
    char alice[64];
    int i, statuses[5];

    check_section("throttles");
    authp_config_new(&cfg);
    authp_config_set_clock(cfg, fake_clock, &now, NULL);
    e = support_engine(cfg, config);
    if (!e) goto done;
    support_add_user(e, "alice", "wonderland", 0);
    snprintf(alice, sizeof alice, "%s", support_basic("alice:wonderland"));

    for (i = 0; i < 2; ++i) authp_decision_free(decide_from(e, NULL, "10.0.0.1", NULL));
    d = decide_from(e, NULL, "10.0.0.1", NULL);
    support_check_decision("anon 2/min, third request -> 429 throttled", d, 429, "throttled",
                           "Request was throttled. Expected available in 60 seconds.");
    CHECK_STR("anon 2/min, third request -> Retry-After 60", support_header(d, "Retry-After"), "60");
    CHECK("anon throttled -> anonymous user in the decision",
          authp_decision_user(d) && !authp_user_is_authenticated(authp_decision_user(d)));
    authp_decision_free(d);
    d = decide_from(e, NULL, "10.0.0.2", NULL);
    support_check_decision("anon throttle -> another address has its own bucket", d, 200, NULL, NULL);
    authp_decision_free(d);
    now += 61;
    d = decide_from(e, NULL, "10.0.0.1", NULL);
    support_check_decision("anon throttle -> allowed again after the window (injected clock)", d, 200, NULL, NULL);
    authp_decision_free(d);

    for (i = 0; i < 3; ++i) authp_decision_free(decide_from(e, NULL, "10.0.0.1", alice));
    d = decide_from(e, NULL, "10.0.0.1", alice);
    support_check_decision("user 3/min, fourth request -> 429 (anon throttle does not apply)", d, 429, "throttled",
                           NULL);
    CHECK_STR("user throttled -> the decision still names the user", support_username(d), "alice");
    authp_decision_free(d);

    /* Throttles run after permissions: a denied request is never counted. */
    for (i = 0; i < 5; ++i) {
        d = decide_from(e, "staff", "10.0.0.3", support_basic("alice:wonderland"));
        statuses[i] = authp_decision_status(d);
        authp_decision_free(d);
    }
    CHECK("throttle after permission -> five 403s, never 429",
          statuses[0] == 403 && statuses[1] == 403 && statuses[2] == 403 && statuses[3] == 403 && statuses[4] == 403);

done:
    authp_engine_free(e);
    authp_config_free(cfg);
}

typedef struct log_sink {
    int lines, errors, frees;
    char last[512];
} log_sink;

static void log_line(authp_log_level level, const char* message, size_t len, void* payload) {
    log_sink* sink = (log_sink*)payload;
    ++sink->lines;
    if (level == AUTHP_LOG_ERROR) ++sink->errors;
    snprintf(sink->last, sizeof sink->last, "%.*s", (int)len, message);
}

static void log_sink_free(void* payload) {
    ++((log_sink*)payload)->frees;
}

/* A Redis backend that cannot answer (nothing listens on port 1). */
static void logger_cases(void) {
    static const char* const open_config =
        "{\"DEFAULT_THROTTLE_CLASSES\": [\"AnonRateThrottle\"], \"DEFAULT_THROTTLE_RATES\": {\"anon\": \"1/min\"},"
        " \"THROTTLE_BACKEND\": {\"TYPE\": \"redis\", \"HOST\": \"127.0.0.1\", \"PORT\": 1, \"TIMEOUT_MS\": 100,"
        " \"RETRY_AFTER\": 0, \"FAILURE_MODE\": \"open\"}}";
    static const char* const closed_config =
        "{\"DEFAULT_THROTTLE_CLASSES\": [\"AnonRateThrottle\"], \"DEFAULT_THROTTLE_RATES\": {\"anon\": \"1/min\"},"
        " \"THROTTLE_BACKEND\": {\"TYPE\": \"redis\", \"HOST\": \"127.0.0.1\", \"PORT\": 1, \"TIMEOUT_MS\": 100,"
        " \"FAILURE_MODE\": \"closed\"}}";
    log_sink sink;
    authp_config* cfg = NULL;
    authp_engine* e = NULL;
    authp_decision* d;
    int i, rc, allowed = 1;

    check_section("logger and throttle backend failures");
    memset(&sink, 0, sizeof sink);
    CHECK_INT("NULL config_set_logger -> EMISUSE", authp_config_set_logger(NULL, log_line, &sink, log_sink_free),
              AUTHP_EMISUSE);
    CHECK_INT("NULL config_set_logger -> payload not freed", sink.frees, 0);

    authp_config_new(&cfg);
    CHECK_INT("set logger -> OK", authp_config_set_logger(cfg, log_line, &sink, log_sink_free), AUTHP_OK);
    e = support_engine(cfg, open_config);
    if (e) {
        for (i = 0; i < 3; ++i) {
            d = decide_from(e, NULL, "10.0.0.1", NULL);
            allowed = allowed && authp_decision_status(d) == 200;
            authp_decision_free(d);
        }
        CHECK("backend down, FAILURE_MODE open -> requests allowed (not throttled)", allowed);
        CHECK_INT("backend down -> one error line, not one per request", sink.errors, 1);
        CHECK_CONTAINS("backend down -> the line says it fails open", sink.last, "failing open");
    }
    authp_engine_free(e);
    e = NULL;
    CHECK_INT("logger payload -> kept while the config lives", sink.frees, 0);
    authp_config_free(cfg);
    CHECK_INT("logger payload -> freed once", sink.frees, 1);

    memset(&sink, 0, sizeof sink);
    authp_config_new(&cfg);
    authp_config_set_logger(cfg, NULL, NULL, NULL); /* discard log lines */
    e = support_engine(cfg, closed_config);
    if (e) {
        d = support_decide_n(&rc, e, NULL, "GET", NULL, 0);
        CHECK_INT("backend down, FAILURE_MODE closed -> AUTHP_ESTORE", rc, AUTHP_ESTORE);
        support_check_decision("backend down, FAILURE_MODE closed -> 503 safe denial", d, 503, "service_unavailable",
                               NULL);
        authp_decision_free(d);
    }
    authp_engine_free(e);
    authp_config_free(cfg);
}

void test_throttle(void) {
    throttle_cases();
    logger_cases();
}
