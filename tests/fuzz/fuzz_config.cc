// The JSON policy: parse_config_text (what authp_config_load_json runs), and for a policy that stays
// in memory (DATABASE ":memory:", no Redis) the engine build (class resolution, views, throttles).
// Oracles: only authpolicy::Error(Config) may leave the parser (anything else would reach the C API
// as a generic AUTHP_ERROR instead of a message naming the key); messages never quote string values.
// Input: the configuration text.
#include <cstdint>
#include <string>

#include "core/common/error.h"
#include "core/engine/config.h"
#include "core/engine/engine.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The C API's loader must agree with the parser it wraps.
    authp_config* cfg = nullptr;
    authp_fuzz::setup(authp_config_new(&cfg), "authp_config_new");
    const int rc = authp_config_load_json(cfg, text.data(), text.size(), "/nonexistent-authp-fuzz");
    require(rc == AUTHP_OK || rc == AUTHP_ECONFIG, "authp_config_load_json gives OK or AUTHP_ECONFIG",
            std::string(authp_strerror(rc)) + ": " + authp_error_last());
    authp_fuzz::require_utf8_error("configuration error messages are valid UTF-8");
    authp_config_free(cfg);
    authpolicy::EngineConfig config;
    try {
        config = authpolicy::parse_config_text(text, "/nonexistent-authp-fuzz");
        require(rc == AUTHP_OK, "the C API accepts what the parser accepts");
    } catch (const authpolicy::Error& e) {
        require(rc == AUTHP_ECONFIG, "the C API refuses what the parser refuses");
        require(e.code() == authpolicy::ErrorCode::Config, "configuration errors are AUTHP_ECONFIG", e.what());
        const std::string message = e.what();
        require(message.find("last read") == std::string::npos, "no parser echo of the input", message);
        return 0;
    }
    if (config.database != ":memory:" ||
        config.throttle_backend.type == authpolicy::ThrottleBackendSettings::Type::Redis)
        return 0;  // would touch the file system or the network
    authpolicy::HostHooks hooks;
    hooks.logger = authpolicy::LogFn{};  // discard log lines
    try {
        authpolicy::Engine engine(config, std::move(hooks));
        (void)engine.policy_for("");
    } catch (const authpolicy::Error& e) {
        require(e.code() == authpolicy::ErrorCode::Config || e.code() == authpolicy::ErrorCode::Invalid,
                "engine build errors are configuration errors", e.what());
    }
    return 0;
}
