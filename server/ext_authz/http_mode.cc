#include "server/ext_authz/http_mode.h"

#include <strings.h>

#include <string>

namespace authpolicy::server {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<ForwardedRequest> ext_authz_http_request(std::string_view method, std::string_view target,
                                                       const HeaderList& headers, std::string_view remote_addr,
                                                       std::string_view path_prefix) {
    while (!path_prefix.empty() && path_prefix.back() == '/') path_prefix.remove_suffix(1);
    if (target.substr(0, path_prefix.size()) != path_prefix) return std::nullopt;
    std::string_view rest = target.substr(path_prefix.size());
    // Envoy appends the original path (which starts with '/') to the prefix.
    if (!rest.empty() && rest.front() != '/' && rest.front() != '?') return std::nullopt;
    if (path_prefix.empty() && rest.empty()) return std::nullopt;
    std::string_view path = rest.substr(0, rest.find_first_of("?#"));

    ForwardedRequest out;
    out.front_end = "ext_authz_http";
    out.method = method;
    out.path = path.empty() ? std::string("/") : std::string(path);
    out.remote_addr = remote_addr;
    out.headers = headers;
    for (const auto& [name, value] : headers) {
        if (iequals(name, "host") && out.host.empty()) out.host = value;
        // The first hop's scheme: the leftmost entry of X-Forwarded-Proto.
        if (iequals(name, "x-forwarded-proto")) {
            const std::string_view v = value;
            out.secure = iequals(trim(v.substr(0, v.find(','))), "https");
        }
    }
    return out;
}

}  // namespace authpolicy::server
