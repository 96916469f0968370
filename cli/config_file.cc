#include "config_file.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_error.h"

namespace authpolicy_cli {
namespace {

nlohmann::json read_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw CliError(kUsage, "cannot read configuration file '" + path + "'");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
        // The library accepted the file a moment ago: it changed under us.
        throw CliError(kUsage, "configuration file '" + path + "' changed while it was being read");
    }
}

bool is_in_memory(const std::string& db) {
    if (db == ":memory:") return true;
    // SQLite URIs: file::memory: and file:name?mode=memory
    if (db.rfind("file:", 0) != 0) return false;
    return db.rfind("file::memory:", 0) == 0 || db.find("mode=memory") != std::string::npos;
}

}  // namespace

std::vector<std::string> configured_view_names(const std::string& config_path) {
    const nlohmann::json root = read_config(config_path);
    std::vector<std::string> names;
    if (!root.is_object()) return names;
    const auto views = root.find("VIEWS");
    if (views == root.end() || !views->is_object()) return names;
    for (const auto& [name, spec] : views->items()) names.push_back(name);
    return names;
}

bool throttles_without_proxy_setting(const std::string& config_path) {
    const nlohmann::json root = read_config(config_path);
    if (!root.is_object()) return false;
    for (const char* key : {"NUM_PROXIES", "TRUSTED_PROXIES", "CLIENT_IDENTITY"}) {
        const auto it = root.find(key);
        if (it != root.end() && !it->is_null()) return false;
    }
    auto non_empty = [](const nlohmann::json& j, const char* key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_array() && !it->empty();
    };
    if (non_empty(root, "DEFAULT_THROTTLE_CLASSES")) return true;
    const auto views = root.find("VIEWS");
    if (views == root.end() || !views->is_object()) return false;
    for (const auto& [name, view] : views->items()) {
        if (view.is_object() && non_empty(view, "throttle_classes")) return true;
    }
    return false;
}

void require_persistent_database(const std::string& config_path, const char* command) {
    const nlohmann::json root = read_config(config_path);
    std::string db = ":memory:";  // the library's default
    if (root.is_object()) {
        const auto it = root.find("DATABASE");
        if (it != root.end() && it->is_string()) db = it->get<std::string>();
    }
    if (is_in_memory(db))
        throw CliError(kUsage, std::string(command) +
                                   ": the configuration's DATABASE is in memory (the default when DATABASE is "
                                   "not set); users and tokens would vanish when authpolicy exits");
}

}  // namespace authpolicy_cli
