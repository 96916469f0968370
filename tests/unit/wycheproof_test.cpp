// Wycheproof signature and MAC vectors (tests/vectors/wycheproof, C2SP/wycheproof testvectors_v1)
// through the JWS verification keys: every "valid" verifies, every "invalid" is rejected, and each
// "acceptable" case is pinned to the behaviour documented in docs/oauth2.md.
//
// HMAC groups whose key is shorter than the hash output are refused at key construction (J13,
// RFC 7518 §3.2) and groups with truncated tags never verify (JWS tags are full length): both
// are counted as rejected, which is the JWS rule, not a divergence.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/jose/base64url.h"
#include "core/jose/jwk.h"

using namespace authpolicy::jose;
using nlohmann::json;

namespace {

json load(const std::string& name) {
    std::ifstream in(std::string(AUTHP_TEST_VECTORS_DIR) + "/wycheproof/" + name);
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
}

std::string unhex(const std::string& h) {
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
    return out;
}

struct Tally {
    int valid = 0, invalid = 0, acceptable = 0, refused_groups = 0;
};

// Signature files: the group's JWK (bound to `alg`) verifies each test's msg/sig.
Tally run_signatures(const std::string& file, Alg alg, const std::map<int, bool>& acceptable_expected) {
    const json v = load(file);
    Tally t;
    int total = 0;
    for (const auto& group : v["testGroups"]) {
        json jwk;
        if (group.contains("publicKeyJwk")) {
            jwk = group["publicKeyJwk"];
        } else if (group.contains("keyJwk")) {
            jwk = group["keyJwk"];
        } else {
            // Some ECDSA groups carry only the uncompressed point: 04 ‖ x ‖ y.
            const std::string point = unhex(group["publicKey"]["uncompressed"]);
            const size_t n = (point.size() - 1) / 2;
            const std::string curve = group["publicKey"]["curve"];
            jwk = {{"kty", "EC"},
                   {"crv", curve == "secp256r1"   ? "P-256"
                           : curve == "secp384r1" ? "P-384"
                                                  : "P-521"},
                   {"x", base64url_encode(point.substr(1, n))},
                   {"y", base64url_encode(point.substr(1 + n))}};
        }
        jwk.erase("kid");
        KeyPtr key;
        try {
            key = VerificationKey::from_jwk(jwk, {alg});
        } catch (const KeyError& e) {
            // A refused key: then every test of its group must be one we may reject.
            ++t.refused_groups;
            for (const auto& test : group["tests"]) {
                CAPTURE(file);
                CAPTURE(test["tcId"].get<int>());
                CAPTURE(e.what());
                CHECK(test["result"] != "valid");
                ++total;
            }
            continue;
        }
        REQUIRE(key->alg() == alg);
        for (const auto& test : group["tests"]) {
            ++total;
            const int id = test["tcId"];
            const std::string result = test["result"];
            const bool ok = key->verify(unhex(test["msg"]), unhex(test["sig"]));
            CAPTURE(file);
            CAPTURE(id);
            CAPTURE(test["comment"].get<std::string>());
            if (result == "valid") {
                CHECK(ok);
                ++t.valid;
            } else if (result == "invalid") {
                CHECK_FALSE(ok);
                ++t.invalid;
            } else {
                auto it = acceptable_expected.find(id);
                REQUIRE_MESSAGE(it != acceptable_expected.end(), "an acceptable case without a documented choice");
                CHECK(ok == it->second);
                ++t.acceptable;
            }
        }
    }
    CHECK(total == v["numberOfTests"].get<int>());
    MESSAGE(file << ": " << t.valid << " valid verified, " << t.invalid << " invalid rejected, " << t.acceptable
                 << " acceptable pinned, " << t.refused_groups << " key groups refused");
    return t;
}

Tally run_hmac(const std::string& file, Alg alg) {
    const json v = load(file);
    Tally t;
    int total = 0;
    for (const auto& group : v["testGroups"]) {
        const bool full_tag =
            group["tagSize"].get<int>() == static_cast<int>(unhex(group["tests"][0]["tag"]).size() * 8) &&
            group["tagSize"].get<int>() == (alg == Alg::HS256   ? 256
                                            : alg == Alg::HS384 ? 384
                                                                : 512);
        for (const auto& test : group["tests"]) {
            ++total;
            CAPTURE(file);
            CAPTURE(test["tcId"].get<int>());
            const std::string key_bytes = unhex(test["key"]);
            KeyPtr key;
            try {
                key = VerificationKey::from_secret(key_bytes, {alg}, "");
            } catch (const KeyError&) {
                CHECK(key_bytes.size() * 8 < static_cast<size_t>(alg == Alg::HS256   ? 256
                                                                 : alg == Alg::HS384 ? 384
                                                                                     : 512));
                ++t.refused_groups;
                continue;
            }
            const bool ok = key->verify(unhex(test["msg"]), unhex(test["tag"]));
            if (test["result"] == "valid" && full_tag) {
                CHECK(ok);
                ++t.valid;
            } else {
                CHECK_FALSE(ok);  // invalid, or a truncated tag
                ++t.invalid;
            }
        }
    }
    CHECK(total == v["numberOfTests"].get<int>());
    MESSAGE(file << ": " << t.valid << " valid verified, " << t.invalid << " rejected (invalid or truncated), "
                 << t.refused_groups << " refused short keys");
    return t;
}

}  // namespace

TEST_CASE("Wycheproof ECDSA P1363 (ES256, ES384)") {
    CHECK(run_signatures("ecdsa_secp256r1_sha256_p1363_test.json", Alg::ES256, {}).valid > 0);
    CHECK(run_signatures("ecdsa_secp384r1_sha384_p1363_test.json", Alg::ES384, {}).valid > 0);
}

TEST_CASE("Wycheproof RSASSA-PKCS1-v1_5 (RS256, RS384, RS512; 2048 and 3072 bits)") {
    // Acceptable tc 8 "missing NULL" in DigestInfo: rejected (OpenSSL re-encodes the DigestInfo
    // with NULL parameters and compares; RFC 8017 §9.2 allows both, JWS signers always send NULL).
    const std::map<int, bool> missing_null_rejected = {{8, false}};
    run_signatures("rsa_signature_2048_sha256_test.json", Alg::RS256, missing_null_rejected);
    run_signatures("rsa_signature_2048_sha384_test.json", Alg::RS384, missing_null_rejected);
    run_signatures("rsa_signature_2048_sha512_test.json", Alg::RS512, missing_null_rejected);
    run_signatures("rsa_signature_3072_sha256_test.json", Alg::RS256, missing_null_rejected);
}

TEST_CASE("Wycheproof RSASSA-PSS 2048 SHA-256 MGF1 salt 32 (PS256)") {
    run_signatures("rsa_pss_2048_sha256_mgf1_32_test.json", Alg::PS256, {});
}

TEST_CASE("Wycheproof Ed25519 (EdDSA)") {
    run_signatures("ed25519_test.json", Alg::EdDSA, {});
}

TEST_CASE("Wycheproof HMAC (HS256, HS384, HS512)") {
    run_hmac("hmac_sha256_test.json", Alg::HS256);
    run_hmac("hmac_sha384_test.json", Alg::HS384);
    run_hmac("hmac_sha512_test.json", Alg::HS512);
}
