// JOSE parsers (core/jose): strict base64url, strict JSON objects, JWK Sets, JWS compact
// verification and JWT claim checks.
// Oracles: base64url has exactly one accepted encoding per byte string (decode∘encode = id and
// encode∘decode = id); a strict object is a JSON object without duplicate names; a JWS that
// verifies carries a signature that an independent HMAC-SHA256 over "header.payload" reproduces
// (the harness key is HS256 only: no algorithm confusion, no "none").
// Input: FuzzedDataProvider: a selector byte, then the text.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <string>

#include "core/common/error.h"
#include "core/jose/base64url.h"
#include "core/jose/claims.h"
#include "core/jose/jwk.h"
#include "core/jose/jws.h"
#include "core/jose/strict_json.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;
using namespace authpolicy::jose;

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef0123456789";

const JwsVerifier& verifier() {
    static const JwsVerifier v({VerificationKey::from_secret(kSecret, {Alg::HS256}, "k1")}, {Alg::HS256}, std::nullopt);
    return v;
}

void fuzz_base64url(std::string_view text) {
    if (const auto bytes = base64url_decode(text)) {
        require(base64url_encode(*bytes) == text, "base64url: an accepted text is the one encoding of its bytes");
        std::string again;
        require(base64url_decode_into(text, again) && again == *bytes, "base64url: both decoders agree");
    }
    const auto back = base64url_decode(base64url_encode(text));
    require(back && *back == text, "base64url: round trip");
}

void fuzz_strict_json(std::string_view text) {
    const auto j = parse_strict_object(text);
    if (!j) return;
    require(j->is_object(), "strict JSON: an object");
    const auto loose = nlohmann::json::parse(text, nullptr, false);
    require(!loose.is_discarded(), "strict JSON: what the strict parser accepts, nlohmann accepts");
    std::vector<std::string> scopes;
    authpolicy::jose::TimeClaims times;
    ClaimsPolicy policy;
    policy.issuer = "https://issuer.example";
    policy.audiences = {"api"};
    policy.leeway = 30;
    (void)check_claims(*j, policy, 1700000000.0, times);
    (void)check_times(times, 30, 1700000000.0);
    (void)extract_scopes(*j, scopes);
}

void fuzz_jwks(std::string_view text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return;
    for (const auto& allowed : {std::vector<Alg>{}, std::vector<Alg>{Alg::RS256, Alg::ES256, Alg::EdDSA, Alg::HS256}}) {
        try {
            const auto keys = parse_jwks(j, allowed);
            require(!keys.empty() && keys.size() <= 100, "JWKS: 1..100 keys");
            for (const auto& k : keys) {
                if (!allowed.empty())
                    require(std::find(allowed.begin(), allowed.end(), k->alg()) != allowed.end(),
                            "JWKS: a key's algorithm is in the allow-list");
                (void)k->verify("a.b", "sig");
            }
        } catch (const KeyError&) {
        } catch (const authpolicy::Error&) {
        }
    }
}

void fuzz_jws(std::string_view token) {
    const JwsResult r = verifier().verify(token);
    if (!r.ok) {
        require(r.error != nullptr && *r.error != '\0', "JWS: a refusal has a description");
        return;
    }
    require(r.payload.is_object(), "JWS: a verified payload is an object");
    const size_t dot2 = token.rfind('.');
    require(dot2 != std::string_view::npos, "JWS: compact form");
    const std::string_view input = token.substr(0, dot2);
    const auto sig = base64url_decode(token.substr(dot2 + 1));
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    require(sig && sig->size() == len && std::memcmp(sig->data(), mac, len) == 0,
            "JWS: only a token signed with the key verifies");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0: fuzz_base64url(text); break;
        case 1: fuzz_strict_json(text); break;
        case 2: fuzz_jwks(text); break;
        case 3: fuzz_jws(text); break;
    }
    return 0;
}
