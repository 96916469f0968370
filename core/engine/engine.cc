#include "core/engine/engine.h"

#include "core/apikey/api_key_settings.h"
#include "core/authn/api_key_authenticator.h"
#include "core/authn/basic_authenticator.h"
#include "core/authn/jwt_authenticator.h"
#include "core/authn/memory_dpop_replay_store.h"
#include "core/authn/oauth2_authenticator.h"
#include "core/authn/postgres_dpop_replay_store.h"
#include "core/authn/redis_dpop_replay_store.h"
#include "core/authn/remote_user_authenticator.h"
#include "core/authn/session_authenticator.h"
#include "core/authn/token_authenticator.h"
#include "core/common/error.h"
#include "core/directory/open_directory.h"
#include "core/directory/postgres/pg_options.h"
#include "core/directory/sqlite/sqlite_directory.h"
#include "core/http/credentials_split.h"
#include "core/http/text_encoding.h"
#include "core/throttle/client_ident.h"
#include "core/throttle/memory_throttle_store.h"
#include "core/throttle/postgres_throttle_store.h"
#include "core/throttle/sqlite_throttle_store.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <mutex>

namespace authpolicy {
namespace {

using json = nlohmann::json;

constexpr const char* kNotProvided = "Authentication credentials were not provided.";
constexpr const char* kPermissionDenied = "You do not have permission to perform this action.";

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
    std::string where(const char* key) const { return spec_.where + "." + key; }  // our own key names
    void finish() const {
        if (!rest_.empty())
            config_fail(spec_.where + "." + http::shown_name(rest_.begin().key()),
                        "unknown option for " + http::shown_name(spec_.class_name));
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

// "keyword": one word or a non-empty list of them (TokenAuthentication, APIKeyAuthentication).
std::vector<std::string> keywords_option(Options& opts, const char* fallback) {
    std::vector<std::string> keywords{fallback};
    const json* k = opts.take("keyword");
    if (k == nullptr) return keywords;
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
    return keywords;
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
    AuthValue auth() override {
        user();
        return state_.auth;
    }
    const std::vector<std::string>& required_scopes() const override { return policy_.required_scopes; }
    const http::Request* request() const override { return &request_; }
    const Services* services() const override { return &engine_.services(); }
    std::string_view successful_authenticator() override {
        user();
        return state_.status == AuthState::Status::Authenticated ? state_.authenticator->name() : std::string_view();
    }
    std::string bearer_realm() const override {
        return state_.authenticator ? std::string(state_.authenticator->realm()) : std::string("api");
    }

  private:
    const Engine& engine_;
    const http::Request& request_;
    const ViewPolicy& policy_;
    AuthState& state_;
};

// The lazy user and the client identity as throttles see them.
class LazyThrottleContext final : public throttle::ThrottleContext {
  public:
    LazyThrottleContext(LazyPermissionContext& auth, const http::Request& request, const ViewPolicy& policy,
                        const throttle::ClientIdentitySettings& identity, double now)
        : auth_(auth), request_(request), policy_(policy), identity_(identity), now_(now) {}
    const User* user() override { return auth_.user(); }
    const http::Request& request() const override { return request_; }
    std::string_view view_scope() const override { return policy_.throttle_scope; }
    const std::string& ident() override {
        if (!ident_) ident_ = throttle::client_ident(request_, identity_);
        return *ident_;
    }
    double now() const override { return now_; }

  private:
    LazyPermissionContext& auth_;
    const http::Request& request_;
    const ViewPolicy& policy_;
    const throttle::ClientIdentitySettings& identity_;
    double now_;
    std::optional<std::string> ident_;
};

}  // namespace

namespace {

// What the shared services are made of: equal identities mean equal services.
std::string services_identity(const EngineConfig& c) {
    json j = {{"database", c.database},
              {"database_options", c.database_options},
              {"busy", c.database_busy_timeout_ms},
              {"iterations", c.password_iterations},
              {"cache", {c.cache.ttl_seconds, c.cache.max_entries}},
              {"django", c.django ? *c.django : json()},
              {"sessions", c.sessions ? *c.sessions : json()},
              {"ecosystem",
               {c.simple_jwt ? *c.simple_jwt : json(), c.oauth2_provider ? *c.oauth2_provider : json(),
                c.rest_knox ? *c.rest_knox : json(), c.api_key_custom_header ? *c.api_key_custom_header : json()}},
              {"dpop_replay_backend", c.dpop_replay_backend ? c.dpop_replay_backend->as_written : json()},
              {"api_keys",
               c.api_keys ? json{c.api_keys->pepper_file, c.api_keys->pepper_env, c.api_keys->last_used_flush_seconds}
                          : json()},
              {"base_dir", c.base_dir}};
    return j.dump();
}

// DPOP_REPLAY_BACKEND's store (docs/security.md); null when the key is absent.
std::shared_ptr<authn::DpopReplayStore> dpop_replay_store(const EngineConfig& config) {
    if (!config.dpop_replay_backend) return nullptr;
    const DpopReplayBackendSettings& b = *config.dpop_replay_backend;
    switch (b.type) {
        case DpopReplayBackendSettings::Type::Memory: return std::make_shared<authn::MemoryDpopReplayStore>(b.max_keys);
        case DpopReplayBackendSettings::Type::Redis: return std::make_shared<authn::RedisDpopReplayStore>(b.redis);
        case DpopReplayBackendSettings::Type::Postgresql: {
            const bool shared = b.postgres_url.empty();
            return std::make_shared<authn::PostgresDpopReplayStore>(directory::postgres::parse_pg_options(
                shared ? config.database : b.postgres_url, shared ? &config.database_options : &b.postgres_options,
                shared ? "$.DATABASE" : "$.DPOP_REPLAY_BACKEND.URL"));
        }
    }
    return nullptr;
}

std::atomic<uint64_t> g_engine_serial{1};

// THROTTLE_BACKEND "sqlite" keeps its counters in the embedded database (config.cc refuses it
// beside a PostgreSQL DATABASE).
std::shared_ptr<directory::sqlite::SqliteDatabase> sqlite_database(const Services& services) {
    auto embedded = std::dynamic_pointer_cast<directory::sqlite::SqliteDirectory>(services.directory());
    if (!embedded) throw Error(ErrorCode::Config, "THROTTLE_BACKEND \"sqlite\" needs a SQLite DATABASE");
    return embedded->database();
}

void emit(const std::optional<LogFn>& logger, LogLevel level, const std::string& message) {
    if (logger) {
        if (*logger) (*logger)(level, message);
        return;
    }
    static const char* const names[] = {"error", "warning", "info"};
    std::cerr << "authpolicy: " << names[static_cast<int>(level)] << ": " << message << std::endl;
}

}  // namespace

Engine::Engine(const EngineConfig& config, HostHooks hooks, const Engine* previous, bool same_hooks)
    : hooks_(std::move(hooks)), previous_(previous), serial_(g_engine_serial.fetch_add(1)) {
    services_identity_ = services_identity(config);
    if (previous) {
        key_registry_ = previous->key_registry_;
    } else {
        key_registry_ =
            std::make_shared<keys::KeyRegistry>([logger = hooks_.logger](int level, const std::string& line) {
                emit(logger, static_cast<LogLevel>(level), line);
            });
    }
    if (previous && same_hooks && previous->services_identity_ == services_identity_) {
        services_ = previous->services_;                 // same directory, same caches
        configure_ecosystem(config, /*publish=*/false);  // equal settings: the services keep theirs
    } else {
        previous_ = nullptr;  // authenticators hold the services: none can be reused
        std::shared_ptr<const Clock> clock = hooks_.clock ? hooks_.clock : std::make_shared<SystemClock>();
        auto directory =
            directory::open_directory(config.database, config.database_options, config.database_busy_timeout_ms);
        services_ = std::make_shared<Services>(std::move(directory), config.password_iterations, config.cache,
                                               std::move(clock), hooks_.user_lookup, hooks_.password_verify);
        services_->set_dpop_replay_store(dpop_replay_store(config));
        configure_django(config);
        configure_ecosystem(config, /*publish=*/true);
        if (config.api_keys) services_->configure_api_keys(*config.api_keys);
        if (const std::string warning = services_->directory()->exposure_warning(); !warning.empty())
            log(LogLevel::Warning, warning);
    }
    unauthenticated_user_ = config.unauthenticated_user_is_null ? nullptr : User::anonymous();
    if (config.unauthenticated_token)
        unauthenticated_token_ = std::make_shared<const std::string>(*config.unauthenticated_token);
    throttle_rates_ = config.throttle_rates;
    client_identity_ = config.client_identity;
    throttle_fail_open_ = config.throttle_backend.fail_open;
    switch (config.throttle_backend.type) {
        case ThrottleBackendSettings::Type::Memory:
            throttle_store_ = std::make_unique<throttle::MemoryThrottleStore>(config.throttle_backend.max_keys);
            throttle_backend_name_ = "memory";
            break;
        case ThrottleBackendSettings::Type::Sqlite:
            throttle_store_ = std::make_unique<throttle::SqliteThrottleStore>(sqlite_database(*services_));
            throttle_backend_name_ = "sqlite " + config.database;
            break;
        case ThrottleBackendSettings::Type::Postgresql: {
            const bool shared = config.throttle_backend.postgres_url.empty();
            const std::string& url = shared ? config.database : config.throttle_backend.postgres_url;
            auto store = std::make_unique<throttle::PostgresThrottleStore>(
                directory::postgres::parse_pg_options(url, shared ? &config.database_options : nullptr));
            throttle_backend_name_ = "postgresql " + store->target();
            throttle_store_ = std::move(store);
            break;
        }
        case ThrottleBackendSettings::Type::Redis:
            throttle_store_ = std::make_unique<throttle::RedisThrottleStore>(config.throttle_backend.redis);
            throttle_backend_name_ = "redis " + config.throttle_backend.redis.host + ":" +
                                     std::to_string(config.throttle_backend.redis.port);
            break;
    }
    if (config.login_failures)
        login_guard_ = std::make_shared<authn::LoginFailureGuard>(
            *config.login_failures, config.client_identity, throttle_store_, throttle_fail_open_,
            [logger = hooks_.logger](const std::string& m) { emit(logger, LogLevel::Warning, m); });
    default_policy_ = build_policy(config.default_authentication, config.default_permissions,
                                   config.perform_authentication, config.default_throttles, "", "$");
    for (const auto& [name, view] : config.views) {
        views_.emplace(name, build_policy(view.authentication_classes.value_or(config.default_authentication),
                                          view.permission_classes.value_or(config.default_permissions),
                                          view.perform_authentication.value_or(config.perform_authentication),
                                          view.throttle_classes.value_or(config.default_throttles), view.throttle_scope,
                                          view.where, view.required_scopes));
    }
    previous_ = nullptr;
}

ViewPolicy Engine::build_policy(const std::vector<AuthenticatorSpec>& auth,
                                const std::vector<authz::PermissionPtr>& perms, bool perform,
                                const std::vector<ThrottleSpec>& throttles, std::string scope, const std::string& where,
                                std::vector<std::string> required_scopes) const {
    ViewPolicy p;
    for (const auto& perm : perms) {
        // The default policy may name TokenHasScope for views that set required_scopes;
        // without them it refuses every request (fail closed).
        if (perm->needs_required_scopes() && required_scopes.empty() && where != "$")
            config_fail(where + ".required_scopes",
                        "TokenHasScope needs the view's required_scopes (a non-empty list)");
    }
    p.required_scopes = std::move(required_scopes);
    for (const auto& spec : auth) p.authenticators.push_back(build_authenticator(spec));
    p.permissions = perms;
    p.perform_authentication = perform;
    p.throttle_scope = std::move(scope);
    for (const auto& spec : throttles) p.throttles.push_back(build_throttle(spec, p.throttle_scope, where));
    return p;
}

std::shared_ptr<const throttle::Throttle> Engine::build_throttle(const ThrottleSpec& spec,
                                                                 const std::string& view_scope,
                                                                 const std::string& view_where) const {
    using Kind = throttle::Throttle::Kind;
    Kind kind = Kind::Anon;
    std::string scope;
    if (spec.class_name == "AnonRateThrottle") {
        scope = "anon";
    } else if (spec.class_name == "UserRateThrottle") {
        kind = Kind::User;
        scope = "user";
    } else if (spec.class_name == "ScopedRateThrottle") {
        kind = Kind::Scoped;
    } else if (spec.class_name == "GCRARateThrottle") {
        kind = Kind::Gcra;
        scope = "gcra";
    } else {
        config_fail(spec.where, "unknown throttle class '" + http::shown_name(spec.class_name) +
                                    "' (AnonRateThrottle, UserRateThrottle, ScopedRateThrottle, GCRARateThrottle)");
    }
    const AuthenticatorSpec as_spec{spec.class_name, spec.options, spec.where};
    Options opts(as_spec);
    std::optional<throttle::Rate> rate;
    bool disabled = false;
    long burst = 0;
    if (const json* s = opts.take("scope")) {
        if (kind == Kind::Scoped) config_fail(opts.where("scope"), "ScopedRateThrottle takes its scope from the view");
        if (!s->is_string() || s->get<std::string>().empty()) config_fail(opts.where("scope"), "expected a scope name");
        scope = s->get<std::string>();
    }
    if (const json* r = opts.take("rate")) {
        if (kind == Kind::Scoped) config_fail(opts.where("rate"), "ScopedRateThrottle takes its rate from its scope");
        if (r->is_null()) {
            disabled = true;
        } else {
            std::string error = "expected a rate such as \"100/day\"";
            if (r->is_string()) rate = throttle::parse_rate(r->get<std::string>(), &error);
            if (!rate) config_fail(opts.where("rate"), error);
        }
    }
    if (const json* b = opts.take("burst")) {
        if (kind != Kind::Gcra) config_fail(opts.where("burst"), "only GCRARateThrottle takes a burst");
        if (!b->is_number_integer() || b->get<long>() < 1) config_fail(opts.where("burst"), "expected an integer >= 1");
        burst = b->get<long>();
    }
    opts.finish();
    // DRF raises ImproperlyConfigured for a scope without a rate; we refuse to build instead.
    const std::string& needed = kind == Kind::Scoped ? view_scope : scope;
    if (!rate && !disabled && !needed.empty() && !throttle_rates_.count(needed)) {
        config_fail(kind == Kind::Scoped ? view_where + ".throttle_scope" : spec.where,
                    "No default throttle rate set for '" + http::shown_name(needed) +
                        "' scope (add it to DEFAULT_THROTTLE_RATES)");
    }
    if (kind == Kind::Gcra && burst == 0) {
        std::optional<throttle::Rate> r = rate;
        if (!r) {
            const auto it = throttle_rates_.find(scope);
            if (it != throttle_rates_.end()) r = it->second;
        }
        burst = r ? std::max(r->num_requests, 1L) : 1;  // default: the whole rate may come at once
    }
    return std::make_shared<throttle::Throttle>(kind, scope, rate, disabled, burst);
}

// "DJANGO" and "SESSIONS" (docs/django.md, docs/sessions.md): validated here, once.
void Engine::configure_django(const EngineConfig& config) {
    const auto django = django::parse_django_settings(config.django ? &*config.django : nullptr, config.base_dir);
    services_->set_session_settings(
        django::parse_session_settings(config.sessions ? &*config.sessions : nullptr, django ? &*django : nullptr));
    auto logged = std::make_shared<std::once_flag>();
    // The services may outlive this engine (a reload keeps them): log through the host's
    // logger, never through `this`.
    services_->set_error_log([logger = hooks_.logger](const std::string& m) { emit(logger, LogLevel::Error, m); });
    auto& hashers = const_cast<passwords::PasswordHashers&>(services_->hashers());
    hashers.set_unsupported_handler([logger = hooks_.logger, logged](std::string_view algorithm) {
        // The text before the first '$' may be a plain-text password stored by mistake: name only
        // Django's own hashers (django.contrib.auth.hashers), never the stored text.
        static constexpr std::string_view kKnown[] = {"bcrypt_sha256", "bcrypt",        "crypt",       "argon2",
                                                      "scrypt",        "pbkdf2_sha256", "pbkdf2_sha1", "sha1",
                                                      "md5",           "unsalted_sha1", "unsalted_md5"};
        const bool known = std::find(std::begin(kKnown), std::end(kKnown), algorithm) != std::end(kKnown);
        std::call_once(*logged, [&] {
            emit(logger, LogLevel::Error,
                 known ? "a stored password uses the hasher '" + std::string(algorithm) +
                             "', which this library cannot verify: such logins fail"
                       : std::string("a stored password has an unrecognised format, which this "
                                     "library cannot verify: such logins fail"));
        });
    });
    if (!django) return;
    hashers.set_allowed(django->password_hashers);
    services_->attach_django(django::open_django_database(*django, config.database_busy_timeout_ms));
}

// "SIMPLE_JWT", "OAUTH2_PROVIDER", "REST_KNOX", "API_KEY_CUSTOM_HEADER" (docs/django.md).
void Engine::configure_ecosystem(const EngineConfig& config, bool publish) {
    auto s = std::make_shared<django::ecosystem::EcosystemSettings>();
    s->simple_jwt = config.simple_jwt;
    if (const django::DjangoDatabase* store = services_->django(); store && !store->settings().secrets.empty())
        s->django_secret_key = store->settings().secrets.front();
    if (config.oauth2_provider) s->dot = django::ecosystem::parse_dot_settings(*config.oauth2_provider);
    if (config.rest_knox) s->knox = django::ecosystem::parse_knox_settings(*config.rest_knox);
    if (config.api_key_custom_header)
        s->api_key_header = django::ecosystem::parse_api_key_header(*config.api_key_custom_header);
    if (publish) services_->set_ecosystem(s);  // not on services a running engine shares (a reload)
    ecosystem_ = std::make_unique<django::ecosystem::Registry>(services_, s);
}

void Engine::log(LogLevel level, const std::string& message) const {
    emit(hooks_.logger, level, message);
}

std::optional<Decision> Engine::check_throttles(const http::Request& request, const ViewPolicy& policy,
                                                AuthState& state) const {
    LazyPermissionContext auth(*this, request, policy, state);
    LazyThrottleContext ctx(auth, request, policy, client_identity_, services_->now());
    bool refused = false;
    std::optional<double> wait;
    for (const auto& t : policy.throttles) {  // all of them: DRF does not short-circuit
        throttle::ThrottleOutcome outcome;
        try {
            outcome = t->allow(ctx, throttle_rates_, *throttle_store_);
            if (throttle_backend_failing_.load(std::memory_order_relaxed) && throttle_backend_failing_.exchange(false))
                log(LogLevel::Info, "throttle backend " + throttle_backend_name_ + " recovered");
        } catch (const Error& e) {
            if (e.code() != ErrorCode::Store) throw;
            // Log the transition, not every request, so an outage does not flood the log.
            if (!throttle_backend_failing_.exchange(true)) {
                log(LogLevel::Error,
                    std::string(e.what()) + (throttle_fail_open_ ? "; failing open (requests are not throttled)"
                                                                 : "; failing closed (requests are denied)"));
            }
            if (!throttle_fail_open_) throw;
            continue;
        }
        if (outcome.allowed) continue;
        refused = true;
        if (outcome.wait) wait = wait ? std::max(*wait, *outcome.wait) : *outcome.wait;
    }
    if (!refused) return std::nullopt;
    Decision d;
    d.allowed = false;
    d.status = 429;
    d.code = "throttled";
    d.detail = throttle::throttled_detail(wait);
    if (wait) {
        const auto seconds = static_cast<long long>(std::ceil(*wait));
        if (seconds != 0) d.headers.emplace_back("Retry-After", std::to_string(seconds));  // DRF: only if truthy
    }
    fill_identity(d, state);
    return d;
}

// Options that name a file or an environment variable (jwks_file, public_key_file, ca_file,
// client_secret_env) can mean other keys after a reload although their text is the same.
namespace {
bool reads_outside_its_options(const json& options) {
    if (options.is_array()) return std::any_of(options.begin(), options.end(), reads_outside_its_options);
    if (!options.is_object()) return false;
    for (const auto& item : options.items()) {
        const std::string& key = item.key();
        const auto ends_with = [&key](const char* tail) {
            const std::string t(tail);
            return key.size() >= t.size() && key.compare(key.size() - t.size(), t.size(), t) == 0;
        };
        if (ends_with("_file") || ends_with("_env") || reads_outside_its_options(item.value())) return true;
    }
    return false;
}
}  // namespace

std::shared_ptr<const authn::Authenticator> Engine::build_authenticator(const AuthenticatorSpec& spec) const {
    // What may be kept across a reload: the engine's own classes whose meaning is their options
    // (and the services, compared before). Host-registered classes come from the hooks; Basic holds
    // this engine's LOGIN_FAILURES guard (its credential cache lives in the services and is kept);
    // the Django packages' dotted classes read top-level blocks (SIMPLE_JWT, …) that the options
    // do not show; options that read a file or the environment may have changed behind the text.
    const bool reusable = hooks_.custom_authenticators.count(spec.class_name) == 0 &&
                          spec.class_name != "BasicAuthentication" && spec.class_name != "APIKeyAuthentication" &&
                          spec.class_name.find('.') == std::string::npos && !reads_outside_its_options(spec.options);
    if (reusable) {
        const std::string id = spec.class_name + "\n" + spec.options.dump() + "\n" + spec.base_dir;
        if (auto it = built_.find(id); it != built_.end()) return it->second;
        if (previous_ != nullptr) {
            if (auto it = previous_->built_.find(id); it != previous_->built_.end()) {
                built_.emplace(id, it->second);  // unchanged: its caches keep their meaning
                return it->second;
            }
        }
        auto fresh = build_authenticator_fresh(spec);
        built_.emplace(id, fresh);
        return fresh;
    }
    return build_authenticator_fresh(spec);
}

std::shared_ptr<const authn::Authenticator> Engine::build_authenticator_fresh(const AuthenticatorSpec& spec) const {
    // The Django packages' dotted names (core/django/ecosystem/).
    if (auto built = ecosystem_->authenticator(spec.class_name, spec.options, spec.where)) return built;
    // OAuth 2.0 bearer classes validate their own options (docs/oauth2.md).
    if (spec.class_name == "JWTAuthentication")
        return authn::make_jwt_authenticator(services_, spec.options, spec.where, spec.base_dir, key_registry_.get());
    if (spec.class_name == "OAuth2Authentication")
        return authn::make_oauth2_authenticator(services_, spec.options, spec.where, hooks_.introspect,
                                                key_registry_.get(), spec.base_dir);
    Options opts(spec);
    std::shared_ptr<const authn::Authenticator> built;
    if (spec.class_name == "BasicAuthentication") {
        std::string realm = "api";
        if (const json* r = opts.take("realm")) {
            // Any control character (NUL, VT, CR, LF, DEL) would corrupt the challenge header.
            const bool ok = r->is_string() && std::none_of(r->get_ref<const std::string&>().begin(),
                                                           r->get_ref<const std::string&>().end(), [](char ch) {
                                                               const auto c = static_cast<unsigned char>(ch);
                                                               return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
                                                           });
            if (!ok)
                config_fail(opts.where("realm"), "expected a string without quotes, backslashes or control characters");
            realm = r->get<std::string>();
        }
        built = std::make_shared<authn::BasicAuthenticator>(services_, realm, login_guard_);
    } else if (spec.class_name == "TokenAuthentication") {
        built = std::make_shared<authn::TokenAuthenticator>(services_, keywords_option(opts, "Token"));
    } else if (spec.class_name == "APIKeyAuthentication") {
        // Refused rather than run without a pepper: verifiers would then be plain hashes.
        if (!services_->api_key_pepper())
            config_fail(spec.where,
                        "APIKeyAuthentication needs \"API_KEYS\": {\"PEPPER_FILE\": …} or "
                        "{\"PEPPER_ENV\": …} (the server-side pepper; docs/api-keys.md)");
        built = std::make_shared<authn::ApiKeyAuthenticator>(services_, services_->api_key_pepper(),
                                                             keywords_option(opts, "Api-Key"));
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
        built = authn::make_session_authenticator(services_, spec.options, spec.where);
        return built;
    } else {
        config_fail(
            spec.where,
            "unknown authentication class '" + http::shown_name(spec.class_name) +
                "' (built in: BasicAuthentication, TokenAuthentication, APIKeyAuthentication, SessionAuthentication, "
                "RemoteUserAuthentication, "
                "JWTAuthentication, OAuth2Authentication; "
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
            throw;
        }
        switch (outcome.kind) {
            case authn::AuthOutcome::Kind::NotApplicable:
                // DOT: a refused token leaves the request anonymous but shapes the challenge.
                if (outcome.failure_challenge && authenticator == policy.authenticators.front())
                    state.deferred_challenge =
                        std::make_shared<const std::string>(std::move(*outcome.failure_challenge));
                continue;
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
                state.failure_status = outcome.status;
                state.failure_code = std::move(outcome.code);
                state.failure_challenge = std::move(outcome.failure_challenge);
                state.failure_body = std::move(outcome.body);
                state.failure_retry_after = outcome.retry_after;
                state.failure_headers = std::move(outcome.headers);
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
    const bool failed = state.status == AuthState::Status::Failed;
    if (failed) {
        d.body = state.failure_body;
        if (state.failure_headers) d.headers = *state.failure_headers;
    }
    if (failed && state.failure_status) {  // not an AuthenticationFailed: no challenge
        d.status = *state.failure_status;
        if (!state.failure_code.empty()) d.code = state.failure_code;
        if (state.failure_retry_after)
            d.headers.emplace_back("Retry-After", std::to_string(*state.failure_retry_after));
        return d;
    }
    if (failed && !state.failure_code.empty()) d.code = state.failure_code;
    // DRF: the challenge of the view's first authenticator; without one, 403.
    std::optional<std::string> challenge;
    if (!policy.authenticators.empty()) {
        const authn::Authenticator* first = policy.authenticators.front().get();
        if (failed && state.failure_challenge && state.authenticator == first)
            challenge = state.failure_challenge;
        else if (state.deferred_challenge)
            challenge = *state.deferred_challenge;
        else
            challenge = first->challenge(request);
    }
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
        if (auto body = permission->denial_body(ctx)) d.body = std::make_shared<const std::string>(std::move(*body));
        if (auto challenge = permission->denial_challenge(ctx)) d.headers.emplace_back("WWW-Authenticate", *challenge);
        fill_identity(d, state);
        return d;
    }
    if (!policy->throttles.empty()) {
        try {
            if (auto throttled = check_throttles(request, *policy, state)) return *throttled;
        } catch (const LazyPermissionContext::AuthenticationFailed&) {
            return authentication_error(request, *policy, state, state.failure_detail, "authentication_failed");
        }
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
