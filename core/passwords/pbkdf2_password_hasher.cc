#include "core/passwords/pbkdf2_password_hasher.h"

#include <charconv>
#include <cmath>

#include "core/crypto/base64.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/pbkdf2.h"

namespace authpolicy::passwords {

Pbkdf2PasswordHasher::Pbkdf2PasswordHasher(crypto::DigestAlgorithm alg)
    : alg_(alg), name_(alg == crypto::DigestAlgorithm::Sha1 ? "pbkdf2_sha1" : "pbkdf2_sha256") {}

std::string Pbkdf2PasswordHasher::encode(std::string_view password, std::string_view salt, unsigned iterations) const {
    const std::string derived = crypto::pbkdf2(alg_, password, salt, iterations, crypto::digest_size(alg_));
    std::string out(name_);
    out += '$';
    out += std::to_string(iterations);
    out += '$';
    out += salt;
    out += '$';
    out += crypto::base64_encode(derived);
    return out;
}

VerifyResult Pbkdf2PasswordHasher::verify(std::string_view password, std::string_view encoded,
                                          unsigned min_iterations) const {
    VerifyResult result;
    // algorithm$iterations$salt$hash; the salt holds no '$' (Django asserts it).
    const size_t a = encoded.find('$');
    if (a == std::string_view::npos || encoded.substr(0, a) != name_) return result;
    const size_t b = encoded.find('$', a + 1);
    if (b == std::string_view::npos) return result;
    const size_t c = encoded.find('$', b + 1);
    if (c == std::string_view::npos) return result;
    const std::string_view iter_text = encoded.substr(a + 1, b - a - 1);
    const std::string_view salt = encoded.substr(b + 1, c - b - 1);
    unsigned iterations = 0;
    const auto [end, ec] = std::from_chars(iter_text.data(), iter_text.data() + iter_text.size(), iterations);
    if (ec != std::errc() || end != iter_text.data() + iter_text.size() || iterations == 0 ||
        iterations > kMaxIterations)
        return result;
    result.recognised = true;
    const std::string recomputed = encode(password, salt, iterations);
    result.matches = crypto::constant_time_equal(recomputed, encoded);
    // Django's must_update: other iteration count, or salt entropy below 128 bits (62 symbols).
    const double salt_bits = static_cast<double>(salt.size()) * std::log2(62.0);
    result.needs_rehash = alg_ != crypto::DigestAlgorithm::Sha256 || iterations < min_iterations || salt_bits < 128.0;
    result.cheaper = iterations < min_iterations;
    return result;
}

}  // namespace authpolicy::passwords
