// JOSE building blocks: strict base64url, strict JSON, keys (J3, J4, J13–J15) and the RFC
// examples: RFC 7515 appendix A.1 and A.5, RFC 7520 §4.1–4.4 and RFC 8037 (tests/vectors/jose-cookbook).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/jose/base64url.h"
#include "core/jose/claims.h"
#include "core/jose/jwk.h"
#include "core/jose/jws.h"
#include "core/jose/strict_json.h"
#include "jose_support.h"

using namespace authpolicy::jose;
using nlohmann::json;

namespace {

json load(const std::string& relative) {
    std::ifstream in(std::string(AUTHP_TEST_VECTORS_DIR) + "/" + relative);
    REQUIRE(in.good());
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
}

json public_part(json jwk) {
    for (const char* k : {"d", "p", "q", "dp", "dq", "qi"}) jwk.erase(k);
    return jwk;
}

// RFC 7515 appendix A.1 (HS256; the header holds CRLF and spaces: the received bytes are signed).
constexpr const char* kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kA1Key = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

}  // namespace

TEST_CASE("base64url: strict, unpadded, canonical") {
    CHECK(base64url_encode("") == "");
    CHECK(base64url_encode("\xfb\xff") == "-_8");
    CHECK(base64url_decode("-_8") == std::string("\xfb\xff"));
    CHECK(base64url_decode("AQAB") == std::string("\x01\x00\x01", 3));
    CHECK_FALSE(base64url_decode("AQ=="));  // padding
    CHECK_FALSE(base64url_decode("+/8"));   // standard alphabet
    CHECK_FALSE(base64url_decode("AQ B"));  // whitespace
    CHECK_FALSE(base64url_decode("A"));     // length 1 mod 4
    CHECK_FALSE(base64url_decode("AR"));    // non-zero unused bits (AQ is canonical)
    CHECK(base64url_decode("AQ") == std::string("\x01"));
    for (int n = 0; n < 40; ++n) {
        std::string bytes;
        for (int i = 0; i < n; ++i) bytes += static_cast<char>(i * 37 + 11);
        CHECK(base64url_decode(base64url_encode(bytes)) == bytes);
    }
}

TEST_CASE("strict JSON: one object, UTF-8, no duplicate members at any depth (J17, J18)") {
    CHECK(parse_strict_object(R"({"a":1,"b":{"c":2}})"));
    CHECK_FALSE(parse_strict_object(R"({"alg":"HS256","alg":"none"})"));
    CHECK_FALSE(parse_strict_object(R"({"a":{"x":1,"x":2}})"));
    CHECK_FALSE(parse_strict_object(R"({"a":[{"x":1,"x":2}]})"));
    CHECK(parse_strict_object(R"({"a":[{"x":1},{"x":2}]})"));
    CHECK_FALSE(parse_strict_object("\xEF\xBB\xBF{}"));     // BOM
    CHECK_FALSE(parse_strict_object("{\"a\":\"\xff\"}"));   // invalid UTF-8
    CHECK_FALSE(parse_strict_object(R"({"a":"\ud800"})"));  // lone surrogate
    CHECK_FALSE(parse_strict_object("[1]"));
    CHECK_FALSE(parse_strict_object("{} {}"));
    CHECK_FALSE(parse_strict_object(std::string(100, '[') + std::string(100, ']')));
}

TEST_CASE("algorithm names are exact and case-sensitive (J2)") {
    CHECK(alg_from_name("RS256") == Alg::RS256);
    CHECK(alg_from_name("EdDSA") == Alg::EdDSA);
    for (const char* bad :
         {"none", "None", "NONE", "nOnE", " none", "rs256", "Rs256", "HS256 ", "ES256K", "Ed25519", ""})
        CHECK_FALSE(alg_from_name(bad));
}

TEST_CASE("RFC 7515 A.1: HS256 verifies over the received bytes") {
    auto key = VerificationKey::from_jwk(json{{"kty", "oct"}, {"k", kA1Key}}, {Alg::HS256});
    JwsVerifier v({key}, {Alg::HS256}, std::nullopt);
    const JwsResult r = v.verify(kA1Token);
    REQUIRE(r.ok);
    CHECK(r.payload["iss"] == "joe");
    CHECK(r.payload["exp"] == 1300819380);
    CHECK(r.payload["http://example.com/is_root"] == true);
    // A one-bit change anywhere fails.
    std::string t = kA1Token;
    for (size_t i : {size_t{3}, size_t{50}, t.size() - 2}) {
        std::string m = t;
        m[i] = m[i] == 'A' ? 'B' : 'A';
        CHECK_FALSE(v.verify(m).ok);
    }
}

TEST_CASE("RFC 7515 A.5: an unsecured JWS (alg none) is rejected (J1)") {
    auto key = VerificationKey::from_jwk(json{{"kty", "oct"}, {"k", kA1Key}}, {Alg::HS256});
    JwsVerifier v({key}, {Alg::HS256}, std::nullopt);
    const std::string payload =
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    CHECK_FALSE(v.verify("eyJhbGciOiJub25lIn0." + payload + ".").ok);
    CHECK(std::string(v.verify("eyJhbGciOiJub25lIn0." + payload + ".c2ln").error) ==
          "The token algorithm is not allowed.");
}

TEST_CASE("RFC 7520 §4.1–4.4 and RFC 8037 A.4: cookbook signatures verify, tampering fails") {
    struct Case {
        const char* file;
        Alg alg;
    };
    for (const Case c :
         {Case{"jws/4_1.rsa_v15_signature.json", Alg::RS256}, Case{"jws/4_2.rsa-pss_signature.json", Alg::PS384},
          Case{"jws/4_3.ecdsa_signature.json", Alg::ES512},
          Case{"jws/4_4.hmac-sha2_integrity_protection.json", Alg::HS256}, Case{"curve25519/jws.json", Alg::EdDSA}}) {
        CAPTURE(c.file);
        const json v = load(std::string("jose-cookbook/") + c.file);
        auto key = VerificationKey::from_jwk(public_part(v["input"]["key"]), {c.alg});
        CHECK(key->alg() == c.alg);
        const std::string compact = v["output"]["compact"];
        const size_t dot = compact.rfind('.');
        const std::string sig = *base64url_decode(compact.substr(dot + 1));
        CHECK(key->verify(compact.substr(0, dot), sig));
        std::string tampered = sig;
        tampered[tampered.size() / 2] ^= 0x01;
        CHECK_FALSE(key->verify(compact.substr(0, dot), tampered));
        // Through the verifier the signature passes and the (non-JSON) payload is then refused:
        // the cookbook signs prose, and access tokens carry claims.
        JwsVerifier verifier({key}, {c.alg}, std::nullopt);
        CHECK(std::string(verifier.verify(compact).error) == "The token claims are malformed.");
    }
}

TEST_CASE("keys: refused at configuration (J13 weak secrets, J14 weak RSA, J15 key sets)") {
    // J13: a secret shorter than the hash output, or empty, is refused.
    CHECK_THROWS_AS(VerificationKey::from_secret("", {}, ""), KeyError);
    CHECK_THROWS_AS(VerificationKey::from_secret(std::string(31, 'x'), {Alg::HS256}, ""), KeyError);
    CHECK_THROWS_AS(VerificationKey::from_secret(std::string(47, 'x'), {Alg::HS384}, ""), KeyError);
    CHECK(VerificationKey::from_secret(std::string(32, 'x'), {}, "")->alg() == Alg::HS256);
    CHECK_THROWS_AS(VerificationKey::from_jwk(json{{"kty", "oct"}, {"k", ""}}, {}), KeyError);

    // J14: RSA below 2048 bits, e = 1, even e.
    EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
    authp_test::SigningKey weak{std::shared_ptr<EVP_PKEY>(small, EVP_PKEY_free), "", "RS256"};
    CHECK_THROWS_AS(VerificationKey::from_jwk(weak.public_jwk(), {}), KeyError);
    CHECK_THROWS_AS(VerificationKey::from_pem(weak.public_pem(), {}, ""), KeyError);
    auto rsa = authp_test::generate_key("RS256");
    json e1 = rsa.public_jwk();
    e1["e"] = "AQ";
    CHECK_THROWS_AS(VerificationKey::from_jwk(e1, {}), KeyError);
    json even = rsa.public_jwk();
    even["e"] = "AQAA";
    CHECK_THROWS_AS(VerificationKey::from_jwk(even, {}), KeyError);

    // J15: wrong use, key_ops without verify, alg/crv mismatch, point off the curve, private parts.
    json enc = rsa.public_jwk();
    enc["use"] = "enc";
    CHECK_THROWS_AS(VerificationKey::from_jwk(enc, {}), KeyError);
    json ops = rsa.public_jwk();
    ops["key_ops"] = {"sign"};
    CHECK_THROWS_AS(VerificationKey::from_jwk(ops, {}), KeyError);
    auto ec = authp_test::generate_key("ES256");
    json mismatch = ec.public_jwk();
    mismatch["alg"] = "ES384";
    CHECK_THROWS_AS(VerificationKey::from_jwk(mismatch, {}), KeyError);
    json off = ec.public_jwk();
    std::string y = *base64url_decode(off["y"].get<std::string>());
    y[31] ^= 1;
    off["y"] = base64url_encode(y);
    CHECK_THROWS_AS(VerificationKey::from_jwk(off, {}), KeyError);
    json short_x = ec.public_jwk();
    short_x["x"] = base64url_encode(base64url_decode(short_x["x"].get<std::string>())->substr(1));
    CHECK_THROWS_AS(VerificationKey::from_jwk(short_x, {}), KeyError);
    json priv = rsa.public_jwk();
    priv["d"] = "AQAB";
    CHECK_THROWS_AS(VerificationKey::from_jwk(priv, {}), KeyError);
    // An RSA key declaring HS256 never becomes an HMAC key (J4).
    json confused = rsa.public_jwk();
    confused["alg"] = "HS256";
    CHECK_THROWS_AS(VerificationKey::from_jwk(confused, {}), KeyError);

    CHECK_THROWS_AS(parse_jwks(json{{"keys", json::array()}}, {}), KeyError);
    CHECK_THROWS_AS(parse_jwks(json{{"keys", {rsa.public_jwk("a"), ec.public_jwk("a")}}}, {}), KeyError);
    auto hs = authp_test::generate_key("HS256");
    CHECK_THROWS_AS(parse_jwks(json{{"keys", {rsa.public_jwk("a"), hs.public_jwk("b")}}}, {}), KeyError);
    CHECK(parse_jwks(json{{"keys", {rsa.public_jwk("a"), ec.public_jwk("b")}}}, {}).size() == 2);
    // Keys for algorithms outside the allow-list are skipped; none left is an error.
    CHECK(parse_jwks(json{{"keys", {rsa.public_jwk("a"), ec.public_jwk("b")}}}, {Alg::ES256}).size() == 1);
    CHECK_THROWS_AS(parse_jwks(json{{"keys", {rsa.public_jwk("a")}}}, {Alg::ES256}), KeyError);
    // Key types outside the JWS list (X25519 here; DSA alike, CVE-2022-23539) are refused.
    EVP_PKEY* dsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
    authp_test::SigningKey x{std::shared_ptr<EVP_PKEY>(dsa, EVP_PKEY_free), "", "EdDSA"};
    CHECK_THROWS_AS(VerificationKey::from_pem(x.public_pem(), {}, ""), KeyError);
}

TEST_CASE("keys without alg bind from kty and the allow-list, never across families (J4)") {
    auto rsa = authp_test::generate_key("RS256");
    CHECK(VerificationKey::from_jwk(rsa.public_jwk("", false), {})->alg() == Alg::RS256);
    CHECK(VerificationKey::from_jwk(rsa.public_jwk("", false), {Alg::PS256})->alg() == Alg::PS256);
    CHECK_THROWS_AS(VerificationKey::from_jwk(rsa.public_jwk("", false), {Alg::RS256, Alg::PS256}), KeyError);
    CHECK_THROWS_AS(VerificationKey::from_jwk(rsa.public_jwk("", false), {Alg::HS256}), KeyError);
    auto ec = authp_test::generate_key("ES384");
    CHECK(VerificationKey::from_jwk(ec.public_jwk("", false), {})->alg() == Alg::ES384);
    CHECK(VerificationKey::from_pem(ec.public_pem(), {}, "")->alg() == Alg::ES384);
    auto ed = authp_test::generate_key("EdDSA");
    CHECK(VerificationKey::from_pem(ed.public_pem(), {}, "")->alg() == Alg::EdDSA);
}

TEST_CASE("claims: times, issuer and audience compared exactly (J11, J12)") {
    ClaimsPolicy p;
    p.issuer = "https://id.example";
    p.audiences = {"api"};
    TimeClaims t;
    const double now = 1000000;
    const auto check = [&](const json& c) { return check_claims(c, p, now, t); };
    json ok = {{"iss", "https://id.example"}, {"aud", "api"}, {"exp", now + 10}};
    CHECK(check(ok) == nullptr);
    json c = ok;
    c["exp"] = now;  // exp must be strictly after now
    CHECK(std::string(check(c)) == "The token has expired.");
    p.leeway = 30;
    c["exp"] = now - 30 - 1;
    CHECK(std::string(check(c)) == "The token has expired.");
    c["exp"] = now - 29;
    CHECK(check(c) == nullptr);
    c = ok;
    c["nbf"] = now + 31;
    CHECK(std::string(check(c)) == "The token is not valid yet.");
    c["nbf"] = now + 30;
    CHECK(check(c) == nullptr);
    c = ok;
    c["iat"] = now + 31;
    CHECK(std::string(check(c)) == "The token was issued in the future.");
    p.leeway = 0;
    for (const json& bad : {json("1000010"), json(true), json(-1), json(1e300), json(nullptr), json::array()}) {
        c = ok;
        c["exp"] = bad;
        CHECK(std::string(check(c)) == "The token has a malformed time claim.");
    }
    c = ok;
    c["exp"] = now + 10.5;  // NumericDate may be fractional
    CHECK(check(c) == nullptr);
    c = ok;
    c.erase("exp");
    CHECK(std::string(check(c)) == "The token has no expiry.");
    // iss: exact (CVE-2024-53861 substring, l8w8jwt prefix).
    for (const json& bad : {json("https://id.exampl"), json(""), json("https://id.example/"),
                            json("HTTPS://id.example"), json::array({"https://id.example"})}) {
        c = ok;
        c["iss"] = bad;
        CHECK(std::string(check(c)) == "The token issuer is not accepted.");
    }
    // aud: string or non-empty list of strings containing an accepted one (CVE-2020-26160).
    c = ok;
    c["aud"] = {"other", "api"};
    CHECK(check(c) == nullptr);
    c["aud"] = {"other"};
    CHECK(std::string(check(c)) == "The token audience is not accepted.");
    c["aud"] = json::array();
    CHECK(std::string(check(c)) == "The token audience is malformed.");
    c["aud"] = {"api", 1};
    CHECK(std::string(check(c)) == "The token audience is malformed.");
    c["aud"] = "ap";
    CHECK(std::string(check(c)) == "The token audience is not accepted.");
    c.erase("aud");
    CHECK(std::string(check(c)) == "The token has no audience.");
    // No audience configured: a token addressed to someone is refused (RFC 7519 §4.1.3).
    ClaimsPolicy open;
    CHECK(std::string(check_claims(json{{"aud", "x"}, {"exp", now + 1}}, open, now, t)) ==
          "The token audience is not accepted.");
}

TEST_CASE("scopes from scope (string) or scp (list or string)") {
    std::vector<std::string> s;
    CHECK(extract_scopes(json{{"scope", "read  write"}}, s) == nullptr);
    CHECK(s == std::vector<std::string>{"read", "write"});
    CHECK(extract_scopes(json{{"scp", {"a", "b"}}}, s) == nullptr);
    CHECK(s == std::vector<std::string>{"a", "b"});
    CHECK(extract_scopes(json{{"scp", "a b"}}, s) == nullptr);
    CHECK(s.size() == 2);
    CHECK(extract_scopes(json::object(), s) == nullptr);
    CHECK(s.empty());
    CHECK(extract_scopes(json{{"scope", {"a"}}}, s) != nullptr);
    CHECK(extract_scopes(json{{"scp", {"a b"}}}, s) != nullptr);
    CHECK(extract_scopes(json{{"scp", 3}}, s) != nullptr);
}
