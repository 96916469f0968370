// DRF's RemoteUserAuthentication: trust a user name set by the web server (REMOTE_USER) or,
// when configured, by a trusted proxy header. Never fails; never challenges.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/authn/authenticator.h"
#include "core/engine/services.h"

namespace authpolicy::authn {

class RemoteUserAuthenticator final : public Authenticator {
  public:
    // header: an HTTP header to read instead of the server's REMOTE_USER variable.
    RemoteUserAuthenticator(std::shared_ptr<Services> services, std::optional<std::string> header,
                            bool create_unknown_user);
    std::string_view name() const override { return "RemoteUserAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return std::nullopt; }

  private:
    std::shared_ptr<Services> services_;
    std::optional<std::string> header_;  // lowercase
    bool create_unknown_user_;
};

}  // namespace authpolicy::authn
