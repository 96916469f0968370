// JWTAuthentication through the engine: every algorithm, RFC 6750 errors, the attack catalogue
// J1–J19 of peers-security.md Part B (one test case each) and the CVE table's JWT rows.
#include <doctest/doctest.h>

#include <openssl/x509.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/authn/scoped_auth.h"
#include "core/common/error.h"
#include "core/jose/base64url.h"
#include "jose_support.h"
#include "test_support.h"

using authp_test::Fixture;
using authp_test::generate_key;
using authp_test::header;
using authp_test::SigningKey;
using authpolicy::jose::base64url_encode;
using nlohmann::json;

namespace {

constexpr double kNow = 1700000000.0;

json claims(json extra = json::object()) {
    json c = {{"sub", "alice"},   {"iss", "https://id.example"}, {"aud", "api"}, {"exp", kNow + 300},
              {"iat", kNow - 10}, {"scope", "read write"}};
    for (auto& [k, v] : extra.items()) {
        if (v.is_null()) {
            c.erase(k);
        } else {
            c[k] = v;
        }
    }
    return c;
}

json jwt_options(const json& key_source, json extra = json::object()) {
    json o = {{"class", "JWTAuthentication"}, {"issuer", "https://id.example"}, {"audience", "api"}};
    for (auto& [k, v] : key_source.items()) o[k] = v;
    for (auto& [k, v] : extra.items()) o[k] = v;
    return o;
}

std::string config(const json& auth) {
    return json{{"DEFAULT_AUTHENTICATION_CLASSES", {auth}},
                {"DEFAULT_PERMISSION_CLASSES", {"IsAuthenticated"}},
                {"VIEWS",
                 {{"scoped", {{"permission_classes", {"TokenHasScope"}}, {"required_scopes", {"write"}}}},
                  {"rw", {{"permission_classes", {"TokenHasReadWriteScope"}}}},
                  {"both", {{"permission_classes", {"TokenHasScope"}}, {"required_scopes", {"read", "admin"}}}}}}}
        .dump();
}

// An engine trusting `key` through a JWKS (kid "k1"), with user alice in the directory.
struct Env {
    SigningKey key;
    std::unique_ptr<Fixture> f;
    explicit Env(const std::string& alg, json extra = json::object()) : key(generate_key(alg)) {
        f = std::make_unique<Fixture>(config(jwt_options({{"jwks", {{"keys", {key.public_jwk("k1")}}}}}, extra)));
        f->add_user("alice", "pw");
    }
    authpolicy::Decision decide(const std::string& token, const std::string& method = "GET",
                                const std::string& view = "") {
        return f->decide("Bearer " + token, method, view);
    }
};

void check_invalid(const authpolicy::Decision& d, const std::string& description = "") {
    CHECK_FALSE(d.allowed);
    CHECK(d.status == 401);
    CHECK(d.code == "invalid_token");
    CHECK(d.user->is_authenticated == false);
    CHECK(d.auth == nullptr);  // claims never come back on a failure
    const std::string ch = header(d, "WWW-Authenticate");
    CHECK(ch.rfind(R"(Bearer realm="api", error="invalid_token", error_description=")", 0) == 0);
    if (!description.empty()) CHECK(d.detail == description);
}

std::string b64(const std::string& s) {
    return base64url_encode(s);
}

// A token whose header and payload are given as raw JSON text, signed by `key`.
std::string raw(const SigningKey& key, const std::string& header_json, const std::string& payload_json) {
    return key.token(header_json, payload_json);
}

void config_error(const std::string& cfg, const std::string& where) {
    try {
        Fixture f(cfg);
        FAIL("configuration accepted");
    } catch (const authpolicy::Error& e) {
        CHECK(e.code() == authpolicy::ErrorCode::Config);
        CAPTURE(e.what());
        CHECK(std::string(e.what()).find(where) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("JWT: every algorithm verifies; auth carries claims and scopes") {
    for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
                            "HS256", "HS384", "HS512"}) {
        CAPTURE(alg);
        Env e(alg);
        const auto d = e.decide(e.key.token(claims(), "k1"));
        CHECK(d.allowed);
        CHECK(d.authenticator == "JWTAuthentication");
        REQUIRE(d.user);
        CHECK(d.user->username == "alice");
        REQUIRE(d.auth);
        const json auth = json::parse(*d.auth);
        CHECK(auth["type"] == "jwt");
        CHECK(auth["claims"]["sub"] == "alice");
        CHECK(auth["scopes"] == json({"read", "write"}));
        // Without kid the key bound to the token's algorithm is used.
        CHECK(e.decide(e.key.token(claims())).allowed);
    }
}

TEST_CASE("JWT: RFC 6750 responses: no credentials, malformed request, invalid token") {
    Env e("ES256");
    auto d = e.f->decide("");
    CHECK(d.status == 401);
    CHECK(d.code == "not_authenticated");
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api")");
    d = e.f->decide("Bearer");
    CHECK(d.status == 400);
    CHECK(d.code == "invalid_request");
    CHECK(header(d, "WWW-Authenticate") == "<absent>");
    CHECK(e.f->decide("Bearer a.b c").status == 400);
    CHECK(e.f->decide("Bearer a\"b.c").status == 400);
    check_invalid(e.decide("a.b.c"), "The token is malformed.");
    check_invalid(e.decide("e30.e30.e30"), "The token header is malformed.");
    // The scheme is case-insensitive; other schemes are not ours.
    CHECK(e.f->decide("bearer " + e.key.token(claims())).allowed);
    CHECK(e.f->decide("Token abc").code == "not_authenticated");
}

TEST_CASE("JWT: user lookup, stateless users, inactive users (CVE-2024-22513)") {
    Env e("ES256");
    check_invalid(e.decide(e.key.token(claims({{"sub", "bob"}}))), "The token user was not found.");
    check_invalid(e.decide(e.key.token(claims({{"sub", 7}}))), "The token user claim is malformed.");
    check_invalid(e.decide(e.key.token(claims({{"sub", nullptr}}))), "The token does not name a user.");
    // A cached token stops working as soon as its user is deactivated.
    const std::string t = e.key.token(claims());
    CHECK(e.decide(t).allowed);
    e.f->engine->services().directory()->set_active("alice", false);
    e.f->engine->services().invalidate_caches();
    check_invalid(e.decide(t), "The user is inactive or deleted.");

    Env s("ES256", {{"lookup_user", false}, {"user_claim", "uid"}});
    const auto d = s.decide(s.key.token(claims({{"uid", "carol"}})));
    REQUIRE(d.allowed);
    CHECK(d.user->username == "carol");
    CHECK_FALSE(d.user->id);
}

TEST_CASE("JWT: verified-token cache re-checks time on every hit") {
    Env e("RS256", {{"leeway", 5}});
    const std::string t = e.key.token(claims({{"exp", kNow + 20}}));
    CHECK(e.decide(t).allowed);
    e.f->clock->advance(24);
    CHECK(e.decide(t).allowed);
    e.f->clock->advance(1);  // now = exp + leeway: expired, even though the entry is cached
    check_invalid(e.decide(t), "The token has expired.");
}

TEST_CASE("JWT: scopes: TokenHasScope and TokenHasReadWriteScope, insufficient_scope") {
    Env e("ES256");
    const std::string read_only = e.key.token(claims({{"scope", "read"}}));
    auto d = e.decide(read_only, "GET", "scoped");
    CHECK(d.status == 403);
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api", error="insufficient_scope", scope="write")");
    CHECK(e.decide(e.key.token(claims({{"scope", "read write"}})), "GET", "scoped").allowed);
    CHECK(e.decide(e.key.token(claims({{"scope", nullptr}, {"scp", {"write"}}})), "GET", "scoped").allowed);
    d = e.decide(read_only, "GET", "both");
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api", error="insufficient_scope", scope="read admin")");
    // Read/write: GET needs read, POST needs write.
    CHECK(e.decide(read_only, "GET", "rw").allowed);
    d = e.decide(read_only, "POST", "rw");
    CHECK(d.status == 403);
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api", error="insufficient_scope", scope="write")");
    // Without a token: 401 with the plain challenge, not insufficient_scope.
    d = e.f->decide("", "GET", "scoped");
    CHECK(d.status == 401);
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="api")");
    // Basic-authenticated requests carry no scopes.
    std::vector<std::string> none;
    CHECK_FALSE(authpolicy::authn::auth_scopes(nullptr, none));
    CHECK(authpolicy::authn::auth_has_scopes(std::make_shared<const std::string>(R"({"scope":"a b"})"), {"b"}));
    CHECK(authpolicy::authn::auth_has_scopes(std::make_shared<const std::string>(R"({"scopes":["a"]})"), {"a"}));
}

TEST_CASE("J1: alg none, with an empty signature, a signature, or a trailing dot") {
    Env e("HS256");
    const std::string body = b64(claims().dump());
    const std::string none = b64(R"({"alg":"none"})");
    check_invalid(e.decide(none + "." + body + "."));
    check_invalid(e.decide(none + "." + body + "." + b64("sig")), "The token algorithm is not allowed.");
    check_invalid(e.decide(none + "." + body));
}

TEST_CASE("J2: alg none in other cases, and mixed-case algorithm names") {
    Env e("RS256");
    for (const char* alg : {"None", "NONE", "nOnE", " none", "rs256", "Rs256", "RS256 "}) {
        CAPTURE(alg);
        SigningKey k = e.key;
        check_invalid(e.decide(raw(k, json{{"alg", alg}}.dump(), claims().dump())),
                      "The token algorithm is not allowed.");
    }
}

TEST_CASE("J3: RS256 key, HS256 token MACed with the public key bytes (CVE-2015-9235 and kin)") {
    SigningKey rsa = generate_key("RS256");
    Fixture f(config(jwt_options({{"public_key_pem", rsa.public_pem()}})));
    f.add_user("alice", "pw");
    CHECK(f.decide("Bearer " + rsa.token(claims())).allowed);
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(rsa.pkey.get(), &der);
    const std::string der_bytes(reinterpret_cast<char*>(der), static_cast<size_t>(n));
    OPENSSL_free(der);
    for (const std::string& secret :
         {rsa.public_pem(), der_bytes, rsa.public_jwk().dump(), std::string(" ") + rsa.public_pem()}) {
        SigningKey hs{nullptr, secret, "HS256"};
        const auto d = f.decide("Bearer " + hs.token(claims()));
        check_invalid(d, "The token algorithm is not allowed.");
    }
    // Through a JWKS, and through a JWKS key that declares RS256: same answer.
    Env e("RS256");
    SigningKey hs{nullptr, e.key.public_pem(), "HS256"};
    check_invalid(e.decide(hs.token(claims(), "k1")));
}

TEST_CASE("J4: a JWKS RSA key without alg is never an HMAC key (CVE-2026-44699, CVE-2026-48526)") {
    SigningKey rsa = generate_key("RS256");
    json jwks = {{"keys", {rsa.public_jwk("k1", false)}}};
    // Mixed HS and RS allow-lists are refused outright.
    config_error(config(jwt_options({{"jwks", jwks}}, {{"algorithms", {"RS256", "HS256"}}})), ".algorithms");
    Fixture f(config(jwt_options({{"jwks", jwks}}, {{"algorithms", {"RS256"}}})));
    f.add_user("alice", "pw");
    CHECK(f.decide("Bearer " + rsa.token(claims(), "k1")).allowed);
    for (const std::string& secret : {std::string(), rsa.public_pem(), rsa.public_jwk().dump()}) {
        SigningKey hs{nullptr, secret, "HS256"};
        check_invalid(f.decide("Bearer " + hs.token(claims(), "k1")));
    }
    // An oct key with an RSA alg is refused at configuration.
    config_error(config(jwt_options(
                     {{"jwks", {{"keys", {{{"kty", "oct"}, {"k", b64(std::string(32, 'a'))}, {"alg", "RS256"}}}}}}})),
                 ".jwks");
}

TEST_CASE("J5: an embedded jwk header with the attacker's key (CVE-2018-0114)") {
    Env e("ES256");
    SigningKey attacker = generate_key("ES256");
    json h = {{"alg", "ES256"}, {"jwk", attacker.public_jwk()}};
    check_invalid(e.decide(raw(attacker, h.dump(), claims().dump())),
                  "The token names its own key; keys come only from the configuration.");
    h["kid"] = "k1";
    check_invalid(e.decide(raw(attacker, h.dump(), claims().dump())));
}

TEST_CASE("J6: jku, x5u and x5c headers are refused, never fetched") {
    Env e("RS256");
    for (const char* name : {"jku", "x5u", "x5c"}) {
        CAPTURE(name);
        json h = {{"alg", "RS256"}, {"kid", "k1"}, {name, "http://169.254.169.254/keys"}};
        check_invalid(e.decide(raw(e.key, h.dump(), claims().dump())),
                      "The token names its own key; keys come only from the configuration.");
    }
}

TEST_CASE("J7: kid is an opaque, sized, typed lookup key") {
    Env e("ES256");
    for (const json& kid : {json("../../dev/null"), json("' OR 1=1--"), json(std::string("a\0b", 3)), json("K1")}) {
        json h = {{"alg", "ES256"}, {"kid", kid}};
        check_invalid(e.decide(raw(e.key, h.dump(), claims().dump())), "The token key is unknown.");
    }
    for (const json& kid : {json(std::string(300, 'a')), json(1), json(nullptr), json::array({"k1"})}) {
        json h = {{"alg", "ES256"}, {"kid", kid}};
        check_invalid(e.decide(raw(e.key, h.dump(), claims().dump())), "The token header is malformed.");
    }
    // A kid naming a key of another algorithm.
    SigningKey rsa = generate_key("RS256");
    Fixture f(config(jwt_options({{"jwks", {{"keys", {rsa.public_jwk("r"), e.key.public_jwk("k1")}}}}})));
    f.add_user("alice", "pw");
    check_invalid(f.decide("Bearer " + raw(e.key, R"({"alg":"ES256","kid":"r"})", claims().dump())),
                  "The token algorithm does not match its key.");
}

TEST_CASE("J8: crit is refused: unknown names, empty, standard names, duplicates (CVE-2026-32597)") {
    Env e("ES256");
    for (const json& crit :
         {json({"foo"}), json::array(), json({"exp"}), json({"b64"}), json({"foo", "foo"}), json("foo")}) {
        CAPTURE(crit.dump());
        json h = {{"alg", "ES256"}, {"crit", crit}, {"foo", 1}};
        check_invalid(e.decide(raw(e.key, h.dump(), claims().dump())),
                      "The token uses header extensions that are not understood.");
    }
}

TEST_CASE("J9: nested JWTs and JWE are refused (CVE-2023-51774)") {
    Env e("ES256");
    for (const char* cty : {"JWT", "jwt", "application/jwt"}) {
        json h = {{"alg", "ES256"}, {"cty", cty}};
        check_invalid(e.decide(raw(e.key, h.dump(), claims().dump())),
                      "The token is nested or does not carry JWT claims.");
    }
    check_invalid(e.decide("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d"), "The token is malformed.");
}

TEST_CASE("J10: another audience, issuer or token type") {
    Env e("ES256", {{"typ", "at+jwt"}});
    auto typed = [&](const char* typ, json c = claims()) {
        return raw(e.key, json{{"alg", "ES256"}, {"typ", typ}}.dump(), c.dump());
    };
    CHECK(e.decide(typed("at+jwt")).allowed);
    CHECK(e.decide(typed("application/AT+JWT")).allowed);
    check_invalid(e.decide(typed("JWT")), "The token type is not accepted.");
    check_invalid(e.decide(e.key.token(claims())), "The token type is not accepted.");
    check_invalid(e.decide(typed("at+jwt", claims({{"aud", "other-api"}}))), "The token audience is not accepted.");
    check_invalid(e.decide(typed("at+jwt", claims({{"iss", "https://evil.example"}}))),
                  "The token issuer is not accepted.");
}

TEST_CASE("J11: audience shapes and exact issuer comparison (CVE-2024-53861, CVE-2020-26160)") {
    Env e("ES256");
    CHECK(e.decide(e.key.token(claims({{"aud", {"x", "api"}}}))).allowed);
    check_invalid(e.decide(e.key.token(claims({{"aud", json::array()}}))), "The token audience is malformed.");
    check_invalid(e.decide(e.key.token(claims({{"aud", {"api", 1}}}))), "The token audience is malformed.");
    check_invalid(e.decide(e.key.token(claims({{"aud", nullptr}}))), "The token has no audience.");
    for (const char* iss : {"https://id.exampl", "", "id.example", "https://id.example "})
        check_invalid(e.decide(e.key.token(claims({{"iss", iss}}))), "The token issuer is not accepted.");
}

TEST_CASE("J12: times at their boundaries, with and without leeway") {
    Env e("ES256", {{"leeway", 30}});
    check_invalid(e.decide(e.key.token(claims({{"exp", kNow - 31}}))), "The token has expired.");
    CHECK(e.decide(e.key.token(claims({{"exp", kNow - 29}}))).allowed);
    check_invalid(e.decide(e.key.token(claims({{"nbf", kNow + 31}}))), "The token is not valid yet.");
    check_invalid(e.decide(e.key.token(claims({{"iat", kNow + 31}}))), "The token was issued in the future.");
    for (const json& bad : {json("1700000300"), json(true), json(1e300), json(-5)})
        check_invalid(e.decide(e.key.token(claims({{"exp", bad}}))), "The token has a malformed time claim.");
    check_invalid(e.decide(raw(e.key, R"({"alg":"ES256"})",
                               R"({"sub":"alice","aud":"api","iss":"https://id.example","exp":1e309})")),
                  "The token claims are malformed.");
    check_invalid(e.decide(e.key.token(claims({{"exp", nullptr}}))), "The token has no expiry.");
    Env z("ES256");
    check_invalid(z.decide(z.key.token(claims({{"exp", kNow}}))), "The token has expired.");
    Env optional("ES256", {{"require_exp", false}});
    CHECK(optional.decide(optional.key.token(claims({{"exp", nullptr}}))).allowed);
}

TEST_CASE("J13: weak HMAC secrets are refused at configuration (CVE-2019-20933)") {
    config_error(config(jwt_options({{"secret", "short"}})), "$.DEFAULT_AUTHENTICATION_CLASSES[0].secret");
    config_error(config(jwt_options({{"secret", std::string(40, 'x')}}, {{"algorithms", {"HS512"}}})),
                 "$.DEFAULT_AUTHENTICATION_CLASSES[0].secret");
    config_error(config(jwt_options({{"secret", ""}})), ".secret");
    Fixture ok(config(jwt_options({{"secret", std::string(32, 'x')}})));
}

TEST_CASE("J14: RSA keys below 2048 bits or with e = 1 are refused") {
    EVP_PKEY* small = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
    SigningKey weak{std::shared_ptr<EVP_PKEY>(small, EVP_PKEY_free), "", "RS256"};
    config_error(config(jwt_options({{"public_key_pem", weak.public_pem()}})), ".public_key_pem");
    json jwk = generate_key("RS256").public_jwk("k");
    jwk["e"] = "AQ";
    config_error(config(jwt_options({{"jwks", {{"keys", {jwk}}}}})), ".jwks");
}

TEST_CASE("J15: key sets: duplicate kid, mixed kinds, wrong use, alg/crv mismatch") {
    SigningKey a = generate_key("ES256"), b = generate_key("ES256"), h = generate_key("HS256");
    config_error(config(jwt_options({{"jwks", {{"keys", {a.public_jwk("x"), b.public_jwk("x")}}}}})), "duplicate");
    config_error(config(jwt_options({{"jwks", {{"keys", {a.public_jwk("x"), h.public_jwk("y")}}}}})), "mixes");
    json enc = a.public_jwk("x");
    enc["use"] = "enc";
    config_error(config(jwt_options({{"jwks", {{"keys", {enc}}}}})), "$.DEFAULT_AUTHENTICATION_CLASSES[0].jwks");
    json mismatch = a.public_jwk("x");
    mismatch["alg"] = "ES512";
    config_error(config(jwt_options({{"jwks", {{"keys", {mismatch}}}}})), ".jwks");
    config_error(config(jwt_options({{"jwks", {{"keys", {a.public_jwk("x")}}}}, {"secret", std::string(32, 'x')}})),
                 "exactly one key source");
    config_error(config(jwt_options({{"jwks", {{"keys", {a.public_jwk("x")}}}}}, {{"algorithms", {"none"}}})),
                 ".algorithms");
    config_error(config(jwt_options({{"jwks", {{"keys", {a.public_jwk("x")}}}}}, {{"colour", "blue"}})), ".colour");
}

TEST_CASE("J16: only the compact form: JSON serialization, braces, quotes, foreign characters") {
    Env e("ES256");
    const std::string t = e.key.token(claims());
    CHECK(e.f->decide("Bearer {\"payload\":\"x\",\"signatures\":[]}").status == 400);
    check_invalid(e.decide(t + "+"), "The token is malformed.");
    check_invalid(e.decide("x/" + t), "The token is malformed.");
    check_invalid(e.decide(t + "=="), "The token is malformed.");
    check_invalid(e.decide(t + "."), "The token is malformed.");
    check_invalid(e.decide("." + t), "The token is malformed.");
}

TEST_CASE("J17: non-UTF-8 header or claims, BOM, lone surrogates") {
    Env e("ES256");
    check_invalid(e.decide(raw(e.key, R"({"alg":"ES256"})", "{\"sub\":\"al\xffice\",\"exp\":1700000300}")),
                  "The token claims are malformed.");
    check_invalid(e.decide(raw(e.key, "\xEF\xBB\xBF{\"alg\":\"ES256\"}", claims().dump())),
                  "The token header is malformed.");
    check_invalid(e.decide(raw(e.key, R"({"alg":"ES256"})", R"({"sub":"\ud800","exp":1700000300})")),
                  "The token claims are malformed.");
    check_invalid(e.decide(raw(e.key, std::string("{\"alg\":\"ES256\"}\0", 16), claims().dump())),
                  "The token header is malformed.");
}

TEST_CASE("J18: duplicate member names in the header or the claims") {
    Env e("ES256");
    check_invalid(e.decide(raw(e.key, R"({"alg":"ES256","alg":"none"})", claims().dump())),
                  "The token header is malformed.");
    check_invalid(e.decide(raw(e.key, R"({"alg":"none","alg":"ES256"})", claims().dump())),
                  "The token header is malformed.");
    std::string c = claims().dump();
    c.insert(1, R"("sub":"mallory",)");
    check_invalid(e.decide(raw(e.key, R"({"alg":"ES256"})", c)), "The token claims are malformed.");
}

TEST_CASE("J19: JWE parameters (p2c, zip, enc) are refused before any work") {
    Env e("ES256");
    for (const char* h :
         {R"({"alg":"ES256","p2c":100000000})", R"({"alg":"ES256","zip":"DEF"})", R"({"alg":"ES256","enc":"A256GCM"})"})
        check_invalid(e.decide(raw(e.key, h, claims().dump())),
                      "The token is encrypted (JWE); a signed token is expected.");
}

TEST_CASE("CVE rows: psychic signatures, short and huge signatures, error precedence, dot floods") {
    Env e("ES256");
    const std::string t = e.key.token(claims());
    const std::string input = t.substr(0, t.rfind('.'));
    // CVE-2022-21449: r = s = 0.
    check_invalid(e.decide(input + "." + b64(std::string(64, '\0'))), "The token signature is invalid.");
    // HAProxy convert_ecdsa_sig: an oversized signature is refused on its length.
    check_invalid(e.decide(input + "." + b64(std::string(4000, 'A'))), "The token signature is invalid.");
    // Past the 8 KiB header cap the request itself is refused (400 parse_error) before any parsing.
    CHECK(e.decide(input + "." + b64(std::string(6000, 'A'))).status == 400);
    // CVE-2020-28042: missing or 1-byte signatures.
    check_invalid(e.decide(input + "."), "The token is malformed.");
    Env h("HS256");
    const std::string ht = h.key.token(claims());
    check_invalid(h.decide(ht.substr(0, ht.rfind('.')) + "." + b64("x")), "The token signature is invalid.");
    const std::string tag = *authpolicy::jose::base64url_decode(ht.substr(ht.rfind('.') + 1));
    check_invalid(h.decide(ht.substr(0, ht.rfind('.') + 1) + b64(tag.substr(0, 16))),
                  "The token signature is invalid.");  // truncated tag
    // CVE-2024-51744: an expired token with a bad signature reports the signature.
    const std::string expired = e.key.token(claims({{"exp", kNow - 100}}));
    std::string forged = expired;
    forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
    check_invalid(e.decide(forged), "The token signature is invalid.");
    check_invalid(e.decide(expired), "The token has expired.");
    // CVE-2025-30204: a megabyte of dots never reaches the parser (header cap: 400 parse_error).
    authpolicy::http::Request r = authp_test::request("Bearer " + std::string(1 << 20, '.'));
    CHECK(e.f->decide(r).status == 400);
    check_invalid(e.decide(std::string(100, '.')), "The token is malformed.");
    // One-bit flips across the whole token all fail.
    int rejected = 0;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '.') continue;
        std::string m = t;
        m[i] = m[i] == 'A' ? 'B' : 'A';
        rejected += e.decide(m).allowed ? 0 : 1;
    }
    CHECK(rejected == static_cast<int>(t.size()) - 2);
}

TEST_CASE("JWT configuration: jwks_file resolves against the configuration's directory") {
    SigningKey k = generate_key("EdDSA");
    const std::string dir = "/tmp/authp_jwks_test_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/jwks.json") << json{{"keys", {k.public_jwk("k1")}}}.dump();
    json root = json::parse(config(jwt_options({{"jwks_file", "jwks.json"}})));
    root["PASSWORD_ITERATIONS"] = 1000;
    authpolicy::Engine engine(authpolicy::parse_config(root, dir), {});
    CHECK_THROWS_AS(authpolicy::Engine(authpolicy::parse_config(root, "/nonexistent"), {}), authpolicy::Error);
    std::filesystem::remove_all(dir);
}

TEST_CASE("finding 22.10: a JWT sub with NUL or control characters is refused; ids never wrap or go negative") {
    Env s("ES256", {{"lookup_user", false}});
    check_invalid(s.decide(s.key.token(claims({{"sub", std::string("alice\0admin", 11)}}))),
                  "The token user claim is malformed.");
    check_invalid(s.decide(s.key.token(claims({{"sub", "alice\x1b[2J"}}))), "The token user claim is malformed.");
    CHECK(s.decide(s.key.token(claims({{"sub", "alice admin"}}))).allowed);  // read names: only NUL/controls refused

    Env by_id("ES256", {{"lookup_user", false}, {"user_field", "id"}});
    check_invalid(by_id.decide(by_id.key.token(claims({{"sub", 18446744073709551615ull}}))),
                  "The token user claim is malformed.");
    check_invalid(by_id.decide(by_id.key.token(claims({{"sub", -5}}))), "The token user claim is malformed.");
    const auto d = by_id.decide(by_id.key.token(claims({{"sub", 42}})));
    REQUIRE(d.allowed);
    CHECK(d.user->id == 42);
}

TEST_CASE("finding 22.15: max_lifetime refuses exp - iat above it") {
    Env e("ES256", {{"max_lifetime", 600}});
    CHECK(e.decide(e.key.token(claims())).allowed);  // 310 s
    check_invalid(e.decide(e.key.token(claims({{"iat", kNow - 1000}}))), "The token lifetime exceeds the maximum.");
    check_invalid(e.decide(e.key.token(claims({{"iat", nullptr}}))),
                  "The token lifetime cannot be checked (exp and iat are required).");
    config_error(config(jwt_options({{"secret", "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"}}, {{"max_lifetime", -1}})),
                 "max_lifetime");
}

TEST_CASE("finding 22.15: \"profile\": \"rfc9068\" requires typ at+jwt and the RFC 9068 claims") {
    Env e("ES256", {{"profile", "rfc9068"}});
    const json full = claims({{"client_id", "app"}, {"jti", "j-1"}});
    const std::string at_jwt = R"({"alg":"ES256","typ":"at+jwt","kid":"k1"})";
    CHECK(e.decide(raw(e.key, at_jwt, full.dump())).allowed);
    CHECK(e.decide(raw(e.key, R"({"alg":"ES256","typ":"application/at+jwt","kid":"k1"})", full.dump())).allowed);
    check_invalid(e.decide(e.key.token(full, "k1")));  // typ JWT
    for (const char* missing : {"client_id", "jti", "iat", "sub", "exp"}) {
        CAPTURE(missing);
        json c = full;
        c.erase(missing);
        check_invalid(e.decide(raw(e.key, at_jwt, c.dump())));
    }
    config_error(
        config(
            {{"class", "JWTAuthentication"}, {"secret", "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"}, {"profile", "rfc9068"}}),
        "profile");
}

TEST_CASE("finding 22.16: the insufficient_scope challenge names the authenticator's realm, not a fixed \"api\"") {
    Env e("ES256", {{"realm", "billing"}});
    const auto d = e.decide(e.key.token(claims({{"scope", "read"}})), "GET", "scoped");
    CHECK(d.status == 403);
    CHECK(header(d, "WWW-Authenticate") == R"(Bearer realm="billing", error="insufficient_scope", scope="write")");
}

TEST_CASE("reload: an authenticator whose jwks_file changed is built anew; an unchanged inline one is kept") {
    const SigningKey k1 = generate_key("EdDSA");
    const SigningKey k2 = generate_key("EdDSA");
    const std::string dir = "/tmp/authp_jwks_reload_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    const auto write_jwks = [&](const SigningKey& k) {
        std::ofstream(dir + "/jwks.json", std::ios::trunc) << json{{"keys", {k.public_jwk("k1")}}}.dump();
    };
    authpolicy::HostHooks hooks;
    hooks.clock = std::make_shared<authp_test::ManualClock>(kNow);
    const auto build = [&](const json& key_source, const authpolicy::Engine* previous) {
        json root = json::parse(config(jwt_options(key_source, {{"lookup_user", false}})));
        root["PASSWORD_ITERATIONS"] = 1000;
        return std::make_unique<authpolicy::Engine>(authpolicy::parse_config(root, dir), hooks, previous, true);
    };
    const auto allowed = [](authpolicy::Engine& e, const SigningKey& k) {
        authpolicy::AuthState state;
        return e.evaluate(authp_test::request("Bearer " + k.token(claims(), "k1"), "GET", ""), state).allowed;
    };

    write_jwks(k1);
    auto first = build({{"jwks_file", "jwks.json"}}, nullptr);
    CHECK(allowed(*first, k1));
    write_jwks(k2);  // the key rotated in the file; the options' text did not change
    auto second = build({{"jwks_file", "jwks.json"}}, first.get());
    CHECK(allowed(*second, k2));
    CHECK_FALSE(allowed(*second, k1));

    // Inline keys are their options: the same text keeps the same authenticator (and its cache).
    const json inline_jwks = {{"jwks", {{"keys", {k1.public_jwk("k1")}}}}};
    auto third = build(inline_jwks, nullptr);
    auto fourth = build(inline_jwks, third.get());
    CHECK(allowed(*fourth, k1));
    std::filesystem::remove_all(dir);
}

TEST_CASE("finding 22.16: an RSA JWK whose n or e has a leading zero octet is refused (RFC 7518 §2, §6.3.1.1)") {
    const SigningKey k = generate_key("RS256");
    for (const char* member : {"n", "e"}) {
        CAPTURE(member);
        json jwk = k.public_jwk("k1");
        const auto raw_value = authpolicy::jose::base64url_decode(jwk[member].get<std::string>());
        REQUIRE(raw_value);
        jwk[member] = b64(std::string(1, '\0') + *raw_value);  // the same number, one octet longer
        config_error(config(jwt_options({{"jwks", {{"keys", {jwk}}}}})), "$.DEFAULT_AUTHENTICATION_CLASSES[0].jwks");
    }
    // The minimal encoding of the same key is accepted.
    Env ok("RS256");
    CHECK(ok.decide(ok.key.token(claims(), "k1")).allowed);
}
