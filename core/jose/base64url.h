// base64url without padding (RFC 7515 §2 and appendix C), strict: only the URL-safe alphabet,
// no '=', no whitespace, no length ≡ 1 (mod 4), and the unused trailing bits must be zero, so
// every byte string has exactly one accepted encoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authpolicy::jose {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
// The same into a caller's buffer (reused on the hot path); false on any deviation.
bool base64url_decode_into(std::string_view text, std::string& out);

}  // namespace authpolicy::jose
