// The JSON policy: parse_config_text (what authp_config_load_json runs), and for a policy that stays
// in memory (DATABASE ":memory:", no Redis) the engine build (class resolution, views, throttles).
// Oracles: only authpolicy::Error(Config) may leave the parser (anything else would reach the C API
// as a generic AUTHP_ERROR instead of a message naming the key); and the message rule of
// docs/configuration.md "Errors": names are shown escaped and cut at 64 bytes, values never. So a
// message holds no control character, never 65 consecutive bytes of a string value, and never the
// value of a "secret", "public_key_pem" or "SECRET_KEY".
// Input: the configuration text.
#include <cstdint>
#include <string>
#include <unordered_set>

#include "core/common/error.h"
#include "core/engine/config.h"
#include "core/engine/engine.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;

void check_message(std::string_view input, const std::string& message) {
    for (unsigned char c : message) require(c >= 0x20 && c != 0x7f, "no control character in a message", message);
    // No 65-byte window of a string value (one byte more than a shown name) appears in the message.
    // Windows are compared by hash, not with find(): libFuzzer's comparison hooks would otherwise
    // teach the fuzzer the message text, which it then writes into a value (a coincidence, not an
    // echo). The cut mark "..." is no part of a quote: value windows holding it are skipped, and
    // message windows are taken between cut marks, so that a name cut at 64 bytes whose value goes
    // on with "." does not read as 65 (found by CI's 20 s run, 2026-12-07).
    constexpr size_t kWindow = 65;
    std::unordered_set<size_t> message_windows;
    for (size_t start = 0; start < message.size();) {
        size_t end = message.find("...", start);
        if (end == std::string::npos) end = message.size();
        const std::string_view segment = std::string_view(message).substr(start, end - start);
        for (size_t i = 0; i + kWindow <= segment.size(); ++i)
            message_windows.insert(std::hash<std::string_view>{}(segment.substr(i, kWindow)));
        start = end + 3;
    }
    const auto no_long_echo = [&](std::string_view value) {
        for (size_t i = 0; i + kWindow <= value.size(); ++i) {
            const std::string_view w = value.substr(i, kWindow);
            if (w.find("...") != std::string_view::npos) continue;
            require(message_windows.count(std::hash<std::string_view>{}(w)) == 0,
                    "a message never quotes more than 64 bytes of a value", message);
        }
    };
    // The values that must never appear, whatever their length (parsed leniently here).
    const auto doc = nlohmann::json::parse(input, nullptr, false);
    if (doc.is_discarded()) return;
    std::vector<const nlohmann::json*> todo{&doc};
    while (!todo.empty()) {
        const nlohmann::json* j = todo.back();
        todo.pop_back();
        if (j->is_array()) {
            for (const auto& v : *j) todo.push_back(&v);
        } else if (j->is_object()) {
            for (const auto& [k, v] : j->items()) {
                if ((k == "secret" || k == "public_key_pem" || k == "SECRET_KEY") && v.is_string() &&
                    v.get_ref<const std::string&>().size() >= 4)
                    require(message.find(v.get_ref<const std::string&>()) == std::string::npos,
                            "a message never quotes a secret", message);
                todo.push_back(&v);
            }
        } else if (j->is_string()) {
            no_long_echo(j->get_ref<const std::string&>());
        }
    }
}

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
        check_message(text, e.what());
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
        check_message(text, e.what());
    }
    return 0;
}
