// The one username rule (issue 22 findings 3 and 12; issue 13's directory rule), in two halves:
// names the engine WRITES are normalised and held to the directory's rule; names it READS from
// elsewhere (a Django database, a JWT `sub`, an introspection answer) are only refused when a C
// host could misread them.
#pragma once

#include <string>
#include <string_view>

namespace authpolicy::identity {

constexpr size_t kMaxUsernameBytes = 150;  // Django's AbstractUser.username max_length

// Every write path (C API user_add, the CLI through it, RemoteUser's auto-creation): valid UTF-8,
// NFKC as Django's AbstractBaseUser.normalize_username does, then 1 to 150 bytes with no
// whitespace, control, format (invisible, bidirectional), unassigned or default-ignorable
// characters and no ':' (which cannot travel in Basic, RFC 7617 §2). Returns the normalised
// name; throws Error(Invalid) naming the broken rule (never quoting the name).
std::string normalize_new_username(std::string_view name);

// Names read from elsewhere: false on NUL or any control character (C0, DEL, C1).
bool is_readable_username(std::string_view name);

}  // namespace authpolicy::identity
