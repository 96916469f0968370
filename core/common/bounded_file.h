// Reading a file the configuration names, never more than a cap: a path such as /dev/zero or a
// huge file must be refused, not read into memory first (issue 22 finding 8).
#pragma once

#include <string>

namespace authpolicy {

enum class FileRead { Ok, Unreadable, TooLarge };

// Reads at most max_bytes into out; TooLarge as soon as one more byte is available.
FileRead read_bounded_file(const std::string& path, size_t max_bytes, std::string& out);

}  // namespace authpolicy
