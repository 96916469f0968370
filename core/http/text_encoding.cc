#include "core/http/text_encoding.h"

namespace authpolicy::http {

bool is_valid_utf8(std::string_view bytes) {
    const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t n = bytes.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;  // no overlongs
            if (c == 0xED) hi = 0x9F;  // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
        } else {
            return false;
        }
        if (i + len > n) return false;
        if (s[i + 1] < lo || s[i + 1] > hi) return false;
        for (size_t k = 2; k < len; ++k) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
        }
        i += len;
    }
    return true;
}

std::string latin1_to_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

std::string quoted_excerpt(std::string_view text, size_t max_bytes) {
    std::string out;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    size_t i = 0;
    while (i < text.size() && i < max_bytes) {
        size_t len = 1;
        if (p[i] >= 0x80) {
            len = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
            if (i + len > text.size() || !is_valid_utf8(text.substr(i, len))) len = 0;  // not a character
        }
        if (len == 0 || p[i] < 0x20 || p[i] == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out.push_back(hex[p[i] >> 4]);
            out.push_back(hex[p[i] & 15]);
            ++i;
            continue;
        }
        if (i + len > max_bytes) break;
        out.append(text.substr(i, len));
        i += len;
    }
    if (i < text.size()) out += "...";
    return out;
}

}  // namespace authpolicy::http
