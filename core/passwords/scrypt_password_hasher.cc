#include "core/passwords/scrypt_password_hasher.h"

#include <openssl/evp.h>

#include <charconv>
#include <optional>
#include <vector>

#include "core/crypto/base64.h"
#include "core/crypto/constant_time.h"

namespace authpolicy::passwords {
namespace {

std::optional<uint64_t> number(std::string_view s) {
    uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

}  // namespace

VerifyResult ScryptPasswordHasher::verify(std::string_view password, std::string_view encoded, unsigned) const {
    VerifyResult result;
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (parts.size() < 7) {
        const size_t end = encoded.find('$', pos);
        parts.push_back(encoded.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
        if (end == std::string_view::npos) break;
        pos = end + 1;
    }
    if (parts.size() != 6 || parts[0] != "scrypt") return result;
    const auto n = number(parts[1]), r = number(parts[3]), p = number(parts[4]);
    if (!n || !r || !p || *n < 2 || (*n & (*n - 1)) != 0 || *r == 0 || *p == 0 || *r > 1024 || *p > 1024 ||
        *n > kMaxMemory / (128 * *r) || 128 * *r * *n * *p > kMaxMemory)
        return result;
    const auto expected = crypto::base64_decode(parts[5]);
    if (!expected || expected->empty() || expected->size() > 1024) return result;
    result.recognised = true;
    std::string derived(expected->size(), '\0');
    const std::string_view salt = parts[2];
    if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                       salt.size(), *n, *r, *p, kMaxMemory + (1u << 20),
                       reinterpret_cast<unsigned char*>(derived.data()), derived.size()) != 1)
        return result;
    result.matches = crypto::constant_time_equal(derived, *expected);
    result.needs_rehash = true;
    return result;
}

}  // namespace authpolicy::passwords
