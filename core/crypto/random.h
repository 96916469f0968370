// Randomness from OpenSSL's CSPRNG (RAND_bytes); never std::random.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace authpolicy::crypto {

void random_bytes(uint8_t* out, size_t len);
// `bytes` random bytes rendered as 2*bytes lowercase hex characters.
std::string random_hex(size_t bytes);
// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
std::string random_string(std::string_view alphabet, size_t len);

}  // namespace authpolicy::crypto
