#include "core/passwords/legacy_password_hashers.h"

#include <openssl/evp.h>

#include "core/crypto/constant_time.h"
#include "core/crypto/hex.h"

namespace authpolicy::passwords {
namespace {

std::string hex_digest(bool md5, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md5 ? EVP_md5() : EVP_sha1(), nullptr) != 1) return "";
    return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace

std::string_view identify_algorithm(std::string_view e) {
    if ((e.size() == 32 && e.find('$') == std::string_view::npos) || (e.size() == 37 && e.substr(0, 5) == "md5$$"))
        return "unsalted_md5";
    if (e.size() == 46 && e.substr(0, 6) == "sha1$$") return "unsalted_sha1";
    const size_t dollar = e.find('$');
    return dollar == std::string_view::npos ? std::string_view() : e.substr(0, dollar);
}

VerifyResult SaltedDigestPasswordHasher::verify(std::string_view password, std::string_view encoded, unsigned) const {
    VerifyResult result;
    const size_t a = encoded.find('$');
    const size_t b = a == std::string_view::npos ? a : encoded.find('$', a + 1);
    if (b == std::string_view::npos || encoded.substr(0, a) != algorithm()) return result;
    const std::string_view salt = encoded.substr(a + 1, b - a - 1);
    if (salt.empty()) return result;
    result.recognised = true;
    std::string input(salt);
    input.append(password);
    const std::string recomputed = std::string(algorithm()) + "$" + std::string(salt) + "$" + hex_digest(md5_, input);
    result.matches = crypto::constant_time_equal(recomputed, encoded);
    result.needs_rehash = true;
    return result;
}

VerifyResult UnsaltedDigestPasswordHasher::verify(std::string_view password, std::string_view encoded, unsigned) const {
    VerifyResult result;
    if (identify_algorithm(encoded) != algorithm()) return result;
    std::string_view hex = encoded;
    if (md5_ && hex.size() == 37) hex.remove_prefix(5);
    if (!md5_) hex.remove_prefix(6);
    result.recognised = true;
    result.matches = crypto::constant_time_equal(hex_digest(md5_, password), hex);
    result.needs_rehash = true;
    return result;
}

}  // namespace authpolicy::passwords
