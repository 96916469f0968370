// OAuth2Authentication: opaque OAuth 2.0 bearer access tokens (RFC 6750), either issued by this
// library (the authp_oauth_token table: digests only, user, client id, scopes, expiry) or checked
// by the host's introspection callback (RFC 7662), whose answers are cached by token digest
// never past their exp, with scopes re-checked by the permissions on every request.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/authn/authenticator.h"
#include "core/authn/sender_constraint.h"
#include "core/cache/credential_cache.h"
#include "core/engine/services.h"
#include "core/keys/key_registry.h"

namespace authpolicy::authn {

// The host's RFC 7662 introspection: the token in, the response JSON object out
// ({"active": true, "scope": "…", "exp": …, "sub": "…", "username": "…", "client_id": "…"}).
// Throws Error(User | Callback) when the host fails; the request then gets a 503 (fail closed).
using IntrospectFn = std::function<std::string(std::string_view token)>;

struct OAuth2Settings {
    bool introspection = false;  // "source": "introspection"
    bool lookup_user = true;     // introspection: find the user, or build one from the response
    double introspection_cache_ttl = 60;
    std::string realm = "api";
    SenderConstraintSettings sender;  // "dpop", client certificates (docs/oauth2.md)
};

class OAuth2Authenticator final : public Authenticator {
  public:
    OAuth2Authenticator(std::shared_ptr<const Services> services, OAuth2Settings settings, IntrospectFn introspect);
    std::string_view name() const override { return "OAuth2Authentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return sender_.challenge(); }
    std::string_view realm() const override { return settings_.realm; }

    // Opaque tokens longer than this are refused without a lookup.
    static constexpr size_t kMaxTokenLength = 4096;

  private:
    struct Entry {
        UserPtr user;
        AuthValue auth;
        std::optional<double> expires;
        std::optional<double> not_before;
        Confirmation cnf;  // introspection's "cnf"; stored tokens have none
        uint64_t directory_generation;
    };
    AuthOutcome authenticate_token(const http::Request& request, const PresentedToken& presented) const;
    AuthOutcome from_store(const crypto::Sha256& digest, double now, Entry& entry) const;
    AuthOutcome from_introspection(std::string_view token, double now, Entry& entry) const;

    std::shared_ptr<const Services> services_;
    OAuth2Settings settings_;
    IntrospectFn introspect_;
    SenderConstraint sender_;
    mutable cache::CredentialCache<Entry> cache_;
};

// "introspection_endpoint" (or "issuer", discovered) makes the authenticator call the endpoint
// over HTTP (core/keys/introspection_client.h) instead of the host's `introspect` callback.
std::shared_ptr<const Authenticator> make_oauth2_authenticator(std::shared_ptr<const Services> services,
                                                               const nlohmann::json& options, const std::string& where,
                                                               IntrospectFn introspect,
                                                               keys::KeyRegistry* registry = nullptr,
                                                               const std::string& base_dir = "");

// A new opaque access token: 43 base64url characters (256 bits from OpenSSL's CSPRNG).
std::string new_oauth_token();

}  // namespace authpolicy::authn
