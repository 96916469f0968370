// Verification keys from the forms a configuration gives them in: a JWK (RFC 7517, with the
// member rules of RFC 7518 §6), a SubjectPublicKeyInfo PEM, or a shared secret. Each is bound
// to one algorithm as it is parsed (key_binding.h); private material is refused.
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "core/jose/base64url.h"
#include "core/jose/jwk.h"
#include "core/jose/key_binding.h"
#include "core/jose/openssl_holders.h"

namespace authpolicy::jose {
namespace {

using json = nlohmann::json;

std::string b64_member(const json& jwk, const char* name, bool required = true) {
    auto it = jwk.find(name);
    if (it == jwk.end()) {
        if (required) throw KeyError(std::string("missing \"") + name + "\"");
        return {};
    }
    if (!it->is_string()) throw KeyError(std::string("\"") + name + "\" is not a string");
    auto bytes = base64url_decode(it->get<std::string>());
    if (!bytes) throw KeyError(std::string("\"") + name + "\" is not canonical base64url");
    return *bytes;
}

PkeyHolder pkey_from_params(const char* type, OSSL_PARAM_BLD* bld) {
    std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) crypto_fail("EVP_PKEY_fromdata_init");
    EVP_PKEY* pkey = nullptr;
    if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || pkey == nullptr)
        throw KeyError("key parameters are not a valid public key");
    return PkeyHolder(pkey);
}

PkeyHolder rsa_from_jwk(const json& jwk) {
    const std::string n = b64_member(jwk, "n"), e = b64_member(jwk, "e");
    if (n.empty() || e.empty()) throw KeyError("empty \"n\" or \"e\"");
    // RFC 7518 §6.3.1.1 and §2 (Base64urlUInt): the minimum number of octets, so no leading zero
    // octet; one key then has one encoding (and one RFC 7638 thumbprint).
    if (n.front() == '\0' || e.front() == '\0') throw KeyError("\"n\" or \"e\" has a leading zero octet");
    std::unique_ptr<BIGNUM, BnFree> bn_n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr));
    std::unique_ptr<BIGNUM, BnFree> bn_e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr));
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
        crypto_fail("OSSL_PARAM_BLD");
    return pkey_from_params("RSA", bld.get());
}

PkeyHolder ec_from_jwk(const json& jwk, KeyKind kind) {
    const size_t size = kind == KeyKind::P256 ? 32 : kind == KeyKind::P384 ? 48 : 66;
    const char* group = kind == KeyKind::P256 ? "prime256v1" : kind == KeyKind::P384 ? "secp384r1" : "secp521r1";
    const std::string x = b64_member(jwk, "x"), y = b64_member(jwk, "y");
    // RFC 7518 §6.2.1.2: coordinates are exactly the field size, leading zeros included.
    if (x.size() != size || y.size() != size) throw KeyError("\"x\" and \"y\" must be the full coordinate size");
    std::string point = "\x04" + x + y;
    std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
    if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
        crypto_fail("OSSL_PARAM_BLD");
    PkeyHolder pkey = pkey_from_params("EC", bld.get());
    check_public(pkey.get());
    return pkey;
}

PkeyHolder ed25519_from_jwk(const json& jwk) {
    const std::string x = b64_member(jwk, "x");
    if (x.size() != 32) throw KeyError("an Ed25519 \"x\" is 32 bytes");
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                 reinterpret_cast<const unsigned char*>(x.data()), x.size());
    if (pkey == nullptr) throw KeyError("not a valid Ed25519 public key");
    return PkeyHolder(pkey);
}

std::optional<std::string> string_member(const json& jwk, const char* name, size_t max) {
    auto it = jwk.find(name);
    if (it == jwk.end()) return std::nullopt;
    if (!it->is_string()) throw KeyError(std::string("\"") + name + "\" is not a string");
    std::string s = it->get<std::string>();
    if (s.size() > max) throw KeyError(std::string("\"") + name + "\" is too long");
    return s;
}

}  // namespace

std::shared_ptr<const VerificationKey> VerificationKey::from_jwk(const json& jwk, const std::vector<Alg>& allowed) {
    if (!jwk.is_object()) throw KeyError("a JWK is a JSON object");
    const auto kty = string_member(jwk, "kty", 16);
    if (!kty) throw KeyError("missing \"kty\"");
    if (auto use = string_member(jwk, "use", 16); use && *use != "sig")
        throw KeyError("\"use\" is not \"sig\": the key is not for signatures");
    if (auto ops = jwk.find("key_ops"); ops != jwk.end()) {
        bool verify = false;
        if (!ops->is_array()) throw KeyError("\"key_ops\" is not an array");
        for (const auto& op : *ops) verify = verify || (op.is_string() && op.get<std::string>() == "verify");
        if (!verify) throw KeyError("\"key_ops\" does not include \"verify\"");
    }
    auto kid = string_member(jwk, "kid", 256).value_or("");
    const auto declared = string_member(jwk, "alg", 32);
    std::shared_ptr<VerificationKey> key(new VerificationKey());
    key->kid_ = std::move(kid);
    if (*kty == "oct") {
        const std::string k = b64_member(jwk, "k");
        const Alg a = bind_alg(KeyKind::Oct, declared, allowed);
        return from_secret(k, {a}, key->kid_);
    }
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
        if (jwk.contains(priv))
            throw KeyError("private key material in a verification key (\"" + std::string(priv) + "\")");
    }
    KeyKind kind;
    PkeyHolder pkey;
    if (*kty == "RSA") {
        kind = KeyKind::Rsa;
        pkey = rsa_from_jwk(jwk);
        check_rsa(pkey.get());
    } else if (*kty == "EC") {
        const auto crv = string_member(jwk, "crv", 16);
        if (!crv) throw KeyError("an EC key needs \"crv\"");
        if (*crv == "P-256") {
            kind = KeyKind::P256;
        } else if (*crv == "P-384") {
            kind = KeyKind::P384;
        } else if (*crv == "P-521") {
            kind = KeyKind::P521;
        } else {
            throw KeyError("unsupported curve (P-256, P-384, P-521)");
        }
        pkey = ec_from_jwk(jwk, kind);
    } else if (*kty == "OKP") {
        const auto crv = string_member(jwk, "crv", 16);
        if (!crv || *crv != "Ed25519") throw KeyError("unsupported OKP curve (Ed25519)");
        kind = KeyKind::Ed25519;
        pkey = ed25519_from_jwk(jwk);
    } else {
        throw KeyError("unsupported \"kty\" (RSA, EC, OKP, oct)");
    }
    key->alg_ = bind_alg(kind, declared, allowed);
    if (family_of(key->alg_) == Family::Ecdsa)
        key->ecdsa_half_ = static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()) + 7) / 8;
    key->pkey_ = pkey.release();
    return key;
}

std::shared_ptr<const VerificationKey> VerificationKey::from_pem(std::string_view pem, const std::vector<Alg>& allowed,
                                                                 std::string kid) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) crypto_fail("BIO_new_mem_buf");
    PkeyHolder pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey) throw KeyError("not a PEM public key (-----BEGIN PUBLIC KEY-----, SubjectPublicKeyInfo)");
    KeyKind kind;
    switch (EVP_PKEY_get_base_id(pkey.get())) {
        case EVP_PKEY_RSA:
            kind = KeyKind::Rsa;
            check_rsa(pkey.get());
            break;
        case EVP_PKEY_EC: {
            char group[64] = {0};
            size_t len = 0;
            if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1)
                throw KeyError("EC key without a named curve");
            const std::string g(group, len);
            if (g == "prime256v1" || g == "P-256") {
                kind = KeyKind::P256;
            } else if (g == "secp384r1" || g == "P-384") {
                kind = KeyKind::P384;
            } else if (g == "secp521r1" || g == "P-521") {
                kind = KeyKind::P521;
            } else {
                throw KeyError("unsupported curve (P-256, P-384, P-521)");
            }
            check_public(pkey.get());
            break;
        }
        case EVP_PKEY_ED25519: kind = KeyKind::Ed25519; break;
        default: throw KeyError("unsupported key type (RSA, EC P-256/384/521, Ed25519)");
    }
    std::shared_ptr<VerificationKey> key(new VerificationKey());
    key->kid_ = std::move(kid);
    key->alg_ = bind_alg(kind, std::nullopt, allowed);
    if (family_of(key->alg_) == Family::Ecdsa)
        key->ecdsa_half_ = static_cast<size_t>(EVP_PKEY_get_bits(pkey.get()) + 7) / 8;
    key->pkey_ = pkey.release();
    return key;
}

std::shared_ptr<const VerificationKey> VerificationKey::from_secret(std::string_view secret,
                                                                    const std::vector<Alg>& allowed, std::string kid) {
    std::shared_ptr<VerificationKey> key(new VerificationKey());
    key->kid_ = std::move(kid);
    key->alg_ = bind_alg(KeyKind::Oct, std::nullopt, allowed);
    const EVP_MD* md = digest_of(key->alg_);
    key->mac_size_ = static_cast<size_t>(EVP_MD_get_size(md));
    // RFC 7518 §3.2: a key at least as long as the hash output; never empty (CVE-2019-20933).
    if (secret.size() < key->mac_size_)
        throw KeyError(std::string("a ") + alg_name(key->alg_) + " secret needs at least " +
                       std::to_string(key->mac_size_) + " bytes");
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (hmac == nullptr) crypto_fail("EVP_MAC_fetch");
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(hmac));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest_name(key->alg_)), 0),
        OSSL_PARAM_construct_end()};
    if (!ctx ||
        EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) != 1)
        crypto_fail("EVP_MAC_init");
    key->mac_ = ctx.release();
    return key;
}

}  // namespace authpolicy::jose
