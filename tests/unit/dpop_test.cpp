// Sender-constrained tokens: DPoP (RFC 9449) and certificate-bound tokens (RFC 8705) on
// JWTAuthentication and OAuth2Authentication. RFC vectors first, then one case per rule that
// breaks only that rule (every other part of the request stays valid).
#include <doctest/doctest.h>

#include <stdlib.h>

#include "core/authn/dpop_htu.h"
#include "core/authn/dpop_nonce.h"
#include "core/authn/dpop_proof.h"
#include "core/authn/memory_dpop_replay_store.h"
#include "core/common/error.h"
#include "core/crypto/base64.h"
#include "dpop_support.h"

using authp_dpop_test::b64_sha256;
using authp_dpop_test::check_refused;
using authp_dpop_test::config;
using authp_dpop_test::Env;
using authp_dpop_test::kHtu;
using authp_dpop_test::kNow;
using authp_dpop_test::merged;
using authp_dpop_test::next_jti;
using authp_dpop_test::proof;
using authp_dpop_test::request;
using authp_dpop_test::thumbprint;
using authp_test::Fixture;
using authp_test::generate_key;
using authp_test::header;
using authp_test::SigningKey;
using authpolicy::jose::base64url_encode;
using nlohmann::json;

TEST_CASE("DPoP vectors: RFC 7638 §3.1 thumbprint, RFC 9449 jkt, ath and the figure 13 proof") {
    using authpolicy::jose::jwk_thumbprint_sha256;
    const json rfc7638 = {{"kty", "RSA"},
                          {"n",
                           "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
                           "BJECPebWKRXjBZCiFV4n3oknjhM"
                           "stn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
                           "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL"
                           "5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-"
                           "csFCur-kEgU8awapJzKnqDK"
                           "gw"},
                          {"e", "AQAB"},
                          {"alg", "RS256"},
                          {"kid", "2011-04-29"}};
    CHECK(jwk_thumbprint_sha256(rfc7638) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    const json rfc9449 = {{"kty", "EC"},
                          {"x", "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs"},
                          {"y", "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"},
                          {"crv", "P-256"}};
    CHECK(jwk_thumbprint_sha256(rfc9449) == "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    CHECK_FALSE(jwk_thumbprint_sha256(json{{"kty", "EC"}, {"crv", "P-256"}, {"x", "AA"}}));  // no y
    CHECK_FALSE(jwk_thumbprint_sha256(json{{"kty", "XYZ"}}));

    // RFC 9449 §7.1 figures 12 and 13: the access token, its ath, and the resource request proof.
    const std::string token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    CHECK(b64_sha256(token) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    const std::string figure13 =
        "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0Rs"
        "cEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2"
        "In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90"
        "ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFF"
        "byJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA";
    const authpolicy::authn::DpopProofPolicy policy;
    const std::string htu = "https://resource.example.org/protectedresource";
    authpolicy::authn::DpopProofClaims claims;
    CHECK(authpolicy::authn::check_dpop_proof(figure13, policy, "GET", htu, token, 1562262618, claims) == nullptr);
    CHECK(claims.jkt == "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I");
    CHECK(claims.jti == "e1j3V_bKic8-LAEB");
    CHECK(std::string(authpolicy::authn::check_dpop_proof(figure13, policy, "GET", htu, "other", 1562262618, claims)) ==
          "The DPoP proof ath does not match the access token.");
    CHECK(std::string(authpolicy::authn::check_dpop_proof(figure13, policy, "GET", htu, token, 1562262618 + 301,
                                                          claims)) == "The DPoP proof is too old.");
}

TEST_CASE("DPoP htu: RFC 3986 syntax-based normalisation, query and fragment dropped") {
    using authpolicy::authn::normalize_htu;
    CHECK(normalize_htu("HTTPS://Server.Example.COM:443/a/./b/../token?x=1#frag") ==
          "https://server.example.com/a/token");
    CHECK(normalize_htu("http://h.test:80") == "http://h.test/");
    CHECK(normalize_htu("http://h.test:8080/x") == "http://h.test:8080/x");
    CHECK(normalize_htu("https://h.test:/x") == "https://h.test/x");
    CHECK(normalize_htu("https://h.test/%7euser/%2f") == "https://h.test/~user/%2F");
    CHECK(normalize_htu("https://[::1]:443/x") == "https://[::1]/x");
    CHECK(normalize_htu("https://h.test/X") != normalize_htu("https://h.test/x"));  // path case matters
    CHECK_FALSE(normalize_htu("ftp://h.test/x"));
    CHECK_FALSE(normalize_htu("https://user@h.test/x"));
    CHECK_FALSE(normalize_htu("https://h.test:99999/x"));
    CHECK_FALSE(normalize_htu("https://h.test/%zz"));
    CHECK_FALSE(normalize_htu("not a url"));
    // The request side: secure + Host + path (a query in the path is dropped).
    auto r = request("", "", "GET", "/things?page=2", "API.example:443");
    CHECK(authpolicy::authn::request_htu(r) == "https://api.example/things");
    r.set_secure(false);
    CHECK(authpolicy::authn::request_htu(r) == "http://api.example:443/things");
    CHECK_FALSE(authpolicy::authn::request_htu(request("", "", "GET", "/x", "evil.example/path")));
}

TEST_CASE("DPoP replay store (memory): once per window, expiry, a hard bound") {
    using authpolicy::authn::MemoryDpopReplayStore;
    using Result = authpolicy::authn::DpopReplayStore::Result;
    using authpolicy::crypto::sha256;
    MemoryDpopReplayStore cache(2);
    CHECK(cache.remember(sha256("a"), 100, 0) == Result::Fresh);
    CHECK(cache.remember(sha256("a"), 100, 50) == Result::Replayed);
    CHECK(cache.remember(sha256("b"), 200, 50) == Result::Fresh);
    CHECK(cache.remember(sha256("c"), 200, 50) == Result::Full);    // never forgets early
    CHECK(cache.remember(sha256("a"), 300, 100) == Result::Fresh);  // a expired at 100
    CHECK(cache.size() == 2);
    CHECK(cache.remember(sha256("d"), 300, 200) == Result::Fresh);  // b expired
    CHECK(cache.size() == 2);
}

TEST_CASE("DPoP happy path: JWTAuthentication in allowed and required modes") {
    for (const char* mode : {"allowed", "required"}) {
        CAPTURE(mode);
        Env env(json{{"dpop", mode}});
        const std::string token = env.bound_token();
        auto d = env.decide(request("DPoP " + token, proof(env.client, token)));
        CHECK(d.allowed);
        CHECK(d.authenticator == "JWTAuthentication");
        // The scheme name is case-insensitive; the proof may also be an RSA, PSS or EdDSA one.
        for (const char* alg : {"RS256", "PS256", "EdDSA"}) {
            const SigningKey key = generate_key(alg);
            const std::string t = env.token({{"jkt", thumbprint(key)}});
            CHECK(env.decide(request("dpop " + t, proof(key, t))).allowed);
        }
    }
}

TEST_CASE("DPoP: every proof rule broken alone is refused with invalid_dpop_proof") {
    Env env(json{{"dpop", "allowed"}});
    const std::string token = env.bound_token();
    const std::string auth = "DPoP " + token;
    const auto refused = [&](const authpolicy::http::Request& r, const std::string& detail) {
        const auto d = env.decide(r);
        check_refused(d, "invalid_dpop_proof", detail);
        // Allowed mode offers both schemes; nothing of the token or proof is echoed.
        const std::string challenge = header(d, "WWW-Authenticate");
        CHECK(challenge.rfind(R"(Bearer realm="api", DPoP realm="api", algs="ES256 RS256 PS256 EdDSA", )", 0) == 0);
        CHECK(challenge.find(token) == std::string::npos);
    };
    SUBCASE("the valid proof passes (control)") {
        CHECK(env.decide(request(auth, proof(env.client, token))).allowed);
    }
    SUBCASE("wrong htm") {
        refused(request(auth, proof(env.client, token, {{"htm", "POST"}})),
                "The DPoP proof htm does not match the request method.");
    }
    SUBCASE("wrong htu path") {
        refused(request(auth, proof(env.client, token, {{"htu", "https://api.example/other"}})),
                "The DPoP proof htu does not match the request URI.");
    }
    SUBCASE("wrong htu scheme (request not secure)") {
        auto r = request(auth, proof(env.client, token));
        r.set_secure(false);
        refused(r, "The DPoP proof htu does not match the request URI.");
    }
    SUBCASE("wrong host") {
        refused(request(auth, proof(env.client, token), "GET", "/things", "evil.example"),
                "The DPoP proof htu does not match the request URI.");
    }
    SUBCASE("query and fragment are ignored, normalisation applies") {
        CHECK(env.decide(request(auth, proof(env.client, token, {{"htu", "https://api.example/things?page=2#top"}}),
                                 "GET", "/things?page=3"))
                  .allowed);
        CHECK(
            env.decide(request(auth, proof(env.client, token, {{"htu", "HTTPS://API.Example:443/%74hings"}}))).allowed);
    }
    SUBCASE("wrong ath") {
        refused(request(auth, proof(env.client, token, {{"ath", b64_sha256(token + "x")}})),
                "The DPoP proof ath does not match the access token.");
        refused(request(auth, proof(env.client, token, {{"ath", nullptr}})),
                "The DPoP proof ath does not match the access token.");
    }
    SUBCASE("wrong typ") {
        refused(request(auth, proof(env.client, token, {}, {{"typ", "JWT"}})), "The DPoP proof type is not dpop+jwt.");
        refused(request(auth, proof(env.client, token, {}, {{"typ", nullptr}})),
                "The DPoP proof type is not dpop+jwt.");
    }
    SUBCASE("a private member in the jwk") {
        for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
            json jwk = env.client.public_jwk("", false);
            jwk[member] = "AAAA";
            refused(request(auth, proof(env.client, token, {}, {{"jwk", jwk}})),
                    "The DPoP proof key is not a public key.");
        }
    }
    SUBCASE("no jwk") {
        refused(request(auth, proof(env.client, token, {}, {{"jwk", nullptr}})), "The DPoP proof has no jwk header.");
    }
    SUBCASE("stale iat") {
        refused(request(auth, proof(env.client, token, {{"iat", kNow - 301}})), "The DPoP proof is too old.");
        CHECK(env.decide(request(auth, proof(env.client, token, {{"iat", kNow - 300}}))).allowed);  // boundary
    }
    SUBCASE("future iat") {
        refused(request(auth, proof(env.client, token, {{"iat", kNow + 6}})),
                "The DPoP proof is issued in the future.");
        CHECK(env.decide(request(auth, proof(env.client, token, {{"iat", kNow + 5}}))).allowed);  // leeway
    }
    SUBCASE("symmetric alg (HS256) with the same jwk") {
        SigningKey mac = generate_key("HS256");
        const json h = {{"typ", "dpop+jwt"}, {"alg", "HS256"}, {"jwk", env.client.public_jwk("", false)}};
        const json c = {{"jti", next_jti()}, {"htm", "GET"}, {"htu", kHtu}, {"iat", kNow}, {"ath", b64_sha256(token)}};
        refused(request(auth, mac.token(h.dump(), c.dump())), "The DPoP proof algorithm is not allowed.");
    }
    SUBCASE("an asymmetric alg not in the list (ES384)") {
        const SigningKey es384 = generate_key("ES384");
        const std::string t = env.token({{"jkt", thumbprint(es384)}});
        const auto d = env.decide(request("DPoP " + t, proof(es384, t)));
        check_refused(d, "invalid_dpop_proof", "The DPoP proof algorithm is not allowed.");
    }
    SUBCASE("altered signature") {
        std::string p = proof(env.client, token);
        const size_t at = p.rfind('.') + 10;
        p[at] = p[at] == 'A' ? 'B' : 'A';
        refused(request(auth, p), "The DPoP proof signature is invalid.");
    }
    SUBCASE("signed by another key than its jwk") {
        const SigningKey other = generate_key("ES256");
        refused(request(auth, proof(other, token, {}, {{"jwk", env.client.public_jwk("", false)}})),
                "The DPoP proof signature is invalid.");
    }
    SUBCASE("replayed jti") {
        const std::string p = proof(env.client, token, {{"jti", "once"}});
        CHECK(env.decide(request(auth, p)).allowed);
        refused(request(auth, p), "The DPoP proof was already used.");
        // The same jti in another proof (another iat) is a replay too.
        refused(request(auth, proof(env.client, token, {{"jti", "once"}, {"iat", kNow - 1}})),
                "The DPoP proof was already used.");
        // Once the window passed, the proof is refused as stale, not remembered forever.
        env.f->clock->advance(301);
        refused(request(auth, p), "The DPoP proof is too old.");
    }
    SUBCASE("missing proof") {
        refused(request(auth, ""), "The request has no DPoP proof.");
    }
    SUBCASE("two DPoP headers") {
        auto r = request(auth, proof(env.client, token));
        r.add_header("DPoP", proof(env.client, token));
        refused(r, "The request has more than one DPoP proof.");
    }
    SUBCASE("a malformed proof") {
        refused(request(auth, "not-a-jwt"), "The DPoP proof is malformed.");
    }
}

TEST_CASE("DPoP key binding: cnf.jkt mismatch and unbound tokens are invalid_token") {
    Env env(json{{"dpop", "required"}});
    const SigningKey other = generate_key("ES256");
    const std::string token = env.token({{"jkt", thumbprint(other)}});
    auto d = env.decide(request("DPoP " + token, proof(env.client, token)));
    check_refused(d, "invalid_token", "The DPoP proof key does not match the token binding.");
    CHECK(header(d, "WWW-Authenticate").rfind(R"(DPoP realm="api", algs="ES256 RS256 PS256 EdDSA", error=)", 0) == 0);
    const std::string unbound = env.token(nullptr);
    check_refused(env.decide(request("DPoP " + unbound, proof(env.client, unbound))), "invalid_token",
                  "The token is not bound to a DPoP key.");
    // A token problem under the DPoP scheme is challenged with the DPoP scheme.
    d = env.decide(request("DPoP " + token + "x", proof(env.client, token + "x")));
    CHECK(d.code == "invalid_token");
    CHECK(header(d, "WWW-Authenticate").rfind("DPoP realm=", 0) == 0);
}

TEST_CASE("DPoP schemes: bound token as Bearer (both modes), Bearer in required mode, off is unchanged") {
    for (const char* mode : {"allowed", "required"}) {
        CAPTURE(mode);
        Env env(json{{"dpop", mode}});
        const std::string bound = env.bound_token();
        const auto d = env.decide(request("Bearer " + bound, proof(env.client, bound)));
        const bool required = std::string(mode) == "required";
        check_refused(d, "invalid_token",
                      required ? "This resource requires a DPoP-bound token and a DPoP proof."
                               : "The token is DPoP-bound and needs a DPoP proof.");
        const std::string unbound = env.token(nullptr);
        const auto plain = env.decide(request("Bearer " + unbound, ""));
        CHECK(plain.allowed == !required);
        if (required) {
            check_refused(plain, "invalid_token", "This resource requires a DPoP-bound token and a DPoP proof.");
        }
        // The challenge with no credentials (RFC 9449 §7.1, §7.2).
        const auto none = env.decide(request("", ""));
        CHECK(none.status == 401);
        CHECK(header(none, "WWW-Authenticate") ==
              (required ? R"(DPoP realm="api", algs="ES256 RS256 PS256 EdDSA")"
                        : R"(Bearer realm="api", DPoP realm="api", algs="ES256 RS256 PS256 EdDSA")"));
    }
    // Off (the default): today's behaviour: the DPoP scheme is not ours; Bearer is not constrained.
    Env off(json::object());
    const std::string bound = off.bound_token();
    CHECK(off.decide(request("Bearer " + bound, "")).allowed);
    CHECK(off.decide(request("DPoP " + bound, proof(off.client, bound))).status == 401);
    CHECK(header(off.decide(request("", "")), "WWW-Authenticate") == R"(Bearer realm="api")");
}

TEST_CASE("DPoP options: algorithms list, max age, configuration errors") {
    Env env(json{{"dpop", "required"}, {"dpop_algorithms", {"ES256"}}, {"dpop_max_age", 60}, {"dpop_leeway", 0}});
    const std::string token = env.bound_token();
    CHECK(env.decide(request("DPoP " + token, proof(env.client, token, {{"iat", kNow - 60}}))).allowed);
    check_refused(env.decide(request("DPoP " + token, proof(env.client, token, {{"iat", kNow - 61}}))),
                  "invalid_dpop_proof", "The DPoP proof is too old.");
    check_refused(env.decide(request("DPoP " + token, proof(env.client, token, {{"iat", kNow + 1}}))),
                  "invalid_dpop_proof", "The DPoP proof is issued in the future.");
    const SigningKey rsa = generate_key("RS256");
    const std::string t = env.token({{"jkt", thumbprint(rsa)}});
    const auto d = env.decide(request("DPoP " + t, proof(rsa, t)));
    check_refused(d, "invalid_dpop_proof", "The DPoP proof algorithm is not allowed.");
    CHECK(header(d, "WWW-Authenticate").find(R"(algs="ES256")") != std::string::npos);

    for (const json& bad :
         {json{{"dpop", "yes"}}, json{{"dpop", true}}, json{{"dpop", "allowed"}, {"dpop_algorithms", {"HS256"}}},
          json{{"dpop", "allowed"}, {"dpop_algorithms", json::array()}}, json{{"dpop", "allowed"}, {"dpop_max_age", 0}},
          json{{"dpop_max_age", 60}}, json{{"dpop", "allowed"}, {"dpop_replay_capacity", 0}},
          json{{"client_cert_header", "Authorization"}}, json{{"client_cert_header", "a b"}}}) {
        CAPTURE(bad.dump());
        CHECK_THROWS_AS(Env{bad}, authpolicy::Error);
    }
}

TEST_CASE("DPoP on OAuth2Authentication: the introspection answer's cnf.jkt") {
    const SigningKey client = generate_key("ES256");
    json answer;
    authpolicy::HostHooks hooks;
    hooks.introspect = [&](std::string_view) { return answer.dump(); };
    Fixture f(config({{"class", "OAuth2Authentication"},
                      {"source", "introspection"},
                      {"lookup_user", false},
                      {"dpop", "allowed"}}),
              hooks);
    const std::string token = "opaque-token-1";
    answer = {{"active", true}, {"sub", "alice"}, {"cnf", {{"jkt", thumbprint(client)}}}};
    CHECK(f.decide(request("DPoP " + token, proof(client, token))).allowed);
    check_refused(f.decide(request("Bearer " + token, "")), "invalid_token",
                  "The token is DPoP-bound and needs a DPoP proof.");
    const SigningKey other = generate_key("ES256");
    check_refused(f.decide(request("DPoP " + token, proof(other, token))), "invalid_token",
                  "The DPoP proof key does not match the token binding.");
    check_refused(f.decide(request("DPoP " + token, proof(client, token, {{"htm", "PUT"}}))), "invalid_dpop_proof",
                  "The DPoP proof htm does not match the request method.");
    // An unbound opaque token keeps working as Bearer in allowed mode.
    answer = {{"active", true}, {"sub", "bob"}};
    CHECK(f.decide(request("Bearer other-token", "")).allowed);
}

TEST_CASE("RFC 8705: cnf.x5t#S256 against the client certificate") {
    const std::string cert = std::string("\x30\x82\x01\x0a", 4) + std::string(266, '\x42');  // DER-shaped bytes
    const std::string other_cert = std::string("\x30\x82\x01\x0a", 4) + std::string(266, '\x43');
    const json cnf = {{"x5t#S256", b64_sha256(cert)}};
    SUBCASE("host-passed certificate: match, mismatch, missing") {
        Env env(json::object());
        const std::string token = env.token(cnf);
        auto r = request("Bearer " + token, "");
        r.set_client_certificate(cert);
        CHECK(env.decide(r).allowed);
        r.set_client_certificate(other_cert);
        check_refused(env.decide(r), "invalid_token", "The token is bound to another client certificate.");
        check_refused(env.decide(request("Bearer " + token, "")), "invalid_token",
                      "The token is bound to a client certificate and none was presented.");
        // An unbound token needs no certificate.
        CHECK(env.decide(request("Bearer " + env.token(nullptr), "")).allowed);
    }
    SUBCASE("the Client-Cert header only when the proxy is trusted") {
        const std::string value = ":" + authpolicy::crypto::base64_encode(cert) + ":";
        Env untrusted(json::object());
        std::string token = untrusted.token(cnf);
        auto r = request("Bearer " + token, "");
        r.add_header("Client-Cert", value);
        check_refused(untrusted.decide(r), "invalid_token",
                      "The token is bound to a client certificate and none was presented.");

        Env trusted(json{{"client_cert_header", "Client-Cert"}});
        token = trusted.token(cnf);
        r = request("Bearer " + token, "");
        r.add_header("Client-Cert", value);
        CHECK(trusted.decide(r).allowed);
        r = request("Bearer " + token, "");
        r.add_header("Client-Cert", ":" + authpolicy::crypto::base64_encode(other_cert) + ":");
        check_refused(trusted.decide(r), "invalid_token", "The token is bound to another client certificate.");
        r = request("Bearer " + token, "");
        r.add_header("Client-Cert", authpolicy::crypto::base64_encode(cert));  // not a byte sequence
        check_refused(trusted.decide(r), "invalid_token", "The client certificate header is malformed.");
    }
    SUBCASE("with DPoP: both bindings are checked") {
        Env env(json{{"dpop", "required"}});
        const std::string token = env.token({{"jkt", thumbprint(env.client)}, {"x5t#S256", b64_sha256(cert)}});
        auto r = request("DPoP " + token, proof(env.client, token));
        r.set_client_certificate(cert);
        CHECK(env.decide(r).allowed);
        r = request("DPoP " + token, proof(env.client, token));
        const auto d = env.decide(r);
        check_refused(d, "invalid_token", "The token is bound to a client certificate and none was presented.");
        CHECK(header(d, "WWW-Authenticate").rfind("DPoP realm=", 0) == 0);
    }
}

TEST_CASE("DPoP nonces: stateless HMAC nonces, accepted for their slot and the next") {
    using authpolicy::authn::DpopNonces;
    const DpopNonces nonces(std::string(32, 's'), 60);
    const std::string n = nonces.current(kNow);
    CHECK(nonces.valid(n, kNow));
    CHECK(nonces.valid(n, kNow + 60));         // the previous slot still passes
    CHECK_FALSE(nonces.valid(n, kNow + 120));  // two slots on it is stale
    CHECK_FALSE(nonces.valid("garbage", kNow));
    CHECK_FALSE(DpopNonces(std::string(32, 't'), 60).valid(n, kNow));  // another secret
    CHECK(DpopNonces(std::string(32, 's'), 60).current(kNow) == n);    // the same secret agrees
    CHECK(n.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    // A finite but absurd host clock is no undefined cast (UBSan runs this in CI); no old nonce passes.
    CHECK_FALSE(nonces.valid(n, 1e300));
    CHECK_FALSE(nonces.valid(n, -1e300));
    CHECK(nonces.valid(nonces.current(1e300), 1e300));
}

TEST_CASE("DPoP nonces: use_dpop_nonce with a DPoP-Nonce header, then the nonce is accepted") {
    Env env(json{{"dpop", "required"}, {"dpop_nonce", true}});
    const std::string token = env.bound_token();
    const std::string auth = "DPoP " + token;
    auto d = env.decide(request(auth, proof(env.client, token)));
    check_refused(d, "use_dpop_nonce", "Resource server requires nonce in DPoP proof.");
    const std::string nonce = header(d, "DPoP-Nonce");
    CHECK(nonce != "<absent>");
    CHECK(env.decide(request(auth, proof(env.client, token, {{"nonce", nonce}}))).allowed);
    check_refused(env.decide(request(auth, proof(env.client, token, {{"nonce", nonce + "x"}}))), "use_dpop_nonce",
                  "Resource server requires nonce in DPoP proof.");
    check_refused(env.decide(request(auth, proof(env.client, token, {{"nonce", 7}}))), "invalid_dpop_proof",
                  "The DPoP proof nonce is malformed.");
    // Two minutes on, the old nonce is refused and a new one is sent.
    env.f->clock->advance(120);
    d = env.decide(request(auth, proof(env.client, token, {{"nonce", nonce}, {"iat", kNow + 120}})));
    check_refused(d, "use_dpop_nonce", "Resource server requires nonce in DPoP proof.");
    const std::string fresh = header(d, "DPoP-Nonce");
    CHECK(fresh != nonce);
    CHECK(env.decide(request(auth, proof(env.client, token, {{"nonce", fresh}, {"iat", kNow + 120}}))).allowed);
    // Without dpop_nonce no DPoP-Nonce header is ever sent and a nonce claim is ignored.
    Env plain(json{{"dpop", "required"}});
    const std::string t = plain.bound_token();
    d = plain.decide(request("DPoP " + t, proof(plain.client, t, {{"htm", "POST"}})));
    CHECK(header(d, "DPoP-Nonce") == "<absent>");
    CHECK(plain.decide(request("DPoP " + t, proof(plain.client, t, {{"nonce", "anything"}}))).allowed);
}

TEST_CASE("DPoP nonces: a shared secret from the environment; configuration errors") {
    ::setenv("AUTHP_TEST_DPOP_NONCE_SECRET", "0123456789abcdef0123456789abcdef-shared", 1);
    ::setenv("AUTHP_TEST_DPOP_NONCE_SHORT", "short", 1);
    const json options = {
        {"dpop", "allowed"}, {"dpop_nonce", true}, {"dpop_nonce_secret_env", "AUTHP_TEST_DPOP_NONCE_SECRET"}};
    Env a(options), b(options);
    const std::string token = a.bound_token();
    const auto d = a.decide(request("DPoP " + token, proof(a.client, token)));
    const std::string nonce = header(d, "DPoP-Nonce");
    // Another engine with the same secret accepts it (its own issuer, a's client key).
    const std::string tb = b.token({{"jkt", thumbprint(a.client)}});
    CHECK(b.decide(request("DPoP " + tb, proof(a.client, tb, {{"nonce", nonce}}))).allowed);
    for (const json& bad :
         {json{{"dpop_nonce", true}}, json{{"dpop", "allowed"}, {"dpop_nonce", "yes"}},
          json{{"dpop", "allowed"}, {"dpop_nonce_secret_env", "AUTHP_TEST_DPOP_NONCE_SECRET"}},
          json{{"dpop", "allowed"}, {"dpop_nonce", true}, {"dpop_nonce_secret_env", "AUTHP_TEST_DPOP_NONCE_SHORT"}},
          json{{"dpop", "allowed"}, {"dpop_nonce", true}, {"dpop_nonce_secret_env", "AUTHP_TEST_UNSET_VARIABLE"}}}) {
        CAPTURE(bad.dump());
        CHECK_THROWS_AS(Env{bad}, authpolicy::Error);
    }
}
