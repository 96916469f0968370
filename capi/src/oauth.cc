// OAuth 2.0: the host's RFC 7662 introspection callback (access tokens of our own are in the
// directory: directory.cc).
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

struct authp_introspection {
    std::optional<std::string> json;
};

namespace {

constexpr size_t kMaxIntrospectionJson = 64 * 1024;

}  // namespace

extern "C" {

int authp_introspection_set_json(authp_introspection* ctx, const char* json, size_t len) {
    return guard([&]() -> int {
        if (!ctx || (!json && len)) return authp_capi::misuse("NULL context or JSON");
        if (len > kMaxIntrospectionJson) throw Error(ErrorCode::Invalid, "introspection response longer than 64 KiB");
        ctx->json.emplace(view_of(json, len));
        return AUTHP_OK;
    });
}

int authp_config_set_introspection(authp_config* cfg, authp_introspect_cb cb, void* payload,
                                   authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg) return authp_capi::misuse("NULL config");
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        cfg->introspect_payload = holder;
        if (!cb) {
            cfg->hooks.introspect = nullptr;
            return AUTHP_OK;
        }
        cfg->hooks.introspect = [cb, holder](std::string_view token) -> std::string {
            authp_introspection ctx;
            const int rc = cb(&ctx, token.data(), token.size(), holder->ptr);
            if (rc == AUTHP_OK) {
                if (!ctx.json) throw Error(ErrorCode::Callback, "token introspection succeeded without a response");
                return std::move(*ctx.json);
            }
            if (rc == AUTHP_EUSER) throw Error(ErrorCode::User, "token introspection raised an error in the host");
            throw Error(ErrorCode::Callback,
                        "token introspection failed with code " + std::to_string(rc) + " (" + authp_strerror(rc) + ")");
        };
        return AUTHP_OK;
    });
}

}  // extern "C"
