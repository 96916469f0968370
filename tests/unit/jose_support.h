// Test-only JOSE signing: key generation and compact JWS minting through OpenSSL, so tests
// can build every token shape (valid, tampered, hostile) the verifier must judge.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/jose/base64url.h"

namespace authp_test {

struct SigningKey {
    std::shared_ptr<EVP_PKEY> pkey;  // asymmetric
    std::string secret;              // HMAC
    std::string alg;                 // "RS256", …

    std::string public_pem() const {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, pkey.get());
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<size_t>(n));
        BIO_free(bio);
        return out;
    }

    // The public JWK ({"kty", …}); with `with_alg` the key declares its algorithm.
    nlohmann::json public_jwk(const std::string& kid = "", bool with_alg = true) const {
        using authpolicy::jose::base64url_encode;
        nlohmann::json j;
        const int id = pkey ? EVP_PKEY_get_base_id(pkey.get()) : 0;
        if (!pkey) {
            j = {{"kty", "oct"}, {"k", base64url_encode(secret)}};
        } else if (id == EVP_PKEY_RSA) {
            BIGNUM *n = nullptr, *e = nullptr;
            EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
            EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
            j = {{"kty", "RSA"}, {"n", base64url_encode(bn_bytes(n, 0))}, {"e", base64url_encode(bn_bytes(e, 0))}};
            BN_free(n);
            BN_free(e);
        } else if (id == EVP_PKEY_EC) {
            const size_t size = static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()) + 7) / 8;
            BIGNUM *x = nullptr, *y = nullptr;
            EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x);
            EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y);
            const char* crv = size == 32 ? "P-256" : size == 48 ? "P-384" : "P-521";
            j = {{"kty", "EC"},
                 {"crv", crv},
                 {"x", base64url_encode(bn_bytes(x, size))},
                 {"y", base64url_encode(bn_bytes(y, size))}};
            BN_free(x);
            BN_free(y);
        } else {
            unsigned char raw[32];
            size_t len = sizeof raw;
            EVP_PKEY_get_raw_public_key(pkey.get(), raw, &len);
            j = {{"kty", "OKP"},
                 {"crv", "Ed25519"},
                 {"x", base64url_encode(std::string(reinterpret_cast<char*>(raw), len))}};
        }
        if (with_alg) j["alg"] = alg;
        if (!kid.empty()) j["kid"] = kid;
        return j;
    }

    // Raw JWS signature bytes (R‖S for ECDSA) over `input`.
    std::string sign(const std::string& input) const {
        const char* md_name = alg == "EdDSA"           ? nullptr
                              : alg.substr(2) == "256" ? "SHA256"
                              : alg.substr(2) == "384" ? "SHA384"
                                                       : "SHA512";
        if (!pkey) {
            unsigned char tag[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            HMAC(EVP_get_digestbyname(md_name), secret.data(), static_cast<int>(secret.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), tag, &len);
            return std::string(reinterpret_cast<char*>(tag), len);
        }
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EVP_PKEY_CTX* pctx = nullptr;
        EVP_DigestSignInit(ctx, &pctx, md_name ? EVP_get_digestbyname(md_name) : nullptr, nullptr, pkey.get());
        if (alg[0] == 'P') {
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
        }
        size_t len = 0;
        EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
        std::string sig(len, '\0');
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size());
        sig.resize(len);
        EVP_MD_CTX_free(ctx);
        if (alg[0] == 'E' && alg != "EdDSA") {  // DER → R‖S
            const size_t size = static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()) + 7) / 8;
            const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
            ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
            std::string raw = bn_bytes(ECDSA_SIG_get0_r(es), size) + bn_bytes(ECDSA_SIG_get0_s(es), size);
            ECDSA_SIG_free(es);
            return raw;
        }
        return sig;
    }

    // header.payload.signature from JSON texts (as given: duplicates and odd spacing survive).
    std::string token(const std::string& header_json, const std::string& payload_json) const {
        using authpolicy::jose::base64url_encode;
        const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
        return input + "." + base64url_encode(sign(input));
    }
    std::string token(const nlohmann::json& payload, const std::string& kid = "") const {
        nlohmann::json h = {{"alg", alg}, {"typ", "JWT"}};
        if (!kid.empty()) h["kid"] = kid;
        return token(h.dump(), payload.dump());
    }

    static std::string bn_bytes(const BIGNUM* bn, size_t size) {
        std::string out(size ? size : static_cast<size_t>(BN_num_bytes(bn)), '\0');
        BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
        return out;
    }
};

inline SigningKey generate_key(const std::string& alg) {
    SigningKey k;
    k.alg = alg;
    EVP_PKEY* p = nullptr;
    if (alg[0] == 'H') {
        k.secret = std::string(alg == "HS256" ? 32 : alg == "HS384" ? 48 : 64, 'k');
        for (size_t i = 0; i < k.secret.size(); ++i) k.secret[i] = static_cast<char>('A' + (i * 7) % 26);
        return k;
    } else if (alg[0] == 'R' || alg[0] == 'P') {
        p = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    } else if (alg == "EdDSA") {
        p = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    } else {
        p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", alg == "ES256" ? "P-256" : alg == "ES384" ? "P-384" : "P-521");
    }
    if (p == nullptr) throw std::runtime_error("keygen failed");
    k.pkey.reset(p, EVP_PKEY_free);
    return k;
}

}  // namespace authp_test
