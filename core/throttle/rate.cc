#include "core/throttle/rate.h"

#include "core/http/text_encoding.h"

#include <algorithm>
#include <charconv>

namespace authpolicy::throttle {

std::optional<Rate> parse_rate(std::string_view text, std::string* error) {
    const auto fail = [&](const char* why) -> std::optional<Rate> {
        if (error) *error = std::string("invalid rate '") + http::shown_name(text) + "': " + why;
        return std::nullopt;
    };
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return fail("expected <number>/<period>, e.g. \"100/day\"");
    if (text.find('/', slash + 1) != std::string_view::npos) return fail("more than one '/'");
    const std::string_view num = text.substr(0, slash), period = text.substr(slash + 1);
    Rate rate;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), rate.num_requests);
    if (num.empty() || ec != std::errc() || end != num.data() + num.size() || rate.num_requests < 0)
        return fail("the number of requests is not a non-negative integer");
    if (period.empty()) return fail("missing period");
    switch (period.front()) {
        case 's': rate.duration = 1; break;
        case 'm': rate.duration = 60; break;
        case 'h': rate.duration = 3600; break;
        case 'd': rate.duration = 86400; break;
        default: return fail("the period must start with s, m, h or d (case-sensitive)");
    }
    return rate;
}

}  // namespace authpolicy::throttle
