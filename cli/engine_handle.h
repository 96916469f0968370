// RAII ownership of the C API handles the CLI uses, and engine construction from --config.
#pragma once

#include <optional>
#include <string>

#include "authpolicy.h"

namespace authpolicy_cli {

class EngineHandle {
  public:
    // Loads the configuration file and builds the engine; `now` fixes the clock (tests, replays).
    // Throws CliError(kUsage) with the library's message on any failure.
    EngineHandle(const std::string& config_path, std::optional<double> now = std::nullopt);
    ~EngineHandle();
    EngineHandle(const EngineHandle&) = delete;
    EngineHandle& operator=(const EngineHandle&) = delete;

    authp_engine* get() const { return engine_; }

  private:
    authp_config* config_ = nullptr;
    authp_engine* engine_ = nullptr;
    double now_ = 0;
};

// Owned memory from the library (keys, JSON listings), released with authp_free.
struct OwnedText {
    char* ptr = nullptr;
    ~OwnedText() { authp_free(ptr); }
};

// Throws CliError(kFailed) naming `what` and the library's message when rc is not AUTHP_OK.
void check_rc(int rc, const std::string& what);

// Reads one line from standard input without its line ending (passwords, keys).
std::string read_secret_line(const char* what);

}  // namespace authpolicy_cli
