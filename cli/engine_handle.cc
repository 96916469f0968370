#include "engine_handle.h"

#include <iostream>

#include "cli_error.h"

namespace authpolicy_cli {

EngineHandle::EngineHandle(const std::string& config_path, std::optional<double> now) {
    int rc = authp_config_new(&config_);
    if (rc == AUTHP_OK) rc = authp_config_load_file(config_, config_path.c_str());
    if (rc == AUTHP_OK && now) {
        now_ = *now;
        rc = authp_config_set_clock(
            config_, [](void* payload) { return *static_cast<double*>(payload); }, &now_, nullptr);
    }
    if (rc == AUTHP_OK) rc = authp_engine_new(&engine_, config_);
    if (rc != AUTHP_OK) {
        const std::string message = authp_error_last();
        authp_config_free(config_);
        config_ = nullptr;
        throw CliError(kUsage, message);
    }
}

EngineHandle::~EngineHandle() {
    authp_engine_free(engine_);
    authp_config_free(config_);
}

void check_rc(int rc, const std::string& what) {
    if (rc != AUTHP_OK) throw CliError(kFailed, what + ": " + authp_error_last());
}

std::string read_secret_line(const char* what) {
    std::string line;
    if (!std::getline(std::cin, line))
        throw CliError(kUsage, std::string("expected the ") + what + " on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace authpolicy_cli
