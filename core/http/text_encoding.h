// Text decoding as DRF applies it to credentials (strict UTF-8; latin-1 fallback for Basic).
#pragma once

#include <string>
#include <string_view>

namespace authpolicy::http {

// Strict UTF-8 as Python's bytes.decode('utf-8'): no overlongs, surrogates or values > U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

// Each byte as the code point of the same value, re-encoded as UTF-8.
std::string latin1_to_utf8(std::string_view bytes);

}  // namespace authpolicy::http
