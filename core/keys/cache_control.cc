#include "core/keys/cache_control.h"

#include <algorithm>
#include <optional>
#include <string>

namespace authpolicy::keys {

double freshness_seconds(std::string_view cc, const TtlBounds& b) {
    std::optional<double> ttl;
    size_t i = 0;
    while (i < cc.size()) {
        size_t j = cc.find(',', i);
        if (j == std::string_view::npos) j = cc.size();
        std::string d(cc.substr(i, j - i));
        i = j + 1;
        const size_t first = d.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        d = d.substr(first, d.find_last_not_of(" \t") - first + 1);
        std::string lower;
        for (char c : d) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (lower == "no-store" || lower == "no-cache") {
            ttl = 0;
        } else if (lower.rfind("max-age=", 0) == 0 && !(ttl && *ttl == 0)) {
            std::string v = lower.substr(8);
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
            if (!v.empty() && v.size() <= 10 && v.find_first_not_of("0123456789") == std::string::npos)
                ttl = std::stod(v);
        }
    }
    return std::clamp(ttl.value_or(b.fallback), b.min, b.max);
}

}  // namespace authpolicy::keys
