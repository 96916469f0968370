#include "core/jose/algorithms.h"

#include <openssl/evp.h>

#include "core/common/error.h"

namespace authpolicy::jose {
namespace {

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
constexpr Alg kAll[] = {Alg::HS256, Alg::HS384, Alg::HS512, Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256,
                        Alg::PS384, Alg::PS512, Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA};
static_assert(std::size(kAll) == std::size(kAlgs), "one table row per algorithm");

const AlgInfo& info(Alg a) {
    return kAlgs[static_cast<int>(a)];
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

const Alg* all_algs_begin() {
    return std::begin(kAll);
}

const Alg* all_algs_end() {
    return std::end(kAll);
}

const char* digest_name(Alg alg) {
    return info(alg).md;
}

const EVP_MD* digest_of(Alg a) {
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    const char* name = info(a).md;
    if (name == nullptr) return nullptr;
    const EVP_MD* md = name[3] == '2' ? sha256 : name[3] == '3' ? sha384 : sha512;
    if (md == nullptr) throw Error(ErrorCode::Crypto, "OpenSSL failed: EVP_MD_fetch");
    return md;
}

}  // namespace authpolicy::jose
