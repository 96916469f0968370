#include "core/authn/dpop_htu.h"

#include <vector>

namespace authpolicy::authn {
namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// §6.2.2.1 and §6.2.2.2: "%7e" and "%7E" become "~"; "%2f" becomes "%2F" (reserved stays encoded).
std::optional<std::string> normalize_percent(std::string_view s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c <= 0x20 || c >= 0x7f) return std::nullopt;  // not a URI character
        if (c != '%') {
            out += static_cast<char>(c);
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        const auto decoded = static_cast<unsigned char>(hi * 16 + lo);
        if (unreserved(decoded)) {
            out += static_cast<char>(decoded);
        } else {
            out += '%';
            out += kHex[hi];
            out += kHex[lo];
        }
        i += 2;
    }
    return out;
}

// RFC 3986 §5.2.4 remove_dot_segments, on an absolute path.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    size_t i = 1;  // past the leading "/"
    bool trailing_slash = false;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string_view::npos) j = path.size();
        const std::string_view seg = path.substr(i, j - i);
        const bool last = j == path.size();
        if (seg == ".") {
            trailing_slash = last;
        } else if (seg == "..") {
            if (!segments.empty()) segments.pop_back();
            trailing_slash = last;
        } else {
            segments.push_back(seg);
            trailing_slash = false;
        }
        i = j + 1;
    }
    std::string out;
    for (const auto& seg : segments) {
        out += '/';
        out += seg;
    }
    if (trailing_slash || out.empty()) out += '/';
    return out;
}

}  // namespace

std::optional<std::string> normalize_htu(std::string_view uri) {
    const size_t colon = uri.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    std::string scheme;
    for (char c : uri.substr(0, colon)) scheme += lower(c);
    if (scheme != "http" && scheme != "https") return std::nullopt;
    std::string_view rest = uri.substr(colon + 3);
    rest = rest.substr(0, rest.find_first_of("?#"));  // query and fragment are not compared
    const size_t slash = rest.find('/');
    const std::string_view authority = rest.substr(0, slash);
    const std::string_view raw_path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;

    // The host is lower-cased; an IPv6 literal keeps its brackets; the port is after them.
    size_t port_at = std::string_view::npos;
    if (authority[0] == '[') {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return std::nullopt;
            port_at = close + 1;
        }
    } else {
        port_at = authority.find(':');
    }
    auto host = normalize_percent(authority.substr(0, port_at));
    if (!host || host->empty()) return std::nullopt;
    for (char& c : *host) c = lower(c);
    std::string port;
    if (port_at != std::string_view::npos) {
        const std::string_view digits = authority.substr(port_at + 1);
        if (digits.size() > 5) return std::nullopt;
        long value = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + (c - '0');
        }
        if (value > 65535) return std::nullopt;
        // An empty port and the scheme's default port are dropped (§6.2.3).
        if (!digits.empty() && !(scheme == "http" && value == 80) && !(scheme == "https" && value == 443))
            port = ":" + std::to_string(value);
    }
    auto path = normalize_percent(raw_path);
    if (!path) return std::nullopt;
    return scheme + "://" + *host + port + remove_dot_segments(path->empty() ? "/" : *path);
}

std::optional<std::string> request_htu(const http::Request& request) {
    const std::string* host = request.header("host");
    // A Host with a path, query, fragment or userinfo delimiter is not one authority.
    if (host == nullptr || host->empty() || host->find_first_of("/?#@ ,") != std::string::npos) return std::nullopt;
    std::string_view path = request.path();
    path = path.substr(0, path.find_first_of("?#"));
    std::string uri = request.secure() ? "https://" : "http://";
    uri += *host;
    if (path.empty() || path[0] != '/') uri += '/';
    uri += path;
    return normalize_htu(uri);
}

}  // namespace authpolicy::authn
