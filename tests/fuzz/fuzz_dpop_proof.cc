// Sender-constrained tokens (core/authn): DPoP proofs (RFC 9449) through the engine, the htu
// normaliser, and the RFC 9440 Client-Cert header of certificate binding (RFC 8705).
// Input: a selector byte, then fields separated by "\n".
//   selector % 4 == 0: engine A, JWTAuthentication "dpop": "allowed";
//   selector % 4 == 1: engine R, "dpop": "required" with "dpop_nonce": true (a fixed nonce secret);
//     fields: DPoP, Authorization, method, Host, path, Client-Cert (empty: not sent); the request is
//     secure unless bit 2 of the selector is set. Both engines verify HS256 tokens under a secret and
//     trust the Client-Cert header. With bit 3 set, the DPoP field is a header JSON, a tab and a
//     claims JSON, which the target signs with its own key K (ES256) into the proof, so that the
//     checks after the signature (claims, binding, replay, nonce) are fuzzed as well.
//   selector % 4 == 2: normalize_htu(field 0), and request_htu of Host field 1 and path field 2;
//   selector % 4 == 3: check_certificate_binding with Client-Cert value field 0 and host-passed DER
//     bytes field 1.
// Oracles:
//   - a decision is never allowed unless the token is one of the fixture's (HS256: the fuzzer cannot
//     forge one) and, for a token bound to the proof key P (cnf.jkt), the DPoP header is a proof that
//     an independent OpenSSL ECDSA check verifies under P, whose claims carry the request's method,
//     the token's ath (and a nonce on engine R), and whose jti was never accepted before (the clock
//     is fixed, so the replay store never forgets). P's private half is not in this target: every
//     proof by P is a seed (tests/fuzz/make_dpop_corpus.py); the unbound token is allowed only as a
//     Bearer token on engine A; the certificate-bound token only with the fixture's certificate; the
//     token bound to K only with a proof the target signed whose header (typ, ES256, K's public jwk)
//     and claims (htm, htu, iat window, ath, jti, nonce) an independent reading finds valid;
//   - a refusal never quotes the proof or the token (detail and WWW-Authenticate);
//   - normalize_htu is idempotent, drops query and fragment (appending "?q#f" changes nothing) and
//     gives an http(s) URI of visible ASCII without "?" or "#"; request_htu's result is normal too;
//   - a Client-Cert value is accepted only as ":" base64 ":" of the bound certificate, a canonical
//     one always is, and a host-passed certificate takes precedence over the header.
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdlib.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/authn/cert_binding.h"
#include "core/authn/dpop_htu.h"
#include "core/crypto/base64.h"
#include "core/http/credentials_split.h"
#include "core/http/request.h"
#include "core/jose/base64url.h"
#include "fuzz_dpop_proof_fixture.h"
#include "fuzz_support.h"

namespace {

using authp_fuzz::require;
namespace fx = dpop_fixture;

std::string policy(const char* dpop_options) {
    return std::string(R"({"DEFAULT_AUTHENTICATION_CLASSES": [{"class": "JWTAuthentication", "secret": ")") +
           fx::kIssuerSecret +
           R"(", "algorithms": ["HS256"], "issuer": "https://id.example", "audience": "api", "lookup_user": false,
           "client_cert_header": "Client-Cert", )" +
           dpop_options + R"(}], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})";
}

// An independent base64 decoder (standard alphabet; "=" padding optional; pad bits ignored).
std::optional<std::string> decode_base64(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;
        } else if (c == '+') {
            v = 62;
        } else if (c == '/') {
            v = 63;
        } else {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

// The same for base64url (no padding), for the proof's parts.
std::optional<std::string> decode_base64url(std::string_view text) {
    std::string s(text);
    for (char& c : s) {
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        } else if (c == '+' || c == '/' || c == '=') {
            return std::nullopt;
        }
    }
    return decode_base64(s);
}

std::string b64url_sha256(std::string_view bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    return authpolicy::jose::base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

struct World {
    authp_engine* allowed = nullptr;
    authp_engine* required = nullptr;
    EVP_PKEY* proof_key = nullptr;    // P's public key
    EVP_PKEY* signing_key = nullptr;  // K's private key
    std::string cert;                 // the certificate bytes kTokenC is bound to
    std::set<std::string> accepted_jti[2];
    World() {
        ::setenv("AUTHP_FUZZ_DPOP_NONCE_SECRET", fx::kNonceSecret, 1);
        allowed = authp_fuzz::make_engine(policy(R"("dpop": "allowed")").c_str());
        required = authp_fuzz::make_engine(
            policy(R"("dpop": "required", "dpop_nonce": true, "dpop_nonce_secret_env": "AUTHP_FUZZ_DPOP_NONCE_SECRET")")
                .c_str());
        BIO* bio = BIO_new_mem_buf(fx::kProofKeyPem, -1);
        proof_key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (proof_key == nullptr) authp_fuzz::fail("setup: the fixture's proof key");
        bio = BIO_new_mem_buf(fx::kSigningKeyPem, -1);
        signing_key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (signing_key == nullptr) authp_fuzz::fail("setup: the fixture's signing key");
        cert = decode_base64(fx::kCertBase64).value_or("");
    }
};

World& world() {
    static World w;
    return w;
}

// Whether `proof` is a compact JWS whose ES256 signature verifies under P (OpenSSL, not core/jose).
bool signed_by_proof_key(std::string_view proof) {
    const size_t dot1 = proof.find('.');
    const size_t dot2 = proof.rfind('.');
    if (dot1 == std::string_view::npos || dot1 == dot2) return false;
    const auto sig = decode_base64url(proof.substr(dot2 + 1));
    if (!sig || sig->size() != 64) return false;
    ECDSA_SIG* ecdsa = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig->data()), 32, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig->data()) + 32, 32, nullptr);
    ECDSA_SIG_set0(ecdsa, r, s);
    unsigned char* der = nullptr;
    const int der_len = i2d_ECDSA_SIG(ecdsa, &der);
    ECDSA_SIG_free(ecdsa);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const std::string_view input = proof.substr(0, dot2);
    const bool ok = der_len > 0 && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, world().proof_key) == 1 &&
                    EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
}

// base64url(header) "." base64url(claims) "." ES256 signature by K.
std::string sign_with_k(std::string_view header, std::string_view claims) {
    using authpolicy::jose::base64url_encode;
    const std::string input = base64url_encode(header) + "." + base64url_encode(claims);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t der_len = 0;
    std::string der;
    bool ok =
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, world().signing_key) == 1 &&
        EVP_DigestSign(ctx, nullptr, &der_len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    if (ok) {
        der.resize(der_len);
        ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &der_len,
                            reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    }
    EVP_MD_CTX_free(ctx);
    if (!ok) authp_fuzz::fail("setup: signing with K");
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len));
    unsigned char raw[64];
    if (sig == nullptr || BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) != 32 ||
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) != 32)
        authp_fuzz::fail("setup: an ES256 signature");
    ECDSA_SIG_free(sig);
    return input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return out;
}

// A denial must not quote a proof or a token the client sent. Checked for values that look like one
// (32 or more token68 characters): the fixed texts of refusals and challenges have no such run, so a
// value that is itself a piece of a challenge cannot raise a false alarm.
void require_not_quoted(std::string_view text, std::string_view secret, const char* what) {
    if (secret.size() < 32) return;
    for (const char c : secret) {
        const bool token68 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                             c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
        if (!token68) return;
    }
    require(text.find(secret) == std::string_view::npos, what, std::string(text));
}

// The independent reading of a proof that the target signed with K, for a request it allowed.
void check_k_proof(std::string_view dpop, bool required_mode, std::string_view method, std::string_view token,
                   const std::optional<std::string>& request_uri) {
    const size_t dot1 = dpop.find('.'), dot2 = dpop.rfind('.');
    require(dot1 != std::string_view::npos && dot1 < dot2, "K: a compact proof");
    const auto header_text = decode_base64url(dpop.substr(0, dot1));
    const auto claims_text = decode_base64url(dpop.substr(dot1 + 1, dot2 - dot1 - 1));
    require(header_text && claims_text, "K: base64url parts");
    const auto header = nlohmann::json::parse(*header_text, nullptr, false);
    const auto claims = nlohmann::json::parse(*claims_text, nullptr, false);
    require(header.is_object() && claims.is_object(), "K: the header and claims are JSON objects");
    const auto text = [](const nlohmann::json& object, const char* name) -> std::optional<std::string> {
        const auto it = object.find(name);
        if (it == object.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    require(upper(text(header, "typ").value_or("")) == "DPOP+JWT", "K: typ is dpop+jwt", *header_text);
    require(text(header, "alg") == "ES256", "K: alg is ES256", *header_text);
    require(!header.contains("crit"), "K: no crit", *header_text);
    const auto jwk = header.find("jwk");
    require(jwk != header.end() && jwk->is_object() && text(*jwk, "kty") == "EC" && text(*jwk, "crv") == "P-256" &&
                text(*jwk, "x") == fx::kSigningKeyX && text(*jwk, "y") == fx::kSigningKeyY,
            "K: the jwk is K's public key", *header_text);
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
        require(!jwk->contains(priv), "K: the jwk has no private member", *header_text);
    require(text(claims, "htm") == upper(method.empty() ? "GET" : method), "K: htm is the method", *claims_text);
    require(text(claims, "ath") == b64url_sha256(token), "K: ath is the token's hash", *claims_text);
    const auto htu = text(claims, "htu");
    require(htu && request_uri && authpolicy::authn::normalize_htu(*htu) == request_uri, "K: htu is the request's",
            *claims_text);
    const auto iat = claims.find("iat");
    require(iat != claims.end() && iat->is_number(), "K: iat is a number", *claims_text);
    const double issued = iat->get<double>(), now = authp_fuzz::fixed_clock(nullptr);
    require(issued <= now + 5 && now - issued <= 300, "K: iat within the window", *claims_text);
    const auto jti = text(claims, "jti");
    require(jti && !jti->empty() && jti->size() <= 256, "K: a jti", *claims_text);
    const auto nonce = claims.find("nonce");
    if (nonce != claims.end())
        require(nonce->is_string() && !nonce->get<std::string>().empty(), "K: a nonce is a non-empty string");
    if (required_mode) require(nonce != claims.end(), "K: engine R allows only proofs with a nonce", *claims_text);
    require(world().accepted_jti[required_mode ? 1 : 0].insert("K." + *jti).second, "K: a proof is accepted once",
            *jti);
}

void fuzz_engine(bool required_mode, bool secure, bool sign, const std::vector<std::string_view>& f) {
    World& w = world();
    authp_engine* engine = required_mode ? w.required : w.allowed;
    const std::string_view authorization = f[1], method = f[2], host = f[3], path = f[4], client_cert = f[5];
    std::string signed_proof;
    if (sign) {
        const size_t tab = f[0].find('\t');
        signed_proof = sign_with_k(f[0].substr(0, tab), tab == std::string_view::npos ? "" : f[0].substr(tab + 1));
    }
    const std::string_view dpop = sign ? std::string_view(signed_proof) : f[0];
    authp_request* req = nullptr;
    authp_fuzz::setup(authp_request_new(&req, engine), "authp_request_new");
    if (!method.empty()) (void)authp_request_set_method(req, method.data(), method.size());
    if (!path.empty()) (void)authp_request_set_path(req, path.data(), path.size());
    (void)authp_request_set_secure(req, secure ? 1 : 0);
    const auto add = [req](const char* name, std::string_view value) {
        if (!value.empty()) (void)authp_request_add_header(req, name, std::strlen(name), value.data(), value.size());
    };
    add("Host", host);
    add("Authorization", authorization);
    add("DPoP", dpop);
    add("Client-Cert", client_cert);
    authp_decision* d = nullptr;
    require(authp_engine_evaluate(&d, engine, req) == AUTHP_OK, "evaluation reaches a verdict", authp_error_last());
    const int status = authp_fuzz::check_decision(d);
    const auto split = authpolicy::http::split_credentials(authorization);
    const std::string_view token = split.count == 2 ? split.parts[1] : std::string_view();
    if (status == 200) {
        require(split.count == 2, "allowed only with a scheme and a token");
        const bool dpop_scheme = authpolicy::http::equals_ignore_case(split.parts[0], "DPoP");
        if (token == fx::kTokenU) {
            require(!required_mode && authpolicy::http::equals_ignore_case(split.parts[0], "Bearer"),
                    "an unbound token is allowed only as a Bearer token when DPoP is optional");
        } else if (token == fx::kTokenP || token == fx::kTokenC) {
            require(dpop_scheme, "a DPoP-bound token is allowed only under the DPoP scheme");
            require(signed_by_proof_key(dpop), "a DPoP-bound token is allowed only with a proof signed by its key",
                    std::string(dpop));
            const size_t dot1 = dpop.find('.'), dot2 = dpop.rfind('.');
            const auto payload = decode_base64url(dpop.substr(dot1 + 1, dot2 - dot1 - 1));
            require(payload.has_value(), "the proof's payload is base64url");
            const auto claims = nlohmann::json::parse(*payload, nullptr, false);
            require(claims.is_object(), "the proof's claims are an object");
            const auto member = [&claims](const char* name) -> std::string {
                const auto it = claims.find(name);
                return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
            };
            require(member("htm") == upper(method.empty() ? "GET" : method), "the proof's htm is the method");
            require(member("ath") == b64url_sha256(token), "the proof's ath is the token's hash");
            const std::string jti = member("jti");
            require(!jti.empty(), "the proof has a jti");
            if (required_mode) require(!member("nonce").empty(), "engine R allows only proofs with a nonce");
            require(w.accepted_jti[required_mode ? 1 : 0].insert("P." + jti).second, "a proof is accepted once", jti);
            if (token == fx::kTokenC) {
                require(client_cert.size() >= 2 && client_cert.front() == ':' && client_cert.back() == ':' &&
                            decode_base64(client_cert.substr(1, client_cert.size() - 2)) == w.cert,
                        "a certificate-bound token is allowed only with its certificate");
            }
        } else if (token == fx::kTokenK) {
            require(dpop_scheme, "a DPoP-bound token is allowed only under the DPoP scheme");
            authpolicy::http::Request r;
            if (!host.empty()) r.add_header("Host", host);
            if (!path.empty()) r.set_path(path);
            r.set_secure(secure);
            require(sign, "a K-bound token is allowed only with a proof the target signed with K");
            check_k_proof(dpop, required_mode, method, token, authpolicy::authn::request_htu(r));
        } else {
            // Any other token (kTokenQ: bound to a key no seed proof of which carries its ath) is never allowed.
            authp_fuzz::fail("allowed with a token other than the unbound, P-bound or certificate-bound one",
                             std::string(authorization));
        }
    } else {
        const char* detail = authp_decision_detail(d);
        const size_t n = authp_decision_header_count(d);
        std::vector<std::string_view> texts = {detail ? detail : ""};
        for (size_t i = 0; i < n; ++i) {
            const char* name = nullptr;
            const char* value = nullptr;
            if (authp_decision_header(d, i, &name, &value) == AUTHP_OK && std::string_view(name) == "WWW-Authenticate")
                texts.emplace_back(value);
        }
        for (const std::string_view text : texts) {
            require_not_quoted(text, dpop, "a refusal does not quote the DPoP proof");
            require_not_quoted(text, token, "a refusal does not quote the token");
        }
    }
    authp_decision_free(d);
    authp_request_free(req);
}

bool normal_htu_text(const std::string& s) {
    if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) return false;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '?' || c == '#') return false;
    }
    return true;
}

void fuzz_htu(const std::vector<std::string_view>& f) {
    using authpolicy::authn::normalize_htu;
    const std::optional<std::string> once = normalize_htu(f[0]);
    require(normalize_htu(std::string(f[0]) + "?q=1#frag") == once, "htu: query and fragment are not compared");
    if (once) {
        require(normal_htu_text(*once), "htu: an http(s) URI without query, fragment or other characters", *once);
        const auto twice = normalize_htu(*once);
        require(twice == once, "htu: normalising is idempotent", *once + " -> " + twice.value_or("(refused)"));
    }
    authpolicy::http::Request r;
    if (!f[1].empty()) r.add_header("Host", f[1]);
    r.set_path(f[2]);
    for (const bool secure : {false, true}) {
        r.set_secure(secure);
        if (const auto htu = authpolicy::authn::request_htu(r)) {
            require(normal_htu_text(*htu) && htu->rfind(secure ? "https://" : "http://", 0) == 0,
                    "request_htu: the request's scheme, a normal URI", *htu);
            require(normalize_htu(*htu) == htu, "request_htu: already normal", *htu);
        }
    }
}

void fuzz_client_cert(const std::vector<std::string_view>& f) {
    using authpolicy::authn::check_certificate_binding;
    const World& w = world();
    const std::string value(f[0]);
    const std::string_view host_der = f[1];
    const std::string x5t = b64url_sha256(w.cert);
    authpolicy::http::Request r;
    r.add_header("Client-Cert", value);
    if (!host_der.empty()) r.set_client_certificate(host_der);
    const bool header_sent = r.header("client-cert") != nullptr;
    const bool host_passed = !r.client_certificate().empty();
    const auto fixed = [&value](const char* e) {
        if (e != nullptr) require_not_quoted(e, value, "a certificate refusal does not quote the header");
    };
    // Without a trusted header name, only the host-passed certificate counts.
    const char* untrusted = check_certificate_binding(r, x5t, "");
    fixed(untrusted);
    require((untrusted == nullptr) == (host_passed && r.client_certificate() == w.cert),
            "untrusted header: only the host-passed certificate binds");
    const char* trusted = check_certificate_binding(r, x5t, "client-cert");
    fixed(trusted);
    if (host_passed) {
        require((trusted == nullptr) == (r.client_certificate() == w.cert),
                "a host-passed certificate takes precedence over the header");
    } else if (trusted == nullptr) {
        require(header_sent && value.size() >= 3 && value.front() == ':' && value.back() == ':' &&
                    decode_base64(std::string_view(value).substr(1, value.size() - 2)) == w.cert,
                "the header binds only as \":\" base64 \":\" of the bound certificate", value);
    }
    // Completeness: a canonical byte sequence of any certificate binds to its own thumbprint.
    if (!host_passed && header_sent && value.size() >= 3 && value.front() == ':' && value.back() == ':') {
        const std::string_view inner = std::string_view(value).substr(1, value.size() - 2);
        const auto der = decode_base64(inner);
        if (der && !der->empty() && der->size() <= authpolicy::http::Limits::kMaxClientCertificate &&
            authpolicy::crypto::base64_encode(*der) == inner) {
            require(check_certificate_binding(r, b64url_sha256(*der), "client-cert") == nullptr,
                    "a canonical Client-Cert byte sequence binds to its certificate", value);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::vector<std::string_view> fields;
    for (size_t start = 0;;) {
        const size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos || fields.size() == 5) {
            fields.push_back(text.substr(start));
            break;
        }
        fields.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    fields.resize(6);
    switch (data[0] % 4) {
        case 0:
        case 1: fuzz_engine(data[0] % 4 == 1, (data[0] & 4) == 0, (data[0] & 8) != 0, fields); break;
        case 2: fuzz_htu(fields); break;
        case 3: fuzz_client_cert(fields); break;
    }
    return 0;
}
