// PBKDF2-HMAC (RFC 8018) through OpenSSL.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto/digest.h"

namespace authpolicy::crypto {

std::string pbkdf2(DigestAlgorithm alg, std::string_view password, std::string_view salt, unsigned iterations,
                   size_t key_length);

}  // namespace authpolicy::crypto
