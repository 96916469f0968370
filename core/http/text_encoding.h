// Text decoding as DRF applies it to credentials (strict UTF-8; latin-1 fallback for Basic).
#pragma once

#include <string>
#include <string_view>

namespace authpolicy::http {

// Strict UTF-8 as Python's bytes.decode('utf-8'): no overlongs, surrogates or values > U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

// Each byte as the code point of the same value, re-encoded as UTF-8.
std::string latin1_to_utf8(std::string_view bytes);

// Client text quoted in a message (a CSRF detail, a log line): control characters (C0, DEL) and
// bytes that are not UTF-8 become \xNN, and at most max_bytes of the input are shown, cut on a
// character boundary and followed by "..." when cut.
std::string quoted_excerpt(std::string_view text, size_t max_bytes);

// The one rule for configuration error messages (docs/configuration.md "Errors"): they may show
// names (key, view, class, scope and hasher names, rate strings, file paths) through this (escaped,
// at most 64 bytes), and never any other value.
inline std::string shown_name(std::string_view name) {
    return quoted_excerpt(name, 64);
}

}  // namespace authpolicy::http
