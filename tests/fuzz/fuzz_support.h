// Shared pieces of the libFuzzer targets: a C API engine built once per process, and checks that
// abort (so that libFuzzer records the input as a crash) when an oracle is violated.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "authpolicy.h"

namespace authp_fuzz {

// An oracle violation is a finding: print it and abort so that libFuzzer saves the input.
[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "authp_fuzz: oracle violated: %s %s\n", what, detail.c_str());
    std::abort();
}

inline void require(bool ok, const char* what, const std::string& detail = {}) {
    if (!ok) fail(what, detail);
}

// A setup step that must succeed (the fixture, not the input, is wrong otherwise).
inline void setup(int rc, const char* what) {
    if (rc != AUTHP_OK) {
        std::fprintf(stderr, "authp_fuzz: setup %s failed: %s: %s\n", what, authp_strerror(rc), authp_error_last());
        std::abort();
    }
}

// A fixed clock (2023-11-14T22:13:20Z): decisions do not depend on when the fuzzer runs.
inline double fixed_clock(void*) {
    return 1700000000.0;
}

// An engine over a private in-memory database; log lines are discarded.
inline authp_engine* make_engine(const char* json) {
    authp_config* cfg = nullptr;
    setup(authp_config_new(&cfg), "authp_config_new");
    setup(authp_config_load_json(cfg, json, std::strlen(json), nullptr), "authp_config_load_json");
    setup(authp_config_set_clock(cfg, fixed_clock, nullptr, nullptr), "authp_config_set_clock");
    setup(authp_config_set_logger(cfg, nullptr, nullptr, nullptr), "authp_config_set_logger");
    authp_engine* e = nullptr;
    setup(authp_engine_new(&e, cfg), "authp_engine_new");
    authp_config_free(cfg);
    return e;
}

// The statuses a decision may carry (authp_decision_status's documentation).
inline bool valid_status(int s) {
    return s == 200 || s == 400 || s == 401 || s == 403 || s == 429 || s == 503;
}

// authp_error_last() must be valid UTF-8 (bindings decode it as such).
void require_utf8_error(const char* what);

// Every field of a decision is readable and consistent; returns its status.
int check_decision(const authp_decision* d);

}  // namespace authp_fuzz
