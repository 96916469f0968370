#include "core/django/ecosystem/python_compat.h"

#include <cmath>

namespace authpolicy::django::ecosystem {
namespace {

// str.strip() whitespace for ASCII text (the only text a JSON claim compares as digits).
bool is_str_space(unsigned char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

int b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;  // urlsafe_b64decode maps '-' to '+' first
    if (c == '/' || c == '_') return 63;
    return -1;
}

}  // namespace

std::optional<double> py_int_literal(std::string_view t) {
    size_t b = 0, e = t.size();
    while (b < e && is_str_space(static_cast<unsigned char>(t[b]))) ++b;
    while (e > b && is_str_space(static_cast<unsigned char>(t[e - 1]))) --e;
    t = t.substr(b, e - b);
    bool negative = false;
    if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
        negative = t[0] == '-';
        t.remove_prefix(1);
    }
    if (t.empty()) return std::nullopt;
    double v = 0;
    bool last_digit = false;
    for (char c : t) {
        if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            last_digit = true;
        } else if (c == '_' && last_digit) {
            last_digit = false;
        } else {
            return std::nullopt;
        }
    }
    if (!last_digit) return std::nullopt;  // a trailing underscore
    return negative ? -v : v;
}

PyInt py_int(const nlohmann::json& value) {
    PyInt r;
    if (value.is_boolean()) {
        r.kind = PyInt::Kind::Ok;
        r.value = value.get<bool>() ? 1 : 0;
    } else if (value.is_number_integer()) {
        r.kind = PyInt::Kind::Ok;
        r.value = value.is_number_unsigned() ? static_cast<double>(value.get<uint64_t>())
                                             : static_cast<double>(value.get<int64_t>());
    } else if (value.is_number_float()) {
        r.kind = PyInt::Kind::Ok;
        r.value = std::trunc(value.get<double>());
    } else if (value.is_string()) {
        auto v = py_int_literal(value.get_ref<const std::string&>());
        r.kind = v ? PyInt::Kind::Ok : PyInt::Kind::ValueError;
        r.value = v.value_or(0);
    }
    return r;
}

std::optional<std::string> py_urlsafe_b64decode_padded(std::string_view s) {
    // CPython's binascii.a2b_base64 in non-strict mode, after PyJWT pads to a multiple of 4.
    const size_t pads_added = (4 - s.size() % 4) % 4;
    std::string out;
    out.reserve(s.size() * 3 / 4 + 3);
    int quad = 0, pads = 0;
    unsigned left = 0;
    const size_t n = s.size() + pads_added;
    for (size_t i = 0; i < n; ++i) {
        const unsigned char c = i < s.size() ? static_cast<unsigned char>(s[i]) : '=';
        if (c == '=') {
            if (quad >= 2 && quad + ++pads >= 4) return out;  // a complete pad: stop here
            continue;
        }
        const int v = b64_value(c);
        if (v < 0) continue;
        pads = 0;
        switch (quad) {
            case 0:
                left = static_cast<unsigned>(v);
                quad = 1;
                break;
            case 1:
                out.push_back(static_cast<char>((left << 2) | (static_cast<unsigned>(v) >> 4)));
                left = static_cast<unsigned>(v) & 0x0f;
                quad = 2;
                break;
            case 2:
                out.push_back(static_cast<char>((left << 4) | (static_cast<unsigned>(v) >> 2)));
                left = static_cast<unsigned>(v) & 0x03;
                quad = 3;
                break;
            default:
                out.push_back(static_cast<char>((left << 6) | static_cast<unsigned>(v)));
                quad = 0;
                break;
        }
    }
    if (quad != 0) return std::nullopt;  // "cannot be 1 more than a multiple of 4" / "Incorrect padding"
    return out;
}

bool py_truthy(const nlohmann::json& v) {
    if (v.is_null()) return false;
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>() != 0;
    if (v.is_string()) return !v.get_ref<const std::string&>().empty();
    if (v.is_array() || v.is_object()) return !v.empty();
    return true;
}

PySplit py_str_split_latin1(std::string_view text, size_t limit) {
    const auto space = [](unsigned char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0;
    };
    PySplit r;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && space(static_cast<unsigned char>(text[i]))) ++i;
        if (i == text.size()) break;
        size_t j = i;
        while (j < text.size() && !space(static_cast<unsigned char>(text[j]))) ++j;
        if (r.parts.size() < limit) r.parts.push_back(text.substr(i, j - i));
        ++r.count;
        i = j;
    }
    return r;
}

}  // namespace authpolicy::django::ecosystem
