// DRF throttle rate strings ("100/day"): parse_rate, directly and inside a configuration's
// DEFAULT_THROTTLE_RATES (where a bad rate is a configuration error naming the key).
// Oracles: a parsed rate has a non-negative count and one of DRF's four periods; a refusal has an
// error message.
// Input: the rate text.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/throttle/rate.h"
#include "fuzz_support.h"

namespace {
using authp_fuzz::require;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    const auto rate = authpolicy::throttle::parse_rate(text, &error);
    if (rate) {
        require(rate->num_requests >= 0, "a rate's count is not negative");
        require(rate->duration == 1 || rate->duration == 60 || rate->duration == 3600 || rate->duration == 86400,
                "a rate's period is s, m, h or d");
    } else {
        require(!error.empty(), "a refused rate says why");
    }
    // Through the configuration (JSON-escaped by nlohmann; invalid UTF-8 cannot be a JSON string).
    nlohmann::json j = {{"DEFAULT_THROTTLE_CLASSES", {"AnonRateThrottle"}},
                        {"DEFAULT_THROTTLE_RATES", {{"anon", std::string(text)}}}};
    std::string json;
    try {
        json = j.dump();
    } catch (const nlohmann::json::type_error&) {
        return 0;  // not UTF-8
    }
    authp_config* cfg = nullptr;
    authp_fuzz::setup(authp_config_new(&cfg), "authp_config_new");
    const int rc = authp_config_load_json(cfg, json.data(), json.size(), nullptr);
    require(rc == AUTHP_OK || rc == AUTHP_ECONFIG, "a rate in the configuration: OK or AUTHP_ECONFIG",
            authp_error_last());
    authp_fuzz::require_utf8_error("configuration error messages are valid UTF-8");
    if (rc == AUTHP_OK) {
        authp_engine* e = nullptr;
        const int erc = authp_engine_new(&e, cfg);
        require(erc == AUTHP_OK || erc == AUTHP_ECONFIG, "engine with the rate", authp_error_last());
        if (erc == AUTHP_OK) {
            authp_request* req = nullptr;
            authp_fuzz::setup(authp_request_new(&req, e), "request");
            authp_decision* d = nullptr;
            require(authp_engine_evaluate(&d, e, req) == AUTHP_OK, "evaluate with the rate", authp_error_last());
            const int s = authp_fuzz::check_decision(d);
            require(s == 200 || s == 429, "an anonymous request is allowed or throttled");
            authp_decision_free(d);
            authp_request_free(req);
            authp_engine_free(e);
        }
    }
    authp_config_free(cfg);
    return 0;
}
