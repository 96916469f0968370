// HTTP Basic (RFC 7617) as DRF's BasicAuthentication (≥ 3.15).
#pragma once

#include <memory>

#include "core/authn/authenticator.h"
#include "core/authn/login_failures.h"
#include "core/engine/services.h"

namespace authpolicy::authn {

class BasicAuthenticator final : public Authenticator {
  public:
    // guard: LOGIN_FAILURES, or nullptr when it is off ("LOGIN_FAILURES": null, DRF's behaviour).
    BasicAuthenticator(std::shared_ptr<const Services> services, std::string realm,
                       std::shared_ptr<const LoginFailureGuard> guard = nullptr);
    std::string_view name() const override { return "BasicAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return challenge_; }

  private:
    AuthOutcome authenticate_credentials(std::string_view userid, std::string_view password,
                                         const http::Request& request) const;
    AuthOutcome check_password(std::string_view userid, std::string_view password) const;

    std::shared_ptr<const Services> services_;
    std::string challenge_;
    std::shared_ptr<const LoginFailureGuard> guard_;
};

}  // namespace authpolicy::authn
