#include "core/http/credentials_split.h"

namespace authpolicy::http {

SplitHeader split_credentials(std::string_view header) {
    SplitHeader out;
    size_t i = 0;
    const size_t n = header.size();
    while (i < n) {
        while (i < n && is_python_space(static_cast<unsigned char>(header[i]))) ++i;
        if (i == n) break;
        const size_t start = i;
        while (i < n && !is_python_space(static_cast<unsigned char>(header[i]))) ++i;
        if (out.count == 2) {
            out.count = 3;
            break;
        }
        out.parts[out.count++] = header.substr(start, i - start);
    }
    return out;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

}  // namespace authpolicy::http
