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
    explicit EngineHandle(const std::string& config_path, std::optional<double> now = std::nullopt);
    ~EngineHandle();
    EngineHandle(const EngineHandle&) = delete;
    EngineHandle& operator=(const EngineHandle&) = delete;

    authp_engine* get() const { return engine_; }

  private:
    authp_config* config_ = nullptr;
    authp_engine* engine_ = nullptr;
    double now_ = 0;  // the fixed clock's payload; lives as long as the engine
};

// The directory a configuration file names (users, tokens, OAuth tokens, sessions): the CLI's
// administration never builds an engine. Throws CliError(kUsage) with the library's message.
class DirectoryHandle {
  public:
    explicit DirectoryHandle(const std::string& config_path);
    ~DirectoryHandle();
    DirectoryHandle(const DirectoryHandle&) = delete;
    DirectoryHandle& operator=(const DirectoryHandle&) = delete;

    authp_directory* get() const { return directory_; }

  private:
    authp_directory* directory_ = nullptr;
};

// Memory the library hands over (keys, JSON listings, hashes): authp_free zeroises it.
struct OwnedText {
    char* ptr = nullptr;
    OwnedText() = default;
    OwnedText(const OwnedText&) = delete;
    OwnedText& operator=(const OwnedText&) = delete;
    ~OwnedText() { authp_free(ptr); }
};

struct RequestPtr {
    authp_request* ptr = nullptr;
    RequestPtr() = default;
    RequestPtr(const RequestPtr&) = delete;
    RequestPtr& operator=(const RequestPtr&) = delete;
    ~RequestPtr() { authp_request_free(ptr); }
};

struct DecisionPtr {
    authp_decision* ptr = nullptr;
    DecisionPtr() = default;
    DecisionPtr(const DecisionPtr&) = delete;
    DecisionPtr& operator=(const DecisionPtr&) = delete;
    ~DecisionPtr() { authp_decision_free(ptr); }
};

// Throws CliError naming `what` and the library's message when rc is not AUTHP_OK:
// a bad argument (AUTHP_EINVALID, AUTHP_ECONFIG, AUTHP_EMISUSE) exits 2, anything else 1.
void check_rc(int rc, const std::string& what);

}  // namespace authpolicy_cli
