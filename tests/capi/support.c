#include "support.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

authp_engine* support_engine(authp_config* cfg, const char* json) {
    authp_engine* engine = NULL;
    int rc = authp_config_load_json(cfg, json, strlen(json), NULL);
    if (rc != AUTHP_OK) {
        check_record(0, "support: load configuration", check_fmt("rc %d: %s", rc, authp_error_last()), __FILE__,
                     __LINE__);
        return NULL;
    }
    rc = authp_engine_new(&engine, cfg);
    if (rc != AUTHP_OK) {
        check_record(0, "support: build engine", check_fmt("rc %d: %s", rc, authp_error_last()), __FILE__, __LINE__);
        return NULL;
    }
    return engine;
}

authp_decision* support_decide_n(int* rc, const authp_engine* engine, const char* view, const char* method,
                                 const char* authorization, size_t authorization_len) {
    authp_request* req = NULL;
    authp_decision* d = NULL;
    *rc = authp_request_new(&req, engine);
    if (*rc != AUTHP_OK) return NULL;
    if (view) authp_request_set_view(req, view, strlen(view));
    if (method) authp_request_set_method(req, method, strlen(method));
    authp_request_set_path(req, "/items", 6);
    if (authorization) authp_request_add_header(req, "Authorization", 13, authorization, authorization_len);
    *rc = authp_engine_evaluate(&d, engine, req);
    authp_request_free(req);
    return d;
}

authp_decision* support_decide(const authp_engine* engine, const char* view, const char* method,
                               const char* authorization) {
    int rc = AUTHP_OK;
    authp_decision* d =
        support_decide_n(&rc, engine, view, method, authorization, authorization ? strlen(authorization) : 0);
    if (rc != AUTHP_OK)
        check_record(0, "support: evaluate", check_fmt("rc %d: %s", rc, authp_error_last()), __FILE__, __LINE__);
    return d;
}

const char* support_basic(const char* user_colon_password) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static char out[1024];
    const unsigned char* in = (const unsigned char*)user_colon_password;
    const size_t n = strlen(user_colon_password);
    size_t i, o = 0;
    memcpy(out, "Basic ", 6);
    o = 6;
    for (i = 0; i < n && o + 5 < sizeof out; i += 3) {
        const unsigned long b = ((unsigned long)in[i] << 16) | (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0) |
                                (i + 2 < n ? (unsigned long)in[i + 2] : 0);
        out[o++] = alphabet[(b >> 18) & 63];
        out[o++] = alphabet[(b >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(b >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[b & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

const char* support_token(const char* key) {
    static char out[512];
    snprintf(out, sizeof out, "Token %s", key ? key : "");
    return out;
}

const char* support_header(const authp_decision* d, const char* name) {
    size_t i;
    const size_t count = authp_decision_header_count(d);
    for (i = 0; i < count; ++i) {
        const char *n = NULL, *v = NULL;
        if (authp_decision_header(d, i, &n, &v) == AUTHP_OK && n && strcmp(n, name) == 0) return v;
    }
    return NULL;
}

const char* support_username(const authp_decision* d) {
    const authp_user* user = authp_decision_user(d);
    return user ? authp_user_username(user, NULL) : NULL;
}

void support_check_decision_at(const char* name, const authp_decision* d, int status, const char* code,
                               const char* detail, const char* file, int line) {
    const char* got_code = authp_decision_code(d);
    const char* got_detail = authp_decision_detail(d);
    int ok = d != NULL && authp_decision_status(d) == status && authp_decision_allowed(d) == (status == 200);
    if (code) ok = ok && got_code && strcmp(got_code, code) == 0;
    if (detail) ok = ok && got_detail && strcmp(got_detail, detail) == 0;
    check_record(ok, name,
                 d == NULL ? "no decision"
                           : check_fmt("got %d %s \"%s\", expected %d %s \"%s\"", authp_decision_status(d),
                                       got_code ? got_code : "(no code)", got_detail ? got_detail : "(no detail)",
                                       status, code ? code : "(any code)", detail ? detail : "(any detail)"),
                 file, line);
}

void support_add_user(authp_engine* engine, const char* username, const char* password, unsigned int flags) {
    const int rc =
        authp_user_add(NULL, engine, username, strlen(username), password, password ? strlen(password) : 0, flags);
    if (rc != AUTHP_OK)
        check_record(0, "support: add user", check_fmt("%s: rc %d: %s", username, rc, authp_error_last()), __FILE__,
                     __LINE__);
}
