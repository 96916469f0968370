// JWTAuthentication: OAuth 2.0 bearer access tokens that are JWS-signed JWTs (RFC 7519, RFC 9068)
// verified against configured keys (JWK Set, PEM or shared secret), with a verified-token cache
// keyed by the token's digest inside this authenticator (whose validation context is fixed) and
// re-checked against exp/nbf/iat and the user's state on every hit.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/authn/authenticator.h"
#include "core/authn/sender_constraint.h"
#include "core/cache/credential_cache.h"
#include "core/engine/services.h"
#include "core/jose/claims.h"
#include "core/jose/jws.h"
#include "core/keys/key_registry.h"

namespace authpolicy::authn {

// Where one issuer's keys come from and what its tokens must claim. A remote key set
// (jwks_uri or discovery) replaces the verifier's own keys with its current snapshot.
struct JwtIssuer {
    std::shared_ptr<const jose::JwsVerifier> verifier;
    jose::ClaimsPolicy claims;
    std::shared_ptr<keys::RemoteKeySet> remote;  // null: the verifier's configured keys
};

struct JwtSettings {
    std::shared_ptr<const jose::JwsVerifier> verifier;
    jose::ClaimsPolicy claims;
    std::shared_ptr<keys::RemoteKeySet> remote;
    // "issuers": tokens are routed by their (unverified) "iss" to exactly one of these before any
    // key is touched; an unlisted iss is refused without a fetch. Empty: verifier/claims/remote.
    std::vector<JwtIssuer> issuers;
    std::string user_claim = "sub";
    bool lookup_user = true;
    bool user_by_id = false;  // "user_field": "id"
    std::string realm = "api";
    std::optional<double> max_lifetime;  // refuse exp - iat above it (seconds)
    bool rfc9068 = false;                // "profile": "rfc9068" (JWT access tokens, RFC 9068 §2.2, §4)
    SenderConstraintSettings sender;     // "dpop", client certificates (docs/oauth2.md)
};

class JwtAuthenticator final : public Authenticator {
  public:
    JwtAuthenticator(std::shared_ptr<const Services> services, JwtSettings settings);
    std::string_view name() const override { return "JWTAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    std::optional<std::string> challenge(const http::Request&) const override { return sender_.challenge(); }
    std::string_view realm() const override { return settings_.realm; }

  private:
    const char* check_profile(const nlohmann::json& payload) const;
    struct Entry {
        UserPtr user;
        AuthValue auth;
        jose::TimeClaims times;
        Confirmation cnf;               // checked against the sender on every use
        uint64_t directory_generation;  // users change: entries stamped before are stale
    };
    AuthOutcome authenticate_token(const http::Request& request, const PresentedToken& presented) const;
    AuthOutcome verify_uncached(std::string_view token, double now, Entry& entry) const;
    // Signature with the issuer's keys (a remote set refetches once for an unknown kid).
    jose::JwsResult verify_signature(std::string_view token, const JwtIssuer& issuer) const;

    std::shared_ptr<const Services> services_;
    JwtSettings settings_;
    JwtIssuer single_;  // the one issuer when settings_.issuers is empty
    SenderConstraint sender_;
    mutable cache::CredentialCache<Entry> cache_;
};

// Builds one from its JSON options (docs/oauth2.md); throws Error(Config) naming the key, e.g.
// "$.VIEWS.x.authentication_classes[0].jwks". base_dir resolves a relative jwks_file. `registry`
// provides remote key sets (jwks_uri, discovery); null: those options are refused.
std::shared_ptr<const Authenticator> make_jwt_authenticator(std::shared_ptr<const Services> services,
                                                            const nlohmann::json& options, const std::string& where,
                                                            const std::string& base_dir,
                                                            keys::KeyRegistry* registry = nullptr);

}  // namespace authpolicy::authn
