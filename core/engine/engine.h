// The immutable engine: per-view policies compiled from the configuration, plus the services
// (directory, tokens, caches) they share. evaluate() follows DRF's APIView.initial():
// authenticate → check permissions → decision; errors map to 401/403 as handle_exception does.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/authn/authenticator.h"
#include "core/authz/permission.h"
#include "core/engine/auth_state.h"
#include "core/engine/config.h"
#include "core/engine/decision.h"
#include "core/engine/services.h"
#include "core/http/request.h"

namespace authpolicy {

struct ViewPolicy {
    std::vector<std::shared_ptr<const authn::Authenticator>> authenticators;
    std::vector<authz::PermissionPtr> permissions;
    bool perform_authentication = true;
};

// Host-supplied pieces that the JSON cannot express.
struct HostHooks {
    UserLookupFn user_lookup;
    PasswordVerifyFn password_verify;
    std::shared_ptr<const Clock> clock;  // nullptr: the system clock
    std::map<std::string, std::shared_ptr<const authn::Authenticator>, std::less<>> custom_authenticators;
};

class Engine {
  public:
    Engine(const EngineConfig& config, HostHooks hooks);

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

  private:
    ViewPolicy build_policy(const std::vector<AuthenticatorSpec>& auth, const std::vector<authz::PermissionPtr>& perms,
                            bool perform) const;
    std::shared_ptr<const authn::Authenticator> build_authenticator(const AuthenticatorSpec& spec) const;
    Decision authentication_error(const http::Request& request, const ViewPolicy& policy, const AuthState& state,
                                  std::string detail, const char* code) const;
    void fill_identity(Decision& d, const AuthState& state) const;

    std::shared_ptr<Services> services_;
    HostHooks hooks_;
    UserPtr unauthenticated_user_;
    AuthValue unauthenticated_token_;
    ViewPolicy default_policy_;
    std::map<std::string, ViewPolicy, std::less<>> views_;
};

}  // namespace authpolicy
