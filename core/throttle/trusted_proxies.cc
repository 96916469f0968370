#include "core/throttle/trusted_proxies.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace authpolicy::throttle {

std::optional<TrustedProxies::Block> TrustedProxies::parse_address(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;  // INET6_ADDRSTRLEN - 1
    const std::string z(text);                                  // inet_pton wants a C string
    Block b;
    if (inet_pton(AF_INET, z.c_str(), b.bytes.data()) == 1) {
        b.prefix = 32;
        return b;
    }
    if (inet_pton(AF_INET6, z.c_str(), b.bytes.data()) != 1) return std::nullopt;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(b.bytes.data(), mapped, 12) == 0) {  // ::ffff:a.b.c.d is a.b.c.d
        std::memmove(b.bytes.data(), b.bytes.data() + 12, 4);
        std::memset(b.bytes.data() + 4, 0, 12);
        b.prefix = 32;
        return b;
    }
    b.v6 = true;
    b.prefix = 128;
    return b;
}

bool TrustedProxies::add(std::string_view cidr) {
    const size_t slash = cidr.find('/');
    auto block = parse_address(cidr.substr(0, slash));
    if (!block) return false;
    if (slash != std::string_view::npos) {
        const std::string_view digits = cidr.substr(slash + 1);
        int prefix = -1;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix < 0 ||
            prefix > block->prefix)
            return false;
        block->prefix = prefix;
    }
    blocks_.push_back(*block);
    return true;
}

bool TrustedProxies::contains(std::string_view address) const {
    const auto a = parse_address(address);
    if (!a) return false;
    for (const Block& b : blocks_) {
        if (b.v6 != a->v6) continue;
        const int full = b.prefix / 8, rest = b.prefix % 8;
        if (std::memcmp(a->bytes.data(), b.bytes.data(), static_cast<size_t>(full)) != 0) continue;
        if (rest != 0) {
            const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
            if ((a->bytes[static_cast<size_t>(full)] & mask) != (b.bytes[static_cast<size_t>(full)] & mask)) continue;
        }
        return true;
    }
    return false;
}

}  // namespace authpolicy::throttle
