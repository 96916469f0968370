// A verification key at work: verifying a JWS signature with contexts kept ready per key, so
// a request pays neither an allocation nor OpenSSL 3's per-initialisation algorithm fetch.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "core/jose/jwk.h"
#include "core/jose/openssl_holders.h"

namespace authpolicy::jose {

VerificationKey::~VerificationKey() {
    for (EVP_MAC_CTX* c : free_macs_) EVP_MAC_CTX_free(c);
    for (EVP_PKEY_CTX* c : free_verifiers_) EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(pkey_);
    EVP_MAC_CTX_free(mac_);  // OpenSSL cleanses the HMAC key state on free
}

bool VerificationKey::verify(std::string_view signing_input, std::string_view signature) const {
    return mac_ != nullptr ? verify_hmac(signing_input, signature) : verify_pkey(signing_input, signature);
}

// More idle contexts than this are freed: about one per thread that verifies at once.
constexpr size_t kMaxIdleContexts = 16;

EVP_MAC_CTX* VerificationKey::take_mac() const {
    {
        std::lock_guard<std::mutex> lock(pool_mutex_);
        if (!free_macs_.empty()) {
            EVP_MAC_CTX* c = free_macs_.back();
            free_macs_.pop_back();
            return c;
        }
    }
    EVP_MAC_CTX* c = EVP_MAC_CTX_dup(mac_);  // keyed: EVP_MAC_init(c, NULL, …) restarts it
    if (c == nullptr) crypto_fail("EVP_MAC_CTX_dup");
    return c;
}

void VerificationKey::give_back(EVP_MAC_CTX* ctx) const {
    std::unique_lock<std::mutex> lock(pool_mutex_);
    if (free_macs_.size() < kMaxIdleContexts) {
        free_macs_.push_back(ctx);
        return;
    }
    lock.unlock();
    EVP_MAC_CTX_free(ctx);
}

EVP_PKEY_CTX* VerificationKey::take_verifier() const {
    {
        std::lock_guard<std::mutex> lock(pool_mutex_);
        if (!free_verifiers_.empty()) {
            EVP_PKEY_CTX* c = free_verifiers_.back();
            free_verifiers_.pop_back();
            return c;
        }
    }
    // A verification context over a precomputed digest: padding and hash fixed by the key's
    // algorithm, never by the token.
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> c(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey_, nullptr));
    if (!c || EVP_PKEY_verify_init(c.get()) != 1) crypto_fail("EVP_PKEY_verify_init");
    const Family fam = family_of(alg_);
    if (fam == Family::RsaPss) {
        // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash output.
        if (EVP_PKEY_CTX_set_rsa_padding(c.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
            EVP_PKEY_CTX_set_rsa_pss_saltlen(c.get(), RSA_PSS_SALTLEN_DIGEST) != 1 ||
            EVP_PKEY_CTX_set_rsa_mgf1_md(c.get(), digest_of(alg_)) != 1)
            crypto_fail("RSA-PSS parameters");
    } else if (fam == Family::RsaPkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(c.get(), RSA_PKCS1_PADDING) != 1) crypto_fail("RSA padding");
    }
    if (EVP_PKEY_CTX_set_signature_md(c.get(), digest_of(alg_)) != 1) crypto_fail("EVP_PKEY_CTX_set_signature_md");
    return c.release();
}

void VerificationKey::give_back(EVP_PKEY_CTX* ctx) const {
    std::unique_lock<std::mutex> lock(pool_mutex_);
    if (free_verifiers_.size() < kMaxIdleContexts) {
        free_verifiers_.push_back(ctx);
        return;
    }
    lock.unlock();
    EVP_PKEY_CTX_free(ctx);
}

bool VerificationKey::verify_hmac(std::string_view input, std::string_view sig) const {
    if (sig.size() != mac_size_) return false;  // truncated or padded tags never verify
    EVP_MAC_CTX* ctx = take_mac();
    unsigned char tag[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1 ||
        EVP_MAC_final(ctx, tag, &len, sizeof tag) != 1) {
        EVP_MAC_CTX_free(ctx);
        crypto_fail("HMAC");
    }
    give_back(ctx);
    const bool ok = len == sig.size() && CRYPTO_memcmp(tag, sig.data(), len) == 0;
    OPENSSL_cleanse(tag, sizeof tag);
    return ok;
}

bool VerificationKey::verify_pkey(std::string_view input, std::string_view sig) const {
    const Family fam = family_of(alg_);
    if (fam == Family::EdDSA) return verify_eddsa(input, sig);
    std::string der;
    const unsigned char* sig_ptr = reinterpret_cast<const unsigned char*>(sig.data());
    size_t sig_len = sig.size();
    if (fam == Family::Ecdsa) {
        // RFC 7518 §3.4: exactly R‖S of the curve's size, checked before any conversion.
        if (sig.size() != 2 * ecdsa_half_) return false;
        std::unique_ptr<ECDSA_SIG, SigFree> es(ECDSA_SIG_new());
        BIGNUM* r = BN_bin2bn(sig_ptr, static_cast<int>(ecdsa_half_), nullptr);
        BIGNUM* s = BN_bin2bn(sig_ptr + ecdsa_half_, static_cast<int>(ecdsa_half_), nullptr);
        if (!es || !r || !s) {
            BN_free(r);
            BN_free(s);
            crypto_fail("ECDSA_SIG");
        }
        ECDSA_SIG_set0(es.get(), r, s);
        unsigned char* out = nullptr;
        const int n = i2d_ECDSA_SIG(es.get(), &out);
        if (n <= 0) crypto_fail("i2d_ECDSA_SIG");
        der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(n));
        OPENSSL_free(out);
        sig_ptr = reinterpret_cast<const unsigned char*>(der.data());
        sig_len = der.size();
    } else if (sig.size() != static_cast<size_t>(EVP_PKEY_get_size(pkey_))) {
        return false;  // RSA: exactly the modulus length
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(input.data(), input.size(), digest, &digest_len, digest_of(alg_), nullptr) != 1)
        crypto_fail("EVP_Digest");
    EVP_PKEY_CTX* ctx = take_verifier();
    const int rc = EVP_PKEY_verify(ctx, sig_ptr, sig_len, digest, digest_len);
    give_back(ctx);
    if (rc != 1) ERR_clear_error();
    return rc == 1;
}

bool VerificationKey::verify_eddsa(std::string_view input, std::string_view sig) const {
    if (sig.size() != 64) return false;
    // Ed25519 hashes inside the signature scheme: one-shot EVP_DigestVerify, no separate digest.
    thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx{EVP_MD_CTX_new()};
    if (!ctx) crypto_fail("EVP_MD_CTX_new");
    EVP_MD_CTX_reset(ctx.get());
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey_) != 1) crypto_fail("EVP_DigestVerifyInit");
    const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                    reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_reset(ctx.get());
    if (rc != 1) ERR_clear_error();
    return rc == 1;
}

}  // namespace authpolicy::jose
