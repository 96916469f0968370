// TRUSTED_PROXIES: the CIDR blocks whose X-Forwarded-For entries the engine believes.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authpolicy::throttle {

class TrustedProxies {
  public:
    // "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128). False on a bad block.
    bool add(std::string_view cidr);
    // A textual IPv4 or IPv6 address (an IPv4-mapped IPv6 address counts as IPv4); anything
    // that is not an address is never trusted.
    bool contains(std::string_view address) const;
    bool empty() const { return blocks_.empty(); }

  private:
    struct Block {
        std::array<unsigned char, 16> bytes{};  // IPv4 in the first 4
        bool v6 = false;
        int prefix = 0;
    };
    static std::optional<Block> parse_address(std::string_view text);
    std::vector<Block> blocks_;
};

}  // namespace authpolicy::throttle
