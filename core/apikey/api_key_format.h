// The engine's own API keys: `ap_<env>_<selector><secret><checksum>` (docs/api-keys.md).
// A fixed prefix for secret scanners, a public selector that finds the row, a secret that only
// the holder knows, and a CRC32 in base62 over everything before it, so that a mistyped or
// forged key is refused by arithmetic, before any lookup (GitHub's token format, 2021).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace authpolicy::apikey {

enum class Environment { Live, Test };

inline constexpr size_t kSelectorLength = 12;  // base62: 71 bits, unique per row (indexed)
inline constexpr size_t kSecretLength = 32;    // base62: 190 bits from OpenSSL's CSPRNG
inline constexpr size_t kChecksumLength = 6;   // base62 of CRC32 (62^6 > 2^32), zero-padded
inline constexpr size_t kPrefixLength = 8;     // "ap_live_" / "ap_test_"
inline constexpr size_t kKeyLength = kPrefixLength + kSelectorLength + kSecretLength + kChecksumLength;

// What a well-formed key holds. Views into the parsed text.
struct ParsedKey {
    Environment environment = Environment::Live;
    std::string_view prefix;    // "ap_live_"
    std::string_view selector;  // public: looked up
    std::string_view secret;    // private: only its HMAC under the pepper is stored
};

// Strict: exact length, prefix, base62 alphabet and checksum; nullopt for anything else.
std::optional<ParsedKey> parse_key(std::string_view key);

// A fresh key from OpenSSL's CSPRNG (throws Error(Crypto) if the CSPRNG fails).
std::string generate_key(Environment env);

// Whether `s` looks like a selector (kSelectorLength base62 characters).
bool is_selector(std::string_view s);

const char* prefix_of(Environment env);

// CRC32 (zlib's) of `data` as kChecksumLength base62 characters, most significant first.
std::string checksum(std::string_view data);

}  // namespace authpolicy::apikey
