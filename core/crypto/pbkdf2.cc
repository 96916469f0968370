#include "core/crypto/pbkdf2.h"

#include <openssl/evp.h>

#include "core/common/error.h"

namespace authpolicy::crypto {

std::string pbkdf2(DigestAlgorithm alg, std::string_view password, std::string_view salt, unsigned iterations,
                   size_t key_length) {
    const EVP_MD* md = alg == DigestAlgorithm::Sha1     ? EVP_sha1()
                       : alg == DigestAlgorithm::Sha512 ? EVP_sha512()
                                                        : EVP_sha256();
    std::string out(key_length, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), md, static_cast<int>(key_length),
                          reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw Error(ErrorCode::Crypto, "OpenSSL PBKDF2 failed");
    return out;
}

}  // namespace authpolicy::crypto
