#include "core/throttle/client_ident.h"

#include <algorithm>
#include <vector>

#include "core/http/credentials_split.h"

namespace authpolicy::throttle {
namespace {

std::string remote_or_none(const http::Request& request) {
    return request.remote_addr().empty() ? std::string("None") : std::string(request.remote_addr());
}

// Python's str.strip(): leading and trailing whitespace.
std::string_view strip(std::string_view s) {
    while (!s.empty() && http::is_python_space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && http::is_python_space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string client_ident(const http::Request& request, std::optional<int> num_proxies) {
    const std::string* xff = request.header("x-forwarded-for");
    if (num_proxies) {
        if (*num_proxies == 0 || xff == nullptr) return remote_or_none(request);
        std::vector<std::string_view> addrs;
        std::string_view rest = *xff;
        for (;;) {
            const size_t comma = rest.find(',');
            addrs.push_back(rest.substr(0, comma));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        const size_t n = std::min(static_cast<size_t>(*num_proxies), addrs.size());
        return std::string(strip(addrs[addrs.size() - n]));
    }
    if (xff != nullptr && !xff->empty()) {
        std::string joined;
        for (char c : *xff) {
            if (!http::is_python_space(static_cast<unsigned char>(c))) joined.push_back(c);
        }
        return joined;
    }
    return remote_or_none(request);
}

}  // namespace authpolicy::throttle
