// How the CLI reports failures: a message on stderr and a stable exit status.
#pragma once

#include <stdexcept>
#include <string>

namespace authpolicy_cli {

// 0 allowed / done; 1 denied / a management operation failed; 2 usage or configuration error.
enum ExitCode { kOk = 0, kAllowed = 0, kDenied = 1, kFailed = 1, kUsage = 2 };

// Thrown by commands; main() prints "authpolicy: <message>" and exits with `code`.
// Messages never contain secrets (passwords, token keys, header values).
class CliError : public std::runtime_error {
  public:
    CliError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

}  // namespace authpolicy_cli
