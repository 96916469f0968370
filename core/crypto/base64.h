// Base64 through OpenSSL's EVP block codec.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authpolicy::crypto {

// Standard alphabet with '=' padding (RFC 4648 §4).
std::string base64_encode(std::string_view bytes);

// Strict decoding: only the standard alphabet, correct padding, length a multiple of 4.
std::optional<std::string> base64_decode(std::string_view text);

// Decoding as Python's base64.b64decode(validate=False) does, which DRF's BasicAuthentication
// relies on: characters outside the alphabet are skipped, a complete pad sequence ends the
// input, and a leftover partial group is "Incorrect padding" (nullopt). The accepted
// characters are then decoded by OpenSSL.
std::optional<std::string> base64_decode_lenient(std::string_view text);

}  // namespace authpolicy::crypto
