// Host callbacks: user lookup, password verifier, clock, custom authenticators, and the
// setters through which callbacks hand results back (the library copies everything).
#include <nlohmann/json.hpp>

#include "core/authn/custom_authenticator.h"
#include "core/common/bounded_json.h"
#include "core/http/text_encoding.h"
#include "handles.h"

using authp_capi::guard;
using authp_capi::view_of;
using authpolicy::Error;
using authpolicy::ErrorCode;

namespace authp_capi {
namespace {

constexpr size_t kMaxCallbackJson = 64 * 1024;
constexpr size_t kMaxUsername = 1024;

[[noreturn]] void callback_failed(const std::string& who, int rc) {
    if (rc == AUTHP_EUSER) throw Error(ErrorCode::User, who + " raised an error in the host");
    throw Error(ErrorCode::Callback, who + " failed with code " + std::to_string(rc) + " (" + authp_strerror(rc) + ")");
}

// {"username": …, "id": …, "is_active": …, "is_staff": …, "is_superuser": …, "attributes": {…}}
authpolicy::UserPtr user_from_json(std::string_view text, const std::string& who) {
    nlohmann::json j;
    try {
        j = authpolicy::parse_bounded_json(text, kMaxCallbackJson);
    } catch (const Error& e) {
        throw Error(ErrorCode::Callback, who + " gave a user that is not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw Error(ErrorCode::Callback, who + " gave a user that is not a JSON object");
    auto user = std::make_shared<authpolicy::User>();
    bool has_username = false;
    for (const auto& [key, value] : j.items()) {
        // key is captured through an init-capture: clang before 16 cannot capture a structured binding.
        const auto bad = [&who, &k = key](const char* want) {
            throw Error(ErrorCode::Callback, who + " gave a user whose \"" + k + "\" is not " + want);
        };
        if (key == "username") {
            if (!value.is_string()) bad("a string");
            user->username = value.get<std::string>();
            has_username = !user->username.empty();
        } else if (key == "id") {
            if (value.is_null()) continue;
            if (!value.is_number_integer()) bad("an integer");
            user->id = value.get<int64_t>();
        } else if (key == "is_active" || key == "is_staff" || key == "is_superuser") {
            if (!value.is_boolean()) bad("true or false");
            (key == "is_active"  ? user->is_active
             : key == "is_staff" ? user->is_staff
                                 : user->is_superuser) = value.get<bool>();
        } else if (key == "attributes") {
            if (!value.is_object()) bad("an object");
            user->attributes_json = value.dump();
        } else {
            throw Error(ErrorCode::Callback, who + " gave a user with an unknown key \"" + key + "\"");
        }
    }
    if (!has_username) throw Error(ErrorCode::Callback, who + " gave a user without a username");
    return user;
}

}  // namespace
}  // namespace authp_capi

extern "C" {

int authp_user_builder_set_id(authp_user_builder* b, int64_t id) {
    if (!b) return authp_capi::misuse("NULL user builder");
    b->user.id = id;
    return AUTHP_OK;
}

int authp_user_builder_set_username(authp_user_builder* b, const char* username, size_t len) {
    return guard([&]() -> int {
        if (!b || (!username && len)) return authp_capi::misuse("NULL user builder or username");
        if (len == 0 || len > authp_capi::kMaxUsername || !authpolicy::http::is_valid_utf8(view_of(username, len)))
            throw Error(ErrorCode::Invalid, "username must be 1 to 1024 bytes of UTF-8");
        b->user.username.assign(username, len);
        b->has_username = true;
        return AUTHP_OK;
    });
}

int authp_user_builder_set_flags(authp_user_builder* b, int is_active, int is_staff, int is_superuser) {
    if (!b) return authp_capi::misuse("NULL user builder");
    b->user.is_active = is_active != 0;
    b->user.is_staff = is_staff != 0;
    b->user.is_superuser = is_superuser != 0;
    return AUTHP_OK;
}

int authp_user_builder_set_password_hash(authp_user_builder* b, const char* encoded, size_t len) {
    return guard([&]() -> int {
        if (!b || (!encoded && len)) return authp_capi::misuse("NULL user builder or hash");
        if (len > 4096) throw Error(ErrorCode::Invalid, "password hash longer than 4096 bytes");
        b->user.password.assign(view_of(encoded, len));
        return AUTHP_OK;
    });
}

int authp_user_builder_set_attributes_json(authp_user_builder* b, const char* json, size_t len) {
    return guard([&]() -> int {
        if (!b || (!json && len)) return authp_capi::misuse("NULL user builder or JSON");
        auto j = authpolicy::parse_bounded_json(view_of(json, len), authp_capi::kMaxCallbackJson);
        if (!j.is_object()) throw Error(ErrorCode::Invalid, "attributes must be a JSON object");
        b->user.attributes_json = j.dump();
        return AUTHP_OK;
    });
}

int authp_authenticator_init(authp_authenticator* vtable, unsigned int version) {
    if (!vtable) return authp_capi::misuse("NULL vtable");
    if (version != AUTHP_AUTHENTICATOR_VERSION) {
        authp_capi::set_last_error("unsupported authenticator vtable version");
        return AUTHP_EVERSION;
    }
    *vtable = authp_authenticator{version, nullptr, nullptr};
    return AUTHP_OK;
}

static int set_ctx_text(authp_authn_ctx* ctx, std::optional<std::string> authp_authn_ctx::*field, const char* p,
                        size_t len, bool json) {
    return guard([&]() -> int {
        if (!ctx || (!p && len)) return authp_capi::misuse("NULL context or text");
        if (len > authp_capi::kMaxCallbackJson) throw Error(ErrorCode::Invalid, "value longer than 64 KiB");
        std::string text(view_of(p, len));
        if (json) {
            text = authpolicy::parse_bounded_json(text, authp_capi::kMaxCallbackJson).dump();
        } else if (!authpolicy::http::is_valid_utf8(text)) {
            throw Error(ErrorCode::Invalid, "text is not valid UTF-8");
        }
        ctx->*field = std::move(text);
        return AUTHP_OK;
    });
}

int authp_authn_set_user_json(authp_authn_ctx* ctx, const char* json, size_t len) {
    return set_ctx_text(ctx, &authp_authn_ctx::user_json, json, len, true);
}
int authp_authn_set_auth_json(authp_authn_ctx* ctx, const char* json, size_t len) {
    return set_ctx_text(ctx, &authp_authn_ctx::auth_json, json, len, true);
}
int authp_authn_set_detail(authp_authn_ctx* ctx, const char* detail, size_t len) {
    return set_ctx_text(ctx, &authp_authn_ctx::detail, detail, len, false);
}
int authp_authn_set_challenge(authp_authn_ctx* ctx, const char* challenge, size_t len) {
    return guard([&]() -> int {
        for (size_t i = 0; i < len && challenge; ++i) {
            const auto c = static_cast<unsigned char>(challenge[i]);
            if (c < 0x20 || c == 0x7f) throw Error(ErrorCode::Invalid, "challenge contains a control character");
        }
        return set_ctx_text(ctx, &authp_authn_ctx::challenge, challenge, len, false);
    });
}

int authp_config_set_user_lookup(authp_config* cfg, authp_user_lookup_cb cb, void* payload,
                                 authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg) return authp_capi::misuse("NULL config");
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        cfg->lookup_payload = holder;
        if (!cb) {
            cfg->hooks.user_lookup = nullptr;
            return AUTHP_OK;
        }
        cfg->hooks.user_lookup = [cb, holder](std::optional<std::string_view> username,
                                              int64_t id) -> std::optional<authpolicy::UserPtr> {
            authp_user_builder b;
            const int rc = username
                               ? cb(&b, AUTHP_LOOKUP_BY_USERNAME, username->data(), username->size(), 0, holder->ptr)
                               : cb(&b, AUTHP_LOOKUP_BY_ID, nullptr, 0, id, holder->ptr);
            if (rc == AUTHP_OK) {
                if (!b.has_username) throw Error(ErrorCode::Callback, "user lookup found a user without a username");
                return std::make_shared<const authpolicy::User>(std::move(b.user));
            }
            if (rc == AUTHP_ENOTFOUND) return authpolicy::UserPtr{};
            if (rc == AUTHP_PASSTHROUGH) return std::nullopt;
            authp_capi::callback_failed("user lookup", rc);
        };
        return AUTHP_OK;
    });
}

int authp_config_set_password_verifier(authp_config* cfg, authp_password_verify_cb cb, void* payload,
                                       authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg) return authp_capi::misuse("NULL config");
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        cfg->verify_payload = holder;
        if (!cb) {
            cfg->hooks.password_verify = nullptr;
            return AUTHP_OK;
        }
        cfg->hooks.password_verify = [cb, holder](const authpolicy::User& user,
                                                  std::string_view password) -> std::optional<bool> {
            authp_user view{std::shared_ptr<const authpolicy::User>(&user, [](const authpolicy::User*) {}), {}};
            int matches = 0;
            const int rc = cb(&matches, &view, password.data(), password.size(), holder->ptr);
            if (rc == AUTHP_OK) return matches != 0;
            if (rc == AUTHP_PASSTHROUGH) return std::nullopt;
            authp_capi::callback_failed("password verifier", rc);
        };
        return AUTHP_OK;
    });
}

int authp_config_set_clock(authp_config* cfg, authp_clock_cb cb, void* payload, authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg) return authp_capi::misuse("NULL config");
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        cfg->clock_payload = holder;
        cfg->hooks.clock =
            cb ? std::make_shared<authpolicy::FunctionClock>([cb, holder] { return cb(holder->ptr); }) : nullptr;
        return AUTHP_OK;
    });
}

int authp_config_set_logger(authp_config* cfg, authp_log_cb cb, void* payload, authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg) return authp_capi::misuse("NULL config");
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        cfg->log_payload = holder;
        if (!cb) {
            cfg->hooks.logger = authpolicy::LogFn{};  // set but empty: discard
            return AUTHP_OK;
        }
        cfg->hooks.logger = authpolicy::LogFn([cb, holder](authpolicy::LogLevel level, std::string_view message) {
            cb(static_cast<authp_log_level>(level), message.data(), message.size(), holder->ptr);
        });
        return AUTHP_OK;
    });
}

int authp_config_add_authenticator(authp_config* cfg, const char* name, const authp_authenticator* vtable,
                                   void* payload, authp_free_cb free_payload) {
    return guard([&]() -> int {
        if (!cfg || !name || !vtable) return authp_capi::misuse("NULL config, name or vtable");
        if (vtable->version != AUTHP_AUTHENTICATOR_VERSION)
            throw Error(ErrorCode::Version,
                        "unsupported authenticator vtable version " + std::to_string(vtable->version));
        if (!vtable->authenticate) throw Error(ErrorCode::Invalid, "authenticator vtable has no authenticate function");
        const std::string cls(name);
        if (cls.empty() || cls.size() > 200)
            throw Error(ErrorCode::Invalid, "authenticator name must be 1 to 200 bytes");
        if (cls == "BasicAuthentication" || cls == "TokenAuthentication" || cls == "RemoteUserAuthentication" ||
            cls == "SessionAuthentication" || cls == "JWTAuthentication" || cls == "OAuth2Authentication")
            throw Error(ErrorCode::Exists, "'" + cls + "' is a built-in authentication class");
        // Only a successful registration takes ownership of the payload.
        auto holder = std::make_shared<authp_capi::Payload>(payload, free_payload);
        const authp_authenticator vt = *vtable;
        const std::string who = "custom authenticator '" + cls + "'";
        auto authenticate = [vt, holder, who](const authpolicy::http::Request& r) -> authpolicy::authn::AuthOutcome {
            authp_authn_ctx ctx;
            const auto* handle = static_cast<const authp_request*>(r.host_handle());
            const int rc = vt.authenticate(&ctx, handle, holder->ptr);
            if (rc == AUTHP_OK) {
                if (!ctx.user_json) throw Error(ErrorCode::Callback, who + " succeeded without setting a user");
                auto user = authp_capi::user_from_json(*ctx.user_json, who);
                authpolicy::AuthValue auth;
                if (ctx.auth_json && *ctx.auth_json != "null")
                    auth = std::make_shared<const std::string>(*ctx.auth_json);
                return authpolicy::authn::AuthOutcome::success(std::move(user), std::move(auth));
            }
            if (rc == AUTHP_PASSTHROUGH) return authpolicy::authn::AuthOutcome::not_applicable();
            if (rc == AUTHP_EAUTHFAILED)
                return authpolicy::authn::AuthOutcome::failure(
                    ctx.detail.value_or("Incorrect authentication credentials."));
            authp_capi::callback_failed(who, rc);
        };
        authpolicy::authn::CustomAuthenticator::ChallengeFn challenge;
        if (vt.challenge) {
            challenge = [vt, holder, who](const authpolicy::http::Request& r) -> std::optional<std::string> {
                authp_authn_ctx ctx;
                const int rc = vt.challenge(&ctx, static_cast<const authp_request*>(r.host_handle()), holder->ptr);
                if (rc == AUTHP_OK) return ctx.challenge;
                if (rc == AUTHP_PASSTHROUGH || rc == AUTHP_ENOTFOUND) return std::nullopt;
                authp_capi::callback_failed(who + " (challenge)", rc);
            };
        }
        cfg->hooks.custom_authenticators[cls] = std::make_shared<authpolicy::authn::CustomAuthenticator>(
            cls, std::move(authenticate), std::move(challenge));
        return AUTHP_OK;
    });
}

}  // extern "C"
