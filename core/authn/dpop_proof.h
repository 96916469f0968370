// A DPoP proof JWT (RFC 9449 §4.2) checked as §4.3 says, against one request and one access
// token. The proof names its own key (the "jwk" header), so it is not a JwsVerifier token: the
// key is imported per proof, must be public and asymmetric, and binds to the proof's "alg"
// from the allow-list; the signature check itself is the JOSE code's (VerificationKey::verify).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/jose/jwk.h"

namespace authpolicy::authn {

struct DpopProofPolicy {
    std::vector<jose::Alg> algorithms = {jose::Alg::ES256, jose::Alg::RS256, jose::Alg::PS256, jose::Alg::EdDSA};
    double max_age = 300;  // seconds a proof is accepted after its iat
    double leeway = 5;     // seconds an iat may lie in the future (clock skew)
};

struct DpopProofClaims {
    std::string jkt;  // RFC 7638 thumbprint of the proof key (base64url SHA-256)
    std::string jti;
    double iat = 0;
    std::string nonce;  // empty when the proof has none
};

// nullptr when `proof` is valid for `method` and `htu` (already normalised) and carries
// ath = base64url(SHA-256(access_token)); else a fixed description without quotes (it goes
// into error_description and never quotes the proof or the token).
const char* check_dpop_proof(std::string_view proof, const DpopProofPolicy& policy, std::string_view method,
                             std::string_view htu, std::string_view access_token, double now, DpopProofClaims& out);

}  // namespace authpolicy::authn
