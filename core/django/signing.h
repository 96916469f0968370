// Reading Django's signed values (django/core/signing.py) and session data
// (django/contrib/sessions/backends/base.py). Only verification: nothing here signs for Django.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authpolicy::django {

// Which Django generation wrote the data; decides the accepted algorithms and keys.
struct SigningRules {
    std::vector<std::string> secrets;    // SECRET_KEY first, then SECRET_KEY_FALLBACKS
    bool accept_sha1 = false;            // Django 3.1/3.2: a SHA-1 signature is also valid
    bool use_fallbacks = false;          // Django ≥ 4.1: SECRET_KEY_FALLBACKS verify signatures
    bool legacy_session_format = false;  // Django 3.1/3.2: the pre-3.1 base64(hash:json) format
};

// base64.urlsafe_b64encode without '=' padding, and its lenient inverse.
std::string b64_encode(std::string_view bytes);
std::optional<std::string> b64_decode(std::string_view text);

// Signer.signature(value) with the given secret and algorithm ("sha256" or "sha1").
std::string signature(std::string_view value, std::string_view secret, std::string_view salt, bool sha1);

// Signer(salt=salt).unsign: the value before the last ':' when its signature verifies.
std::optional<std::string> unsign(std::string_view signed_value, const SigningRules& rules, std::string_view salt);

// signing.loads without max_age: the JSON text (UTF-8) of a TimestampSigner-signed,
// optionally zlib-compressed payload, or nullopt when the signature or the format is bad.
std::optional<std::string> loads(std::string_view signed_value, const SigningRules& rules, std::string_view salt);

// SessionStore.decode for the db/cache/file backends: the session dict as JSON text, or
// nullopt for what Django turns into an empty session.
std::optional<std::string> decode_session_data(std::string_view session_data, const SigningRules& rules);

// Caps: a session row or a decompressed payload beyond these is treated as corrupt.
inline constexpr size_t kMaxSignedValue = 1u << 20;
inline constexpr size_t kMaxDecompressed = 1u << 20;

}  // namespace authpolicy::django
