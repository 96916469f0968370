#include "server/route_table.h"

#include <fnmatch.h>

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace authpolicy::server {
namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

[[noreturn]] void bad(const std::string& at, const std::string& what) {
    throw std::invalid_argument(at + ": " + what);
}

const nlohmann::json& string_field(const nlohmann::json& v, const std::string& at) {
    if (!v.is_string()) bad(at, "expected a string");
    return v;
}

bool is_token_char(char c) {  // RFC 9110 §5.6.2 tchar, for method names
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

Route parse_route(const nlohmann::json& item, const std::string& at) {
    if (!item.is_object()) bad(at, "a route is an object {\"path\", \"match\", \"methods\", \"host\", \"view\"}");
    Route r;
    bool has_path = false;
    for (const auto& [key, value] : item.items()) {
        const std::string k = at + "." + key;
        if (key == "path") {
            r.path = string_field(value, k).get<std::string>();
            if (r.path.empty() || r.path.front() != '/') bad(k, "a path starts with '/'");
            if (r.path.find_first_of("?#") != std::string::npos) bad(k, "a route path has no query or fragment");
            has_path = true;
        } else if (key == "match") {
            const std::string m = string_field(value, k).get<std::string>();
            if (m == "prefix") {
                r.match = PathMatch::kPrefix;
            } else if (m == "exact") {
                r.match = PathMatch::kExact;
            } else if (m == "glob") {
                r.match = PathMatch::kGlob;
            } else {
                bad(k, "expected \"prefix\", \"exact\" or \"glob\"");
            }
        } else if (key == "methods") {
            if (!value.is_array()) bad(k, "expected a list of method names");
            for (size_t i = 0; i < value.size(); ++i) {
                const std::string m =
                    upper(string_field(value[i], k + "[" + std::to_string(i) + "]").get<std::string>());
                if (m.empty() || !std::all_of(m.begin(), m.end(), is_token_char))
                    bad(k + "[" + std::to_string(i) + "]", "not an HTTP method name");
                r.methods.push_back(m);
            }
        } else if (key == "host") {
            r.host = normalize_host(string_field(value, k).get<std::string>());
        } else if (key == "view") {
            r.view = string_field(value, k).get<std::string>();
        } else {
            bad(k, "unknown key (a route takes path, match, methods, host, view)");
        }
    }
    if (!has_path) bad(at, "a route needs a \"path\"");
    return r;
}

bool path_matches(const Route& r, std::string_view path) {
    switch (r.match) {
        case PathMatch::kExact: return path == r.path;
        case PathMatch::kPrefix: return path.substr(0, r.path.size()) == r.path;
        case PathMatch::kGlob: {
            // POSIX fnmatch: '*' and '?' do not cross '/', so "/users/*/keys" matches one segment.
            const std::string p(path);
            return fnmatch(r.path.c_str(), p.c_str(), FNM_PATHNAME) == 0;
        }
    }
    return false;
}

}  // namespace

RouteTable RouteTable::from_json(const nlohmann::json& routes) {
    if (!routes.is_array()) bad("$.ROUTES", "expected a list of routes");
    std::vector<Route> out;
    for (size_t i = 0; i < routes.size(); ++i)
        out.push_back(parse_route(routes[i], "$.ROUTES[" + std::to_string(i) + "]"));
    return RouteTable(std::move(out));
}

std::optional<std::string> RouteTable::view_for(std::string_view method, std::string_view host,
                                                std::string_view path) const {
    if (routes_.empty()) return std::nullopt;
    const std::string m = upper(method);
    std::string h;
    bool host_done = false;
    for (const Route& r : routes_) {
        if (!r.methods.empty() && std::find(r.methods.begin(), r.methods.end(), m) == r.methods.end()) continue;
        if (!r.host.empty()) {
            if (!host_done) {
                h = normalize_host(host);
                host_done = true;
            }
            if (h != r.host) continue;
        }
        if (path_matches(r, path)) return r.view;
    }
    return std::nullopt;
}

std::string_view strip_query(std::string_view target) {
    const size_t end = target.find_first_of("?#");
    return end == std::string_view::npos ? target : target.substr(0, end);
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool keep_encoded(unsigned char c) {
    return c < 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '%' || c == '\\';
}

}  // namespace

std::string normalize_path(std::string_view path) {
    // 1. percent-decoding of what is safe to decode.
    std::string decoded;
    decoded.reserve(path.size());
    for (size_t i = 0; i < path.size(); ++i) {
        const char c = path[i];
        if (c == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 && hex_value(path[i + 2]) >= 0) {
            const auto octet = static_cast<unsigned char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
            if (keep_encoded(octet)) {
                static constexpr char kHex[] = "0123456789ABCDEF";
                decoded += '%';
                decoded += kHex[octet >> 4];
                decoded += kHex[octet & 15];
            } else {
                decoded += static_cast<char>(octet);
            }
            i += 2;
        } else if (c == '%') {
            decoded += "%25";  // a '%' that starts no escape is data: encode it, so a second pass agrees
        } else {
            decoded += c;
        }
    }
    // 2. segments: drop empty ones and ".", pop on "..".
    std::vector<std::string_view> segments;
    std::string_view rest(decoded);
    const bool trailing_slash = !rest.empty() && rest.back() == '/';
    bool dir_end = trailing_slash;
    size_t pos = 0;
    while (pos <= rest.size()) {
        const size_t next = rest.find('/', pos);
        const std::string_view seg =
            rest.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
        if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
            dir_end = true;
        } else if (seg == ".") {
            dir_end = true;
        } else if (!seg.empty()) {
            segments.push_back(seg);
            dir_end = false;
        }
        if (next == std::string_view::npos) break;
        pos = next + 1;
    }
    if (trailing_slash) dir_end = true;
    std::string out;
    out.reserve(decoded.size() + 1);
    for (const std::string_view seg : segments) {
        out += '/';
        out += seg;
    }
    if (out.empty() || dir_end) out += '/';
    return out;
}

std::string normalize_host(std::string_view host) {
    std::string_view h = host;
    if (!h.empty() && h.front() == '[') {  // an IPv6 literal keeps its brackets
        const size_t close = h.find(']');
        if (close != std::string_view::npos) h = h.substr(0, close + 1);
    } else {
        const size_t colon = h.rfind(':');
        if (colon != std::string_view::npos) h = h.substr(0, colon);
    }
    std::string out(h);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!out.empty() && out.back() == '.') out.pop_back();  // "example.com." is "example.com"
    return out;
}

}  // namespace authpolicy::server
