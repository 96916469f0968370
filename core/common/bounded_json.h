// JSON parsing with hard caps on size and nesting, for every JSON that crosses a boundary.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace authpolicy {

inline constexpr size_t kMaxJsonDepth = 64;

// Throws Error(Invalid) with a message that never quotes the input.
nlohmann::json parse_bounded_json(std::string_view text, size_t max_bytes);

}  // namespace authpolicy
