// Django's salted_hmac (django/utils/crypto.py): HMAC(H(key_salt + secret), value) with H the
// given algorithm. Django's default algorithm is SHA-1; callers name the one they need.
#pragma once

#include <string>
#include <string_view>

#include "core/crypto/digest.h"

namespace authpolicy::crypto {

// Raw MAC bytes.
std::string salted_hmac(DigestAlgorithm alg, std::string_view key_salt, std::string_view value,
                        std::string_view secret);

}  // namespace authpolicy::crypto
