// Shared helpers of the stress and fault programs (C++ over the C API only).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "authpolicy.h"

namespace authp_stress {

inline double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] inline void die(const char* what, int rc) {
    std::fprintf(stderr, "FATAL: %s: %s: %s\n", what, authp_strerror(rc), authp_error_last());
    std::exit(2);
}

inline void must(int rc, const char* what) {
    if (rc != AUTHP_OK) die(what, rc);
}

inline std::string base64(std::string_view in) {
    static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16;
        out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
    }
    return out;
}

inline std::string make_tempdir() {
    char tmpl[] = "/tmp/authp-stress-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
        std::perror("mkdtemp");
        std::exit(2);
    }
    return tmpl;
}

// An engine from a JSON policy; log lines are discarded unless verbose.
inline authp_engine* engine_from(const std::string& json, int* rc_out = nullptr) {
    authp_config* cfg = nullptr;
    must(authp_config_new(&cfg), "authp_config_new");
    must(authp_config_load_json(cfg, json.data(), json.size(), nullptr), "authp_config_load_json");
    must(authp_config_set_logger(cfg, nullptr, nullptr, nullptr), "authp_config_set_logger");
    authp_engine* e = nullptr;
    const int rc = authp_engine_new(&e, cfg);
    authp_config_free(cfg);
    if (rc_out)
        *rc_out = rc;
    else
        must(rc, "authp_engine_new");
    return e;
}

struct Outcome {
    int rc = AUTHP_OK;
    int status = 0;
    std::string code;
    bool allowed() const { return rc == AUTHP_OK && status == 200; }
    // A backend's outage: the 503 safe denial with AUTHP_ESTORE.
    bool unavailable() const { return rc == AUTHP_ESTORE && status == 503 && code == "service_unavailable"; }
    std::string str() const { return "rc " + std::to_string(rc) + " status " + std::to_string(status) + " " + code; }
};

// One GET decision with one header (`header` nullptr: none).
inline Outcome decide(const authp_engine* e, const char* header, const std::string& value) {
    Outcome o;
    authp_request* req = nullptr;
    must(authp_request_new(&req, e), "authp_request_new");
    (void)authp_request_set_method(req, "GET", 3);
    if (header != nullptr) (void)authp_request_add_header(req, header, std::strlen(header), value.data(), value.size());
    authp_decision* d = nullptr;
    o.rc = authp_engine_evaluate(&d, e, req);
    if (d != nullptr) {
        o.status = authp_decision_status(d);
        if (const char* c = authp_decision_code(d)) o.code = c;
    }
    authp_decision_free(d);
    authp_request_free(req);
    return o;
}

// One decision for an Authorization header (empty: none).
inline Outcome decide(const authp_engine* e, const std::string& authorization) {
    return decide(e, authorization.empty() ? nullptr : "Authorization", authorization);
}

inline std::string token_header(const std::string& key) {
    return "Token " + key;
}
inline std::string basic_header(const std::string& user, const std::string& password) {
    return "Basic " + base64(user + ":" + password);
}

}  // namespace authp_stress
