// The authenticator contract (DRF's BaseAuthentication): not mine, authenticated, or failed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/engine/user.h"
#include "core/http/request.h"

namespace authpolicy::authn {

struct AuthOutcome {
    enum class Kind { NotApplicable, Authenticated, Failed };
    Kind kind = Kind::NotApplicable;
    UserPtr user;
    AuthValue auth;
    std::string detail;  // Failed only

    static AuthOutcome not_applicable() { return {}; }
    static AuthOutcome success(UserPtr user, AuthValue auth) {
        return {Kind::Authenticated, std::move(user), std::move(auth), {}};
    }
    static AuthOutcome failure(std::string detail) { return {Kind::Failed, nullptr, nullptr, std::move(detail)}; }
};

class Authenticator {
  public:
    virtual ~Authenticator() = default;
    // The class name shown in decisions ("TokenAuthentication", or a custom name).
    virtual std::string_view name() const = 0;
    // Throws Error only for failures of the machinery (store, callback), never for bad credentials.
    virtual AuthOutcome authenticate(const http::Request& request) const = 0;
    // The WWW-Authenticate value when this is a view's first authenticator; none means 403.
    virtual std::optional<std::string> challenge(const http::Request& request) const = 0;
};

}  // namespace authpolicy::authn
