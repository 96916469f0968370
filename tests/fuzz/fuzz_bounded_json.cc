// parse_bounded_json, the capped parser for every JSON that crosses a boundary (callbacks' user,
// auth and attributes JSON), directly and through the C API setters that use it.
// Oracles: only Error(Invalid) escapes; an accepted document is no deeper than kMaxJsonDepth and
// round-trips; the error message never quotes the input.
// Input: the JSON text.
#include <cstdint>
#include <string>

#include "core/common/bounded_json.h"
#include "core/common/error.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

size_t depth_of(const nlohmann::json& j) {
    if (!j.is_structured()) return 0;
    size_t d = 0;
    for (const auto& child : j) d = std::max(d, depth_of(child));
    return d + 1;
}

struct World {
    authp_engine* engine = nullptr;
    authp_request* req = nullptr;
};

// A custom authenticator that hands the fuzz input to authp_authn_set_user_json / _auth_json.
thread_local std::string_view g_input;
thread_local int g_user_rc, g_auth_rc;

int authenticate(authp_authn_ctx* ctx, const authp_request*, void*) {
    g_user_rc = authp_authn_set_user_json(ctx, g_input.data(), g_input.size());
    g_auth_rc = authp_authn_set_auth_json(ctx, g_input.data(), g_input.size());
    return g_user_rc == AUTHP_OK ? AUTHP_OK : AUTHP_PASSTHROUGH;
}

authp_engine* make_engine() {
    authp_config* cfg = nullptr;
    authp_fuzz::setup(authp_config_new(&cfg), "authp_config_new");
    const char* json = R"({"DEFAULT_AUTHENTICATION_CLASSES": ["fuzz"], "DEFAULT_PERMISSION_CLASSES": ["AllowAny"]})";
    authp_fuzz::setup(authp_config_load_json(cfg, json, std::strlen(json), nullptr), "load");
    authp_authenticator vt = AUTHP_AUTHENTICATOR_INIT;
    vt.authenticate = authenticate;
    authp_fuzz::setup(authp_config_add_authenticator(cfg, "fuzz", &vt, nullptr, nullptr), "add_authenticator");
    authp_fuzz::setup(authp_config_set_logger(cfg, nullptr, nullptr, nullptr), "logger");
    authp_engine* e = nullptr;
    authp_fuzz::setup(authp_engine_new(&e, cfg), "engine");
    authp_config_free(cfg);
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static authp_engine* engine = make_engine();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    bool accepted = false;
    try {
        const nlohmann::json j = authpolicy::parse_bounded_json(text, 64 * 1024);
        accepted = true;
        require(depth_of(j) <= authpolicy::kMaxJsonDepth + 1, "accepted JSON respects the depth cap");
        const std::string dumped = j.dump();
        require(nlohmann::json::parse(dumped) == j, "accepted JSON round-trips");
    } catch (const authpolicy::Error& e) {
        require(e.code() == authpolicy::ErrorCode::Invalid, "bounded JSON errors are AUTHP_EINVALID");
        const std::string message = e.what();
        require(message.find("last read") == std::string::npos, "no parser echo of the input", message);
    }
    // The same text as a custom authenticator's user and auth JSON.
    g_input = text;
    g_user_rc = g_auth_rc = 1;
    authp_request* req = nullptr;
    authp_fuzz::setup(authp_request_new(&req, engine), "request");
    authp_decision* d = nullptr;
    const int rc = authp_engine_evaluate(&d, engine, req);
    // A user JSON that parses but is not a valid user is the host's error: AUTHP_ECALLBACK and the
    // safe 503 denial.
    require(rc == AUTHP_OK || rc == AUTHP_ECALLBACK, "evaluation with a custom authenticator", authp_error_last());
    if (rc == AUTHP_ECALLBACK) {
        require(d != nullptr && authp_decision_status(d) == 503 &&
                    std::string_view(authp_decision_code(d)) == "service_unavailable",
                "a callback failure gives the safe 503 denial");
    }
    require(g_auth_rc == AUTHP_OK || g_auth_rc == AUTHP_EINVALID, "auth JSON setter: OK or AUTHP_EINVALID");
    require(g_user_rc == AUTHP_OK || g_user_rc == AUTHP_EINVALID, "user JSON setter: OK or AUTHP_EINVALID");
    if (!accepted) require(g_auth_rc == AUTHP_EINVALID, "text the bounded parser refuses is refused as auth JSON");
    authp_fuzz::check_decision(d);
    authp_decision_free(d);
    authp_request_free(req);
    return 0;
}
