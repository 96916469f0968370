// Comparison of secrets without data-dependent timing (OpenSSL CRYPTO_memcmp).
#pragma once

#include <string_view>

namespace authpolicy::crypto {

// Lengths are treated as public; the contents are compared in constant time.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace authpolicy::crypto
