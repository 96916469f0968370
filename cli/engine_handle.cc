#include "engine_handle.h"

#include "cli_error.h"

namespace authpolicy_cli {

EngineHandle::EngineHandle(const std::string& config_path, std::optional<double> now) {
    int rc = authp_config_new(&config_);
    if (rc == AUTHP_OK) rc = authp_config_load_file(config_, config_path.c_str());
    if (rc == AUTHP_OK && now) {
        now_ = *now;
        rc = authp_config_set_clock(
            config_, [](void* payload) { return *static_cast<const double*>(payload); }, &now_, nullptr);
    }
    if (rc == AUTHP_OK) rc = authp_engine_new(&engine_, config_);
    if (rc != AUTHP_OK) {
        const std::string message = authp_error_last();
        authp_config_free(config_);
        config_ = nullptr;
        throw CliError(kUsage, message.empty() ? authp_strerror(rc) : message);
    }
}

EngineHandle::~EngineHandle() {
    authp_engine_free(engine_);  // before the config: the clock payload (now_) outlives both
    authp_config_free(config_);
}

DirectoryHandle::DirectoryHandle(const std::string& config_path) {
    authp_config* config = nullptr;
    int rc = authp_config_new(&config);
    if (rc == AUTHP_OK) rc = authp_config_load_file(config, config_path.c_str());
    if (rc == AUTHP_OK) rc = authp_directory_open(&directory_, config);
    const std::string message = rc == AUTHP_OK ? std::string() : authp_error_last();
    authp_config_free(config);
    if (rc != AUTHP_OK) throw CliError(kUsage, message.empty() ? authp_strerror(rc) : message);
}

DirectoryHandle::~DirectoryHandle() {
    authp_directory_free(directory_);
}

void check_rc(int rc, const std::string& what) {
    if (rc == AUTHP_OK) return;
    const std::string message = authp_error_last();
    const bool usage = rc == AUTHP_EINVALID || rc == AUTHP_ECONFIG || rc == AUTHP_EMISUSE;
    throw CliError(usage ? kUsage : kFailed, what + ": " + (message.empty() ? authp_strerror(rc) : message));
}

}  // namespace authpolicy_cli
