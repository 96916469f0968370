#include "core/authn/dpop_nonce.h"

#include <cmath>

#include "core/crypto/constant_time.h"
#include "core/crypto/digest.h"
#include "core/jose/base64url.h"

namespace authpolicy::authn {

DpopNonces::DpopNonces(std::string secret, double slot_seconds)
    : secret_(std::move(secret)), slot_seconds_(slot_seconds) {}

long long DpopNonces::slot_of(double now) const {
    const double slot = std::floor(now / slot_seconds_);
    // The engine refuses a non-finite clock; a finite but absurd one must not overflow the cast.
    if (!(slot > -9.0e18 && slot < 9.0e18)) return 0;
    return static_cast<long long>(slot);
}

std::string DpopNonces::for_slot(long long slot) const {
    // 8 bytes of slot (big-endian), then 16 bytes of HMAC-SHA256 over a label and the slot.
    std::string slot_bytes(8, '\0');
    for (int i = 7; i >= 0; --i) {
        slot_bytes[static_cast<size_t>(i)] = static_cast<char>(slot & 0xff);
        slot >>= 8;
    }
    const std::string tag = crypto::hmac(crypto::DigestAlgorithm::Sha256, secret_, "authp-dpop-nonce" + slot_bytes);
    return jose::base64url_encode(slot_bytes + tag.substr(0, 16));
}

std::string DpopNonces::current(double now) const {
    return for_slot(slot_of(now));
}

bool DpopNonces::valid(std::string_view nonce, double now) const {
    const long long slot = slot_of(now);
    // Both are computed and compared, so that the time taken does not say which slot matched.
    const bool this_slot = crypto::constant_time_equal(nonce, for_slot(slot));
    const bool previous = crypto::constant_time_equal(nonce, for_slot(slot - 1));
    return this_slot || previous;
}

}  // namespace authpolicy::authn
