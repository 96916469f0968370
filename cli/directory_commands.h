// What the directory's `… list` and `… revoke` commands (token, oauth token, apikey) share: a
// listing printed as the library's JSON or as a table, and a secret taken from the argument or
// (preferred) stdin, wiped after use and never echoed.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "authpolicy.h"

namespace authpolicy_cli {

using ListJson = int (*)(char** out, authp_directory* dir, const char* username, size_t username_len);
using RevokeSecret = int (*)(authp_directory* dir, const char* secret, size_t secret_len);

// `command` list [USER] --format json|table: all rows, or one user's (`user` empty: all).
void run_list(const std::string& config, const std::string& user, const std::string& format, const char* command,
              ListJson list, const std::function<void(const char* json)>& print_table);

// `command` revoke: exactly one of `argument` and `from_stdin` (else `usage`); `prompt` names the
// secret on a terminal, `noun` in "the … is empty"; `done` is what stderr says afterwards.
void run_revoke(const std::string& config, const std::string& argument, bool from_stdin, const char* command,
                const char* prompt, const char* noun, const char* usage, RevokeSecret revoke, const char* done);

}  // namespace authpolicy_cli
