// The immutable engine: per-view policies compiled from the configuration, plus the services
// (directory, tokens, caches) they share. evaluate() follows DRF's APIView.initial():
// authenticate → check permissions → decision; errors map to 401/403 as handle_exception does.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/authn/authenticator.h"
#include "core/authn/oauth2_authenticator.h"
#include "core/authz/permission.h"
#include "core/django/ecosystem/registry.h"
#include "core/engine/auth_state.h"
#include "core/engine/config.h"
#include "core/engine/decision.h"
#include "core/engine/services.h"
#include "core/http/request.h"
#include "core/keys/key_registry.h"
#include "core/throttle/throttle.h"
#include "core/throttle/throttle_store.h"

namespace authpolicy {

struct ViewPolicy {
    std::vector<std::shared_ptr<const authn::Authenticator>> authenticators;
    std::vector<authz::PermissionPtr> permissions;
    bool perform_authentication = true;
    std::vector<std::shared_ptr<const throttle::Throttle>> throttles;
    std::string throttle_scope;
    std::vector<std::string> required_scopes;  // TokenHasScope / TokenHasReadWriteScope
};

enum class LogLevel { Error = 0, Warning = 1, Info = 2 };
using LogFn = std::function<void(LogLevel, std::string_view)>;

// Host-supplied pieces that the JSON cannot express.
struct HostHooks {
    UserLookupFn user_lookup;
    PasswordVerifyFn password_verify;
    std::shared_ptr<const Clock> clock;  // nullptr: the system clock
    std::map<std::string, std::shared_ptr<const authn::Authenticator>, std::less<>> custom_authenticators;
    std::optional<LogFn> logger;     // unset: lines go to stderr; a null function discards them
    authn::IntrospectFn introspect;  // RFC 7662, for OAuth2Authentication "source": "introspection"
};

class Engine {
  public:
    // `previous`: the engine this one replaces (a reload). Remote key sets are always carried
    // over by identity; with `same_hooks` (the host's callbacks did not change) the services
    // and their caches are kept when DATABASE, CACHE, DJANGO and SESSIONS did not change, and
    // so is every authenticator whose class and options did not change (with its caches).
    Engine(const EngineConfig& config, HostHooks hooks, const Engine* previous = nullptr, bool same_hooks = false);

    // nullptr for an unknown view; "" is the default policy.
    const ViewPolicy* policy_for(std::string_view view) const;
    // Runs the view's authenticators unless they already ran. Throws Error on machinery failure.
    void authenticate(const http::Request& request, const ViewPolicy& policy, AuthState& state) const;
    // The whole decision. Throws Error(NotFound) for an unknown view and Error(Store|Callback|User)
    // when the machinery fails (callers turn that into safe_denial()).
    Decision evaluate(const http::Request& request, AuthState& state) const;
    static Decision safe_denial();

    Services& services() { return *services_; }
    const Services& services() const { return *services_; }
    std::shared_ptr<Services> shared_services() const { return services_; }
    keys::KeyRegistry& key_registry() const { return *key_registry_; }
    // Unique per engine built in this process (a request's state records which one ran it).
    uint64_t serial() const { return serial_; }

  private:
    ViewPolicy build_policy(const std::vector<AuthenticatorSpec>& auth, const std::vector<authz::PermissionPtr>& perms,
                            bool perform, const std::vector<ThrottleSpec>& throttles, std::string scope,
                            const std::string& where, std::vector<std::string> required_scopes = {}) const;
    std::shared_ptr<const throttle::Throttle> build_throttle(const ThrottleSpec& spec, const std::string& view_scope,
                                                             const std::string& view_where) const;
    // Runs every throttle (DRF's check_throttles); a refusal decision, or nullopt to proceed.
    std::optional<Decision> check_throttles(const http::Request& request, const ViewPolicy& policy,
                                            AuthState& state) const;
    void log(LogLevel level, const std::string& message) const;
    void configure_django(const EngineConfig& config);
    void configure_ecosystem(const EngineConfig& config, bool publish);
    std::shared_ptr<const authn::Authenticator> build_authenticator(const AuthenticatorSpec& spec) const;
    std::shared_ptr<const authn::Authenticator> build_authenticator_fresh(const AuthenticatorSpec& spec) const;
    Decision authentication_error(const http::Request& request, const ViewPolicy& policy, const AuthState& state,
                                  std::string detail, const char* code) const;
    void fill_identity(Decision& d, const AuthState& state) const;

    std::shared_ptr<Services> services_;
    HostHooks hooks_;
    std::shared_ptr<keys::KeyRegistry> key_registry_;
    std::string services_identity_;
    // Built authenticators by class, options and base directory: reused by the next reload.
    mutable std::map<std::string, std::shared_ptr<const authn::Authenticator>> built_;
    const Engine* previous_ = nullptr;  // during construction only
    uint64_t serial_ = 0;
    UserPtr unauthenticated_user_;
    AuthValue unauthenticated_token_;
    throttle::RateTable throttle_rates_;
    throttle::ClientIdentitySettings client_identity_;
    std::shared_ptr<throttle::ThrottleStore> throttle_store_;  // shared with the login-failure guard
    std::shared_ptr<const authn::LoginFailureGuard> login_guard_;
    bool throttle_fail_open_ = true;
    std::string throttle_backend_name_;
    mutable std::atomic<bool> throttle_backend_failing_{false};
    ViewPolicy default_policy_;
    std::map<std::string, ViewPolicy, std::less<>> views_;
    std::unique_ptr<django::ecosystem::Registry> ecosystem_;  // the Django packages' classes
    std::shared_ptr<const apikey::Pepper> api_key_pepper_;    // API_KEYS; null when absent
};

}  // namespace authpolicy
