// Splitting an Authorization header the way DRF does (Python's bytes.split() with no argument).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace authpolicy::http {

// Python's bytes.split() whitespace: space, \t, \n, \r, \v, \f (not NBSP).
constexpr bool is_python_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The first parts of a header and whether there were more than fit.
struct SplitHeader {
    std::array<std::string_view, 2> parts{};
    size_t count = 0;  // 0, 1, 2, or 3 meaning "more than two"
};

// Only the first two fields are kept; DRF rejects anything with more.
SplitHeader split_credentials(std::string_view header);

// Case-insensitive ASCII comparison of an auth scheme keyword.
bool equals_ignore_case(std::string_view a, std::string_view b);

}  // namespace authpolicy::http
