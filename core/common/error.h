// Errors inside the core. A policy denial is never an Error: it is a Decision value.
#pragma once

#include <stdexcept>
#include <string>

namespace authpolicy {

// Values equal the C API's authp_error_code so the boundary maps them one to one.
enum class ErrorCode : int {
    Error = -1,
    NotFound = -2,
    Exists = -3,
    Invalid = -4,
    NoMemory = -5,
    Store = -6,
    Crypto = -7,
    Version = -8,
    Misuse = -9,
    Config = -10,
    Callback = -11,
    AuthFailed = -12,
    User = -30,
    Passthrough = -31,
};

class Error : public std::runtime_error {
  public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

  private:
    ErrorCode code_;
};

// Every configuration check words its refusal one way: "configuration error at $.path: what".
[[noreturn]] inline void config_fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::Config, "configuration error at " + where + ": " + what);
}

}  // namespace authpolicy
