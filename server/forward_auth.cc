#include "server/forward_auth.h"

#include <strings.h>

#include <utility>

#include "server/route_table.h"

namespace authpolicy::server {

const std::string* find_header(const HeaderList& headers, std::string_view name) {
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && strncasecmp(n.data(), name.data(), name.size()) == 0) return &v;
    return nullptr;
}

std::string header_safe(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value)
        if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
    return out;
}

std::optional<ForwardedRequest> forward_auth_request(std::string_view method, HeaderList headers,
                                                     std::string_view remote_addr, std::string* error) {
    const std::string* uri = find_header(headers, "x-forwarded-uri");
    if (uri == nullptr) uri = find_header(headers, "x-original-uri");
    if (uri == nullptr || uri->empty()) {
        *error = "the original request's URI is missing: send X-Forwarded-Uri or X-Original-URI";
        return std::nullopt;
    }
    const std::string_view path = strip_query(*uri);
    if (path.empty() || path.front() != '/') {
        *error = "X-Forwarded-Uri / X-Original-URI must be a path starting with '/'";
        return std::nullopt;
    }
    ForwardedRequest r;
    r.front_end = "forward_auth";
    r.path = std::string(path);
    const std::string* m = find_header(headers, "x-forwarded-method");
    if (m == nullptr) m = find_header(headers, "x-original-method");
    r.method = m != nullptr && !m->empty() ? *m : std::string(method);
    const std::string* host = find_header(headers, "x-forwarded-host");
    if (host == nullptr) host = find_header(headers, "host");
    if (host != nullptr) r.host = *host;
    const std::string* proto = find_header(headers, "x-forwarded-proto");
    r.secure = proto != nullptr && strcasecmp(proto->c_str(), "https") == 0;
    r.headers = std::move(headers);
    r.remote_addr = std::string(remote_addr);
    return r;
}

}  // namespace authpolicy::server
