#include "core/crypto/random.h"

#include <openssl/rand.h>

#include "core/common/error.h"
#include "core/crypto/hex.h"

namespace authpolicy::crypto {

void random_bytes(uint8_t* out, size_t len) {
    if (len > 0 && RAND_bytes(out, static_cast<int>(len)) != 1) {
        throw Error(ErrorCode::Crypto, "OpenSSL RAND_bytes failed");
    }
}

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    random_bytes(reinterpret_cast<uint8_t*>(raw.data()), raw.size());
    return to_hex(raw);
}

std::string random_string(std::string_view alphabet, size_t len) {
    // Accept a byte only below the largest multiple of the alphabet size: uniform output.
    const unsigned n = static_cast<unsigned>(alphabet.size());
    const unsigned limit = 256 - (256 % n);
    std::string out;
    out.reserve(len);
    uint8_t buf[64];
    while (out.size() < len) {
        random_bytes(buf, sizeof buf);
        for (uint8_t b : buf) {
            if (b < limit && out.size() < len) out.push_back(alphabet[b % n]);
        }
    }
    return out;
}

}  // namespace authpolicy::crypto
