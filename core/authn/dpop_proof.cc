#include "core/authn/dpop_proof.h"

#include <cctype>
#include <cmath>
#include <optional>

#include "core/authn/dpop_htu.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/digest.h"
#include "core/jose/base64url.h"
#include "core/jose/jwk_thumbprint.h"
#include "core/jose/jws.h"
#include "core/jose/strict_json.h"

namespace authpolicy::authn {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxJti = 256;

bool compact_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

const std::string* string_member(const json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) return nullptr;
    return &it->get_ref<const std::string&>();
}

}  // namespace

const char* check_dpop_proof(std::string_view proof, const DpopProofPolicy& policy, std::string_view method,
                             std::string_view htu, std::string_view access_token, double now, DpopProofClaims& out) {
    // §4.3 check 2: one well-formed compact JWS (three non-empty base64url parts).
    if (proof.empty() || proof.size() > jose::kMaxTokenBytes) return "The DPoP proof is malformed.";
    size_t dots[2] = {0, 0};
    size_t ndots = 0;
    for (size_t i = 0; i < proof.size(); ++i) {
        const auto c = static_cast<unsigned char>(proof[i]);
        if (!compact_char(c)) return "The DPoP proof is malformed.";
        if (c == '.') {
            if (ndots == 2) return "The DPoP proof is malformed.";
            dots[ndots++] = i;
        }
    }
    if (ndots != 2 || dots[0] == 0 || dots[1] == dots[0] + 1 || dots[1] + 1 == proof.size())
        return "The DPoP proof is malformed.";
    std::string buffer;
    if (!jose::base64url_decode_into(proof.substr(0, dots[0]), buffer)) return "The DPoP proof is malformed.";
    const std::optional<json> header = jose::parse_strict_object(buffer);
    if (!header) return "The DPoP proof header is malformed.";

    // Check 4: typ is dpop+jwt (media types compare case-insensitively, RFC 7515 §4.1.9).
    const std::string* typ = string_member(*header, "typ");
    if (typ == nullptr) return "The DPoP proof type is not dpop+jwt.";
    std::string lowered = *typ;
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lowered != "dpop+jwt") return "The DPoP proof type is not dpop+jwt.";

    // Check 5: an asymmetric algorithm from the allow-list (never none, never a MAC).
    const std::string* alg_name = string_member(*header, "alg");
    const auto alg = alg_name ? jose::alg_from_name(*alg_name) : std::nullopt;
    if (!alg || jose::family_of(*alg) == jose::Family::Hmac) return "The DPoP proof algorithm is not allowed.";
    bool listed = false;
    for (const jose::Alg a : policy.algorithms) listed = listed || a == *alg;
    if (!listed) return "The DPoP proof algorithm is not allowed.";
    if (header->contains("crit") || header->contains("b64"))
        return "The DPoP proof uses header extensions that are not understood.";

    // Check 7: the jwk is a public key; any private or symmetric member refuses it outright.
    const auto jwk = header->find("jwk");
    if (jwk == header->end() || !jwk->is_object()) return "The DPoP proof has no jwk header.";
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
        if (jwk->contains(priv)) return "The DPoP proof key is not a public key.";
    }
    std::shared_ptr<const jose::VerificationKey> key;
    try {
        key = jose::VerificationKey::from_jwk(*jwk, {*alg});
    } catch (const jose::KeyError&) {
        return "The DPoP proof key is unusable or does not match its algorithm.";
    }

    // Check 6: the signature, over the received bytes.
    std::string signature;
    if (!jose::base64url_decode_into(proof.substr(dots[1] + 1), signature)) return "The DPoP proof is malformed.";
    if (!key->verify(proof.substr(0, dots[1]), signature)) return "The DPoP proof signature is invalid.";

    if (!jose::base64url_decode_into(proof.substr(dots[0] + 1, dots[1] - dots[0] - 1), buffer))
        return "The DPoP proof is malformed.";
    const std::optional<json> claims = jose::parse_strict_object(buffer);
    if (!claims) return "The DPoP proof claims are malformed.";

    // Check 3: the required claims, then 8 (htm), 9 (htu), 11 (iat) and 12 (ath).
    const std::string* jti = string_member(*claims, "jti");
    if (jti == nullptr || jti->empty() || jti->size() > kMaxJti) return "The DPoP proof has no valid jti.";
    const std::string* htm = string_member(*claims, "htm");
    if (htm == nullptr || *htm != method) return "The DPoP proof htm does not match the request method.";
    const std::string* claimed_htu = string_member(*claims, "htu");
    const std::optional<std::string> normal = claimed_htu ? normalize_htu(*claimed_htu) : std::nullopt;
    if (!normal || *normal != htu) return "The DPoP proof htu does not match the request URI.";
    const auto iat = claims->find("iat");
    if (iat == claims->end() || !iat->is_number() || !std::isfinite(iat->get<double>()))
        return "The DPoP proof has no valid iat.";
    const double issued = iat->get<double>();
    if (issued > now + policy.leeway) return "The DPoP proof is issued in the future.";
    if (now - issued > policy.max_age) return "The DPoP proof is too old.";
    const std::string* ath = string_member(*claims, "ath");
    const crypto::Sha256 token_hash = crypto::sha256(access_token);
    const std::string expected =
        jose::base64url_encode(std::string_view(reinterpret_cast<const char*>(token_hash.data()), token_hash.size()));
    if (ath == nullptr || !crypto::constant_time_equal(*ath, expected))
        return "The DPoP proof ath does not match the access token.";

    // §8: a server nonce, checked by the caller when nonces are on.
    if (const auto nonce = claims->find("nonce"); nonce != claims->end()) {
        if (!nonce->is_string() || nonce->get_ref<const std::string&>().empty() ||
            nonce->get_ref<const std::string&>().size() > kMaxJti)
            return "The DPoP proof nonce is malformed.";
        out.nonce = nonce->get<std::string>();
    }

    const std::optional<std::string> jkt = jose::jwk_thumbprint_sha256(*jwk);
    if (!jkt) return "The DPoP proof key is unusable or does not match its algorithm.";
    out.jkt = *jkt;
    out.jti = *jti;
    out.iat = issued;
    return nullptr;
}

}  // namespace authpolicy::authn
