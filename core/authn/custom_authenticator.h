// An authenticator supplied by the host (through the C API's versioned vtable).
#pragma once

#include <functional>
#include <string>

#include "core/authn/authenticator.h"

namespace authpolicy::authn {

class CustomAuthenticator final : public Authenticator {
  public:
    using AuthenticateFn = std::function<AuthOutcome(const http::Request&)>;
    using ChallengeFn = std::function<std::optional<std::string>(const http::Request&)>;

    CustomAuthenticator(std::string name, AuthenticateFn authenticate, ChallengeFn challenge)
        : name_(std::move(name)), authenticate_(std::move(authenticate)), challenge_(std::move(challenge)) {}
    std::string_view name() const override { return name_; }
    AuthOutcome authenticate(const http::Request& request) const override { return authenticate_(request); }
    std::optional<std::string> challenge(const http::Request& request) const override {
        return challenge_ ? challenge_(request) : std::nullopt;
    }

  private:
    std::string name_;
    AuthenticateFn authenticate_;
    ChallengeFn challenge_;
};

}  // namespace authpolicy::authn
