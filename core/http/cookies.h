// The Cookie request header, parsed as Django's django.http.cookie.parse_cookie does: split on
// ';', a chunk without '=' is a value with an empty name, names and values are stripped of
// whitespace, a value in double quotes is unquoted with Python's http.cookies rules, and a
// later cookie of the same name wins. The input is untrusted and fuzzed: bounded, never throws
// anything but std::bad_alloc.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace authpolicy::http {

struct CookieLimits {
    static constexpr size_t kMaxCookies = 200;  // chunks looked at; later ones are ignored
};

// The value of cookie `name` in the header, or nullopt when there is none.
std::optional<std::string> find_cookie(std::string_view header, std::string_view name);

// Python's http.cookies._unquote: "…" without the quotes, \ooo octal escapes and \c → c.
std::string unquote_cookie_value(std::string_view value);

}  // namespace authpolicy::http
