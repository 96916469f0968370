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

std::vector<std::string_view> split_hops(std::string_view xff) {
    std::vector<std::string_view> addrs;
    for (;;) {
        const size_t comma = xff.find(',');
        addrs.push_back(strip(xff.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        xff.remove_prefix(comma + 1);
    }
    return addrs;
}

// TRUSTED_PROXIES: walk from the remote address towards the client, one hop at a time, and
// believe a hop's entry only while the hop itself is a trusted proxy (at most NUM_PROXIES hops
// when that is set too).
std::string trusted_walk(const http::Request& request, const ClientIdentitySettings& s) {
    const std::string* xff = request.header("x-forwarded-for");
    std::string current = remote_or_none(request);
    if (xff == nullptr || xff->empty()) return current;
    const std::vector<std::string_view> hops = split_hops(*xff);
    const size_t limit = s.num_proxies ? static_cast<size_t>(*s.num_proxies) : hops.size();
    for (size_t step = 0; step < limit && step < hops.size(); ++step) {
        if (!s.trusted.contains(current)) break;
        current = std::string(hops[hops.size() - 1 - step]);
    }
    return current;
}

}  // namespace

std::string client_ident(const http::Request& request, std::optional<int> num_proxies) {
    const std::string* xff = request.header("x-forwarded-for");
    if (num_proxies) {
        if (*num_proxies == 0 || xff == nullptr) return remote_or_none(request);
        const std::vector<std::string_view> addrs = split_hops(*xff);
        const size_t n = std::min(static_cast<size_t>(*num_proxies), addrs.size());
        return std::string(addrs[addrs.size() - n]);
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

std::string client_ident(const http::Request& request, const ClientIdentitySettings& settings) {
    if (!settings.trusted.empty()) return trusted_walk(request, settings);
    if (settings.num_proxies || settings.mode == ClientIdentitySettings::Mode::Drf)
        return client_ident(request, settings.num_proxies);
    return remote_or_none(request);  // the safe default: a client cannot choose its identity
}

}  // namespace authpolicy::throttle
