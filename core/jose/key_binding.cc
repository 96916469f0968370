#include "core/jose/key_binding.h"

#include <openssl/core_names.h>

#include "core/jose/jwk.h"
#include "core/jose/openssl_holders.h"

namespace authpolicy::jose {
namespace {

// Which algorithms a kind of key may carry.
bool fits(KeyKind kind, Alg a) {
    switch (kind) {
        case KeyKind::Rsa: return family_of(a) == Family::RsaPkcs1 || family_of(a) == Family::RsaPss;
        case KeyKind::Oct: return family_of(a) == Family::Hmac;
        case KeyKind::P256: return a == Alg::ES256;
        case KeyKind::P384: return a == Alg::ES384;
        case KeyKind::P521: return a == Alg::ES512;
        case KeyKind::Ed25519: return a == Alg::EdDSA;
    }
    return false;
}

const char* kind_name(KeyKind kind) {
    switch (kind) {
        case KeyKind::Rsa: return "an RSA key";
        case KeyKind::Oct: return "a shared secret";
        case KeyKind::P256: return "a P-256 key";
        case KeyKind::P384: return "a P-384 key";
        case KeyKind::P521: return "a P-521 key";
        case KeyKind::Ed25519: return "an Ed25519 key";
    }
    return "a key";
}

}  // namespace

Alg bind_alg(KeyKind kind, const std::optional<std::string>& declared, const std::vector<Alg>& allowed) {
    if (declared) {
        auto a = alg_from_name(*declared);
        if (!a) throw KeyError("unknown or unsupported \"alg\" '" + declared->substr(0, 20) + "'");
        if (!fits(kind, *a))
            throw KeyError(std::string("\"alg\" ") + alg_name(*a) + " does not fit " + kind_name(kind));
        return *a;
    }
    std::vector<Alg> candidates;
    for (const Alg* a = all_algs_begin(); a != all_algs_end(); ++a) {
        if (fits(kind, *a)) candidates.push_back(*a);
    }
    if (candidates.size() == 1) return candidates.front();
    std::vector<Alg> chosen;
    for (Alg a : allowed) {
        if (fits(kind, a)) chosen.push_back(a);
    }
    if (chosen.size() == 1) return chosen.front();
    if (allowed.empty()) return kind == KeyKind::Rsa ? Alg::RS256 : Alg::HS256;
    if (chosen.empty()) throw KeyError(std::string("no algorithm in \"algorithms\" fits ") + kind_name(kind));
    throw KeyError(std::string(kind_name(kind)) +
                   " without \"alg\" while \"algorithms\" lists several of its family; give the key an \"alg\"");
}

void check_rsa(EVP_PKEY* pkey) {
    const int bits = EVP_PKEY_get_bits(pkey);
    if (bits < 2048) throw KeyError("RSA key of " + std::to_string(bits) + " bits (at least 2048 required)");
    if (bits > 16384) throw KeyError("RSA key larger than 16384 bits");
    BIGNUM* e = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) crypto_fail("EVP_PKEY_get_bn_param");
    std::unique_ptr<BIGNUM, BnFree> eh(e);
    if (!BN_is_odd(e) || BN_num_bits(e) < 2 || BN_num_bits(e) > 32)
        throw KeyError("RSA public exponent must be odd, at least 3 and at most 32 bits");
}

void check_public(EVP_PKEY* pkey) {
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
    if (!ctx) crypto_fail("EVP_PKEY_CTX_new_from_pkey");
    if (EVP_PKEY_public_check(ctx.get()) != 1) throw KeyError("public key fails validation (point not on the curve?)");
}

}  // namespace authpolicy::jose
