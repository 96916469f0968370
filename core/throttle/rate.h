// DRF's throttle rate strings: "<num>/<period>", where only the period's first character counts
// ('s', 'm', 'h', 'd'; case-sensitive), so "100/day", "5/sec" and "3/hxyz" are all valid.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authpolicy::throttle {

struct Rate {
    long num_requests = 0;
    double duration = 0;  // seconds
};

// nullopt with `error` set for a malformed string (DRF raises raw Python errors there; we name it).
std::optional<Rate> parse_rate(std::string_view text, std::string* error);

}  // namespace authpolicy::throttle
