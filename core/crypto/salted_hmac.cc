#include "core/crypto/salted_hmac.h"

#include <openssl/crypto.h>

namespace authpolicy::crypto {

std::string salted_hmac(DigestAlgorithm alg, std::string_view key_salt, std::string_view value,
                        std::string_view secret) {
    std::string material;
    material.reserve(key_salt.size() + secret.size());
    material.append(key_salt).append(secret);
    std::string key = digest(alg, material);
    OPENSSL_cleanse(material.data(), material.size());
    std::string mac = hmac(alg, key, value);
    OPENSSL_cleanse(key.data(), key.size());
    return mac;
}

}  // namespace authpolicy::crypto
