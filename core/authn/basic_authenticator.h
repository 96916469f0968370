// HTTP Basic (RFC 7617) as DRF's BasicAuthentication (≥ 3.15).
#pragma once

#include <memory>

#include "core/authn/authenticator.h"
#include "core/engine/services.h"

namespace authpolicy::authn {

class BasicAuthenticator final : public Authenticator {
  public:
    BasicAuthenticator(std::shared_ptr<const Services> services, std::string realm);
    std::string_view name() const override { return "BasicAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return challenge_; }

  private:
    AuthOutcome authenticate_credentials(std::string_view userid, std::string_view password) const;

    std::shared_ptr<const Services> services_;
    std::string challenge_;
};

}  // namespace authpolicy::authn
