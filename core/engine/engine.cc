#include "core/engine/engine.h"

#include "core/authn/basic_authenticator.h"
#include "core/authn/remote_user_authenticator.h"
#include "core/authn/token_authenticator.h"
#include "core/common/error.h"
#include "core/http/credentials_split.h"

namespace authpolicy {
namespace {

using json = nlohmann::json;

constexpr const char* kNotProvided = "Authentication credentials were not provided.";
constexpr const char* kPermissionDenied = "You do not have permission to perform this action.";

[[noreturn]] void config_fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::Config, "configuration error at " + where + ": " + what);
}

// Options of one authentication class: each key is consumed once; leftovers are errors.
class Options {
  public:
    Options(const AuthenticatorSpec& spec) : spec_(spec), rest_(spec.options) {}
    const json* take(const char* key) {
        auto it = rest_.find(key);
        if (it == rest_.end()) return nullptr;
        taken_ = *it;
        rest_.erase(it);
        return &taken_;
    }
    std::string where(const char* key) const { return spec_.where + "." + key; }
    void finish() const {
        if (!rest_.empty())
            config_fail(spec_.where + "." + rest_.begin().key(), "unknown option for " + spec_.class_name);
    }

  private:
    const AuthenticatorSpec& spec_;
    json rest_;
    json taken_;
};

bool is_token_char(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') return false;
    }
    return true;
}

// The lazy user as permissions see it (DRF's request.user inside has_permission).
class LazyPermissionContext final : public authz::PermissionContext {
  public:
    struct AuthenticationFailed {};
    LazyPermissionContext(const Engine& engine, const http::Request& request, const ViewPolicy& policy,
                          AuthState& state)
        : engine_(engine), request_(request), policy_(policy), state_(state) {}
    const User* user() override {
        engine_.authenticate(request_, policy_, state_);
        if (state_.status == AuthState::Status::Failed) throw AuthenticationFailed{};
        return state_.user.get();
    }
    std::string_view method() const override { return request_.method(); }

  private:
    const Engine& engine_;
    const http::Request& request_;
    const ViewPolicy& policy_;
    AuthState& state_;
};

}  // namespace

Engine::Engine(const EngineConfig& config, HostHooks hooks) : hooks_(std::move(hooks)) {
    std::shared_ptr<const Clock> clock = hooks_.clock ? hooks_.clock : std::make_shared<SystemClock>();
    auto db = std::make_shared<store::sqlite::SqliteDatabase>(config.database, config.database_busy_timeout_ms);
    services_ = std::make_shared<Services>(std::move(db), config.password_iterations, config.cache, std::move(clock),
                                           hooks_.user_lookup, hooks_.password_verify);
    unauthenticated_user_ = config.unauthenticated_user_is_null ? nullptr : User::anonymous();
    if (config.unauthenticated_token)
        unauthenticated_token_ = std::make_shared<const std::string>(*config.unauthenticated_token);
    default_policy_ =
        build_policy(config.default_authentication, config.default_permissions, config.perform_authentication);
    for (const auto& [name, view] : config.views) {
        views_.emplace(name, build_policy(view.authentication_classes.value_or(config.default_authentication),
                                          view.permission_classes.value_or(config.default_permissions),
                                          view.perform_authentication.value_or(config.perform_authentication)));
    }
}

ViewPolicy Engine::build_policy(const std::vector<AuthenticatorSpec>& auth,
                                const std::vector<authz::PermissionPtr>& perms, bool perform) const {
    ViewPolicy p;
    for (const auto& spec : auth) p.authenticators.push_back(build_authenticator(spec));
    p.permissions = perms;
    p.perform_authentication = perform;
    return p;
}

std::shared_ptr<const authn::Authenticator> Engine::build_authenticator(const AuthenticatorSpec& spec) const {
    Options opts(spec);
    std::shared_ptr<const authn::Authenticator> built;
    if (spec.class_name == "BasicAuthentication") {
        std::string realm = "api";
        if (const json* r = opts.take("realm")) {
            if (!r->is_string() || r->get<std::string>().find_first_of("\"\\\r\n") != std::string::npos)
                config_fail(opts.where("realm"), "expected a string without quotes, backslashes or line breaks");
            realm = r->get<std::string>();
        }
        built = std::make_shared<authn::BasicAuthenticator>(services_, realm);
    } else if (spec.class_name == "TokenAuthentication") {
        std::vector<std::string> keywords{"Token"};
        if (const json* k = opts.take("keyword")) {
            keywords.clear();
            if (k->is_string()) {
                keywords.push_back(k->get<std::string>());
            } else if (k->is_array() && !k->empty()) {
                for (const auto& item : *k) {
                    if (!item.is_string()) config_fail(opts.where("keyword"), "expected a string or a list of strings");
                    keywords.push_back(item.get<std::string>());
                }
            } else {
                config_fail(opts.where("keyword"), "expected a string or a non-empty list of strings");
            }
            for (const auto& kw : keywords) {
                if (!is_token_char(kw)) config_fail(opts.where("keyword"), "a keyword is one word of visible ASCII");
            }
        }
        built = std::make_shared<authn::TokenAuthenticator>(services_, keywords);
    } else if (spec.class_name == "RemoteUserAuthentication") {
        std::optional<std::string> header;
        bool create = true;
        if (const json* h = opts.take("header")) {
            if (!h->is_null()) {
                if (!h->is_string() || !is_token_char(h->get<std::string>()))
                    config_fail(opts.where("header"), "expected an HTTP header name or null");
                header = h->get<std::string>();
            }
        }
        if (const json* c = opts.take("create_unknown_user")) {
            if (!c->is_boolean()) config_fail(opts.where("create_unknown_user"), "expected true or false");
            create = c->get<bool>();
        }
        built = std::make_shared<authn::RemoteUserAuthenticator>(services_, header, create);
    } else if (auto it = hooks_.custom_authenticators.find(spec.class_name); it != hooks_.custom_authenticators.end()) {
        built = it->second;
    } else if (spec.class_name == "SessionAuthentication") {
        config_fail(spec.where, "SessionAuthentication is not available yet in this version of libauthpolicy");
    } else {
        config_fail(spec.where, "unknown authentication class '" + spec.class_name +
                                    "' (built in: BasicAuthentication, TokenAuthentication, RemoteUserAuthentication; "
                                    "custom classes must be registered before the engine is built)");
    }
    opts.finish();
    return built;
}

const ViewPolicy* Engine::policy_for(std::string_view view) const {
    if (view.empty()) return &default_policy_;
    auto it = views_.find(view);
    return it == views_.end() ? nullptr : &it->second;
}

void Engine::authenticate(const http::Request& request, const ViewPolicy& policy, AuthState& state) const {
    if (state.status != AuthState::Status::NotRun) return;
    if (state.running) throw Error(ErrorCode::Misuse, "a callback read the user of the request it is authenticating");
    state.running = true;
    struct Done {
        AuthState& s;
        ~Done() { s.running = false; }
    } done{state};
    for (const auto& authenticator : policy.authenticators) {
        authn::AuthOutcome outcome;
        try {
            outcome = authenticator->authenticate(request);
        } catch (...) {
            // The machinery failed: leave the request anonymous and never retry it.
            state.status = AuthState::Status::Anonymous;
            state.user = unauthenticated_user_;
            state.auth = unauthenticated_token_;
            state.errored = true;
            throw;
        }
        switch (outcome.kind) {
            case authn::AuthOutcome::Kind::NotApplicable: continue;
            case authn::AuthOutcome::Kind::Authenticated:
                state.status = AuthState::Status::Authenticated;
                state.user = std::move(outcome.user);
                state.auth = std::move(outcome.auth);
                state.authenticator = authenticator.get();
                return;
            case authn::AuthOutcome::Kind::Failed:
                state.status = AuthState::Status::Failed;
                state.user = unauthenticated_user_;
                state.auth = unauthenticated_token_;
                state.authenticator = authenticator.get();
                state.failure_detail = std::move(outcome.detail);
                return;
        }
    }
    state.status = AuthState::Status::Anonymous;
    state.user = unauthenticated_user_;
    state.auth = unauthenticated_token_;
}

void Engine::fill_identity(Decision& d, const AuthState& state) const {
    d.authentication_ran = state.status != AuthState::Status::NotRun;
    d.user = state.user;
    d.auth = state.auth;
    if (state.status == AuthState::Status::Authenticated) d.authenticator = std::string(state.authenticator->name());
}

Decision Engine::authentication_error(const http::Request& request, const ViewPolicy& policy, const AuthState& state,
                                      std::string detail, const char* code) const {
    Decision d;
    d.allowed = false;
    d.code = code;
    d.detail = std::move(detail);
    fill_identity(d, state);
    // DRF: the challenge of the view's first authenticator; without one, 403.
    std::optional<std::string> challenge;
    if (!policy.authenticators.empty()) challenge = policy.authenticators.front()->challenge(request);
    if (challenge && !challenge->empty()) {
        d.status = 401;
        d.headers.emplace_back("WWW-Authenticate", std::move(*challenge));
    } else {
        d.status = 403;
    }
    return d;
}

Decision Engine::evaluate(const http::Request& request, AuthState& state) const {
    if (!request.oversize().empty()) {
        Decision d;
        d.allowed = false;
        d.status = 400;
        d.code = "parse_error";
        d.detail = request.oversize();
        return d;
    }
    const ViewPolicy* policy = policy_for(request.view());
    if (policy == nullptr) {
        std::string shown(request.view().substr(0, 100));
        throw Error(ErrorCode::NotFound, "unknown view '" + shown + "'");
    }
    if (policy->perform_authentication) authenticate(request, *policy, state);
    if (state.status == AuthState::Status::Failed)
        return authentication_error(request, *policy, state, state.failure_detail, "authentication_failed");

    LazyPermissionContext ctx(*this, request, *policy, state);
    for (const auto& permission : policy->permissions) {
        bool granted = false;
        try {
            granted = permission->has_permission(ctx);
            if (!granted) authenticate(request, *policy, state);  // DRF reads successful_authenticator
        } catch (const LazyPermissionContext::AuthenticationFailed&) {
            return authentication_error(request, *policy, state, state.failure_detail, "authentication_failed");
        }
        if (granted) continue;
        if (state.status == AuthState::Status::Failed)
            return authentication_error(request, *policy, state, state.failure_detail, "authentication_failed");
        if (!policy->authenticators.empty() && state.status != AuthState::Status::Authenticated)
            return authentication_error(request, *policy, state, kNotProvided, "not_authenticated");
        Decision d;
        d.allowed = false;
        d.status = 403;
        d.code = permission->code().value_or("permission_denied");
        d.detail = permission->message().value_or(kPermissionDenied);
        fill_identity(d, state);
        return d;
    }
    Decision d;
    fill_identity(d, state);
    return d;
}

Decision Engine::safe_denial() {
    Decision d;
    d.allowed = false;
    d.status = 503;
    d.code = "service_unavailable";
    d.detail = "Authentication is temporarily unavailable.";
    return d;
}

}  // namespace authpolicy
