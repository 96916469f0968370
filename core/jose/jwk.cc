#include "core/jose/jwk.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <set>

#include "core/common/error.h"
#include "core/jose/base64url.h"

namespace authpolicy::jose {
namespace {

using json = nlohmann::json;

struct AlgInfo {
    Alg alg;
    const char* name;
    Family family;
    const char* md;  // digest name; nullptr for EdDSA
};
constexpr AlgInfo kAlgs[] = {
    {Alg::HS256, "HS256", Family::Hmac, "SHA256"},     {Alg::HS384, "HS384", Family::Hmac, "SHA384"},
    {Alg::HS512, "HS512", Family::Hmac, "SHA512"},     {Alg::RS256, "RS256", Family::RsaPkcs1, "SHA256"},
    {Alg::RS384, "RS384", Family::RsaPkcs1, "SHA384"}, {Alg::RS512, "RS512", Family::RsaPkcs1, "SHA512"},
    {Alg::PS256, "PS256", Family::RsaPss, "SHA256"},   {Alg::PS384, "PS384", Family::RsaPss, "SHA384"},
    {Alg::PS512, "PS512", Family::RsaPss, "SHA512"},   {Alg::ES256, "ES256", Family::Ecdsa, "SHA256"},
    {Alg::ES384, "ES384", Family::Ecdsa, "SHA384"},    {Alg::ES512, "ES512", Family::Ecdsa, "SHA512"},
    {Alg::EdDSA, "EdDSA", Family::EdDSA, nullptr},
};

const AlgInfo& info(Alg a) {
    return kAlgs[static_cast<int>(a)];
}

// Digests are fetched once per process (EVP_MD_fetch is slow in OpenSSL 3).
const EVP_MD* md_of(Alg a) {
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    const char* name = info(a).md;
    if (name == nullptr) return nullptr;
    const EVP_MD* md = name[3] == '2' ? sha256 : name[3] == '3' ? sha384 : sha512;
    if (md == nullptr) throw Error(ErrorCode::Crypto, "OpenSSL failed: EVP_MD_fetch");
    return md;
}

[[noreturn]] void crypto_fail(const char* what) {
    throw Error(ErrorCode::Crypto, std::string("OpenSSL failed: ") + what);
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyHolder = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BldFree {
    void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
    void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct MacCtxFree {
    void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct SigFree {
    void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

// Which algorithms a kind of key may carry.
enum class KeyKind { Rsa, Oct, P256, P384, P521, Ed25519 };

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

// Binds a key to one algorithm: its declared "alg", else the only one its kind allows, else the
// only one of its kind in the allow-list, else the family default (RS256, HS256) when no
// allow-list is configured. A kind never borrows another family's algorithm (RFC 8725 §3.1).
Alg bind_alg(KeyKind kind, const std::optional<std::string>& declared, const std::vector<Alg>& allowed) {
    if (declared) {
        auto a = alg_from_name(*declared);
        if (!a) throw KeyError("unknown or unsupported \"alg\" '" + declared->substr(0, 20) + "'");
        if (!fits(kind, *a))
            throw KeyError(std::string("\"alg\" ") + alg_name(*a) + " does not fit " + kind_name(kind));
        return *a;
    }
    std::vector<Alg> candidates;
    for (const auto& i : kAlgs) {
        if (fits(kind, i.alg)) candidates.push_back(i.alg);
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

std::optional<Alg> alg_from_name(std::string_view name) {
    for (const auto& i : kAlgs) {
        if (name == i.name) return i.alg;
    }
    return std::nullopt;
}

const char* alg_name(Alg alg) {
    return info(alg).name;
}

Family family_of(Alg alg) {
    return info(alg).family;
}

VerificationKey::~VerificationKey() {
    for (EVP_MAC_CTX* c : free_macs_) EVP_MAC_CTX_free(c);
    for (EVP_PKEY_CTX* c : free_verifiers_) EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(pkey_);
    EVP_MAC_CTX_free(mac_);  // OpenSSL cleanses the HMAC key state on free
}

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
    const EVP_MD* md = md_of(key->alg_);
    key->mac_size_ = static_cast<size_t>(EVP_MD_get_size(md));
    // RFC 7518 §3.2: a key at least as long as the hash output; never empty (CVE-2019-20933).
    if (secret.size() < key->mac_size_)
        throw KeyError(std::string("a ") + alg_name(key->alg_) + " secret needs at least " +
                       std::to_string(key->mac_size_) + " bytes");
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (hmac == nullptr) crypto_fail("EVP_MAC_fetch");
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(hmac));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(info(key->alg_).md), 0),
        OSSL_PARAM_construct_end()};
    if (!ctx ||
        EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) != 1)
        crypto_fail("EVP_MAC_init");
    key->mac_ = ctx.release();
    return key;
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
            EVP_PKEY_CTX_set_rsa_mgf1_md(c.get(), md_of(alg_)) != 1)
            crypto_fail("RSA-PSS parameters");
    } else if (fam == Family::RsaPkcs1) {
        if (EVP_PKEY_CTX_set_rsa_padding(c.get(), RSA_PKCS1_PADDING) != 1) crypto_fail("RSA padding");
    }
    if (EVP_PKEY_CTX_set_signature_md(c.get(), md_of(alg_)) != 1) crypto_fail("EVP_PKEY_CTX_set_signature_md");
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
    if (EVP_Digest(input.data(), input.size(), digest, &digest_len, md_of(alg_), nullptr) != 1)
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

std::vector<KeyPtr> parse_jwks(const json& jwks, const std::vector<Alg>& allowed) {
    if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
        throw KeyError("a JWK Set is an object with a \"keys\" array");
    const json& keys = jwks["keys"];
    if (keys.empty()) throw KeyError("the JWK Set has no keys");
    if (keys.size() > 100) throw KeyError("the JWK Set has more than 100 keys");
    std::vector<KeyPtr> out;
    std::set<std::string> kids;
    bool symmetric = false, asymmetric = false;
    for (size_t i = 0; i < keys.size(); ++i) {
        KeyPtr key;
        try {
            key = VerificationKey::from_jwk(keys[i], allowed);
        } catch (const KeyError& e) {
            throw KeyError("keys[" + std::to_string(i) + "]: " + e.what());
        }
        if (!key->kid().empty() && !kids.insert(key->kid()).second)
            throw KeyError("keys[" + std::to_string(i) + "]: duplicate \"kid\"");
        (key->symmetric() ? symmetric : asymmetric) = true;
        if (symmetric && asymmetric) throw KeyError("the JWK Set mixes shared secrets and public keys");
        bool usable = allowed.empty();
        for (Alg a : allowed) usable = usable || a == key->alg();
        if (usable) out.push_back(std::move(key));  // keys for algorithms not allowed are skipped
    }
    if (out.empty()) throw KeyError("no key in the JWK Set is for an algorithm in \"algorithms\"");
    return out;
}

}  // namespace authpolicy::jose
