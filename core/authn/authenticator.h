// The authenticator contract (DRF's BaseAuthentication): not mine, authenticated, or failed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine/user.h"
#include "core/http/request.h"

namespace authpolicy::authn {

struct AuthOutcome {
    enum class Kind { NotApplicable, Authenticated, Failed };
    Kind kind = Kind::NotApplicable;
    UserPtr user;
    AuthValue auth;
    std::string detail;  // Failed only
    // Failed only, all optional. A failure that is not DRF's AuthenticationFailed: a forced status
    // (403 for SessionAuthentication's CSRF PermissionDenied, 400 for RFC 6750 invalid_request)
    // with its code, and a failure-specific challenge (RFC 6750 error="invalid_token") that
    // replaces challenge() when this authenticator is the view's first one.
    std::optional<int> status;
    std::string code;
    std::optional<std::string> failure_challenge;
    // Failed only: the whole JSON body the host should send when it is richer than
    // {"detail": detail} (simplejwt's {"detail","code","messages"}); empty = {"detail": detail}.
    // NotApplicable may carry failure_challenge too: the challenge to send if this is the view's
    // first authenticator and the request ends unauthenticated (DOT's oauth2_error).
    // A pointer, so that the common outcomes (not mine, success) construct nothing.
    std::shared_ptr<const std::string> body;
    std::optional<long long> retry_after;  // seconds, with a forced 429 (LOGIN_FAILURES)
    // Failed only: more response headers (DPoP-Nonce with use_dpop_nonce, RFC 9449 §9); a
    // pointer for the same reason as body.
    std::shared_ptr<const std::vector<std::pair<std::string, std::string>>> headers;

    static AuthOutcome not_applicable() { return {}; }
    static AuthOutcome success(UserPtr user, AuthValue auth) {
        AuthOutcome o;
        o.kind = Kind::Authenticated;
        o.user = std::move(user);
        o.auth = std::move(auth);
        return o;
    }
    static AuthOutcome failure(std::string detail) {
        AuthOutcome o;
        o.kind = Kind::Failed;
        o.detail = std::move(detail);
        return o;
    }
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
    // The realm a scope challenge names when this class authenticated the request (RFC 6750 §3).
    virtual std::string_view realm() const { return "api"; }
};

}  // namespace authpolicy::authn
