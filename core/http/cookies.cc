#include "core/http/cookies.h"

namespace authpolicy::http {
namespace {

// Python's str.strip() on the ASCII whitespace a header can carry.
std::string_view strip(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

bool is_octal(char c) {
    return c >= '0' && c <= '7';
}

}  // namespace

std::string unquote_cookie_value(std::string_view value) {
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
    const std::string_view inner = value.substr(1, value.size() - 2);
    std::string out;
    out.reserve(inner.size());
    for (size_t i = 0; i < inner.size();) {
        if (inner[i] != '\\' || i + 1 >= inner.size()) {
            out.push_back(inner[i++]);
            continue;
        }
        if (i + 3 < inner.size() && inner[i + 1] >= '0' && inner[i + 1] <= '3' && is_octal(inner[i + 2]) &&
            is_octal(inner[i + 3])) {
            const int code = (inner[i + 1] - '0') * 64 + (inner[i + 2] - '0') * 8 + (inner[i + 3] - '0');
            if (code < 0x80) {
                out.push_back(static_cast<char>(code));
            } else {  // Python yields chr(code); the header is latin-1, so emit its UTF-8 form
                out.push_back(static_cast<char>(0xC0 | (code >> 6)));
                out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
            }
            i += 4;
            continue;
        }
        out.push_back(inner[i + 1]);  // \c → c
        i += 2;
    }
    return out;
}

std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
    std::optional<std::string> found;
    size_t seen = 0;
    size_t pos = 0;
    while (pos <= header.size() && seen < CookieLimits::kMaxCookies) {
        size_t end = header.find(';', pos);
        if (end == std::string_view::npos) end = header.size();
        const std::string_view chunk = header.substr(pos, end - pos);
        ++seen;
        std::string_view key, val;
        const size_t eq = chunk.find('=');
        if (eq == std::string_view::npos) {
            val = chunk;  // an empty name (Mozilla bug 169091)
        } else {
            key = chunk.substr(0, eq);
            val = chunk.substr(eq + 1);
        }
        key = strip(key);
        val = strip(val);
        if ((!key.empty() || !val.empty()) && key == name) found = unquote_cookie_value(val);
        pos = end + 1;
    }
    return found;
}

}  // namespace authpolicy::http
