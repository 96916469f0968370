// The few Python built-ins whose exact behaviour decides what the Django packages accept:
// int() of a JSON value, base64.urlsafe_b64decode's non-strict alphabet handling (PyJWT),
// str.split() over latin-1 text (oauthlib) and truthiness. Each mirrors CPython 3.11.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace authpolicy::django::ecosystem {

// int(value) for a value json.loads produced: Ok with the number (as a double: only compared),
// ValueError (a string that is not an integer literal) or TypeError (null, list, object).
struct PyInt {
    enum class Kind { Ok, ValueError, TypeError };
    Kind kind = Kind::TypeError;
    double value = 0;
};
PyInt py_int(const nlohmann::json& value);

// int(text) for a str: whitespace, one sign, ASCII digits with single underscores between them.
std::optional<double> py_int_literal(std::string_view text);

// base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)) as PyJWT's base64url_decode calls it:
// characters outside both alphabets are skipped; nullopt where CPython raises binascii.Error.
std::optional<std::string> py_urlsafe_b64decode_padded(std::string_view s);

// bool(value) of a JSON value ("", 0, [], {}, null and false are falsy).
bool py_truthy(const nlohmann::json& value);

// str.split() of a header decoded as latin-1: splits on Unicode whitespace, which in latin-1
// also includes \x1c-\x1f, \x85 and \xa0. At most `limit` parts are kept; `count` says how many.
struct PySplit {
    std::vector<std::string_view> parts;
    size_t count = 0;
};
PySplit py_str_split_latin1(std::string_view text, size_t limit);

}  // namespace authpolicy::django::ecosystem
