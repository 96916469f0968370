// Reading requests with a size cap, so a runaway input cannot exhaust memory.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace authpolicy_cli {

// Far above what the library accepts in one request (100 headers of 8 KiB), far below harm.
inline constexpr size_t kMaxRequestBytes = 4u << 20;

enum class ReadResult { kLine, kTooLong, kEnd };

// One line without its "\n". A line longer than `cap` is consumed and skipped (kTooLong).
ReadResult read_line(std::istream& in, std::string& line, size_t cap = kMaxRequestBytes);

// The whole stream; throws CliError(kUsage) past `cap`.
std::string read_all(std::istream& in, size_t cap = kMaxRequestBytes);

}  // namespace authpolicy_cli
