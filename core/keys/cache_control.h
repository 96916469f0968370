// How long a fetched key set stays fresh: Cache-Control max-age (RFC 9111 §5.2.2.1), clamped
// into the configured [min, max]; no-store/no-cache count as the minimum; none: the default.
#pragma once

#include <string_view>

namespace authpolicy::keys {

struct TtlBounds {
    double min = 60, max = 86400, fallback = 300;
    bool operator==(const TtlBounds&) const = default;
};

double freshness_seconds(std::string_view cache_control, const TtlBounds& bounds);

}  // namespace authpolicy::keys
