// Secrets (passwords, token keys) come from standard input, never from argv.
#pragma once

#include <string>

namespace authpolicy_cli {

// Reads one line from standard input and strips its trailing "\n" only: every other byte,
// including a trailing "\r" or spaces, belongs to the secret. On a terminal it prompts on
// stderr and turns echo off. Throws CliError(kUsage) naming `what` when stdin is at its end.
std::string read_secret_line(const char* what);

// A key or token without the white space around it (none of them contains any): what a line
// typed or piped on stdin carries besides the secret.
std::string trimmed(std::string s);

// Overwrites a secret before its memory is released.
void wipe(std::string& secret);

}  // namespace authpolicy_cli
