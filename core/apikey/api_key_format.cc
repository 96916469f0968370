#include "core/apikey/api_key_format.h"

#include <cstdint>

#include <zlib.h>

#include "core/crypto/random.h"

namespace authpolicy::apikey {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_base62(std::string_view s) {
    for (char c : s) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!ok) return false;
    }
    return true;
}

}  // namespace

const char* prefix_of(Environment env) {
    return env == Environment::Live ? "ap_live_" : "ap_test_";
}

std::string checksum(std::string_view data) {
    // zlib's crc32 takes a uInt length: keys are far shorter than 4 GiB.
    uint32_t crc =
        static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    std::string out(kChecksumLength, '0');
    for (size_t i = kChecksumLength; i-- > 0;) {
        out[i] = kAlphabet[crc % 62];
        crc /= 62;
    }
    return out;
}

bool is_selector(std::string_view s) {
    return s.size() == kSelectorLength && is_base62(s);
}

std::optional<ParsedKey> parse_key(std::string_view key) {
    if (key.size() != kKeyLength) return std::nullopt;
    ParsedKey p;
    const std::string_view prefix = key.substr(0, kPrefixLength);
    if (prefix == "ap_live_") {
        p.environment = Environment::Live;
    } else if (prefix == "ap_test_") {
        p.environment = Environment::Test;
    } else {
        return std::nullopt;
    }
    const std::string_view rest = key.substr(kPrefixLength);
    if (!is_base62(rest)) return std::nullopt;
    const std::string_view signed_part = key.substr(0, kKeyLength - kChecksumLength);
    // The checksum is public arithmetic, not a secret: a plain comparison is fine.
    if (checksum(signed_part) != key.substr(kKeyLength - kChecksumLength)) return std::nullopt;
    p.prefix = prefix;
    p.selector = rest.substr(0, kSelectorLength);
    p.secret = rest.substr(kSelectorLength, kSecretLength);
    return p;
}

std::string generate_key(Environment env) {
    std::string key = prefix_of(env);
    key.reserve(kKeyLength);
    key += crypto::random_string(kAlphabet, kSelectorLength);
    key += crypto::random_string(kAlphabet, kSecretLength);
    key += checksum(key);
    return key;
}

}  // namespace authpolicy::apikey
