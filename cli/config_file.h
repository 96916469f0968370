// What the CLI reads from the configuration file itself, because the C API does not expose it:
// the view names (for `config check`) and whether DATABASE is a file (the directory commands
// refuse an in-memory database, where a new user or token would vanish when the process exits).
// Call these only after EngineHandle has loaded the same file: the library validates it first.
#pragma once

#include <string>
#include <vector>

namespace authpolicy_cli {

// The keys of "VIEWS", in the engine's (sorted) order.
std::vector<std::string> configured_view_names(const std::string& config_path);

// True when some throttle class is configured (by default or in a view) and none of NUM_PROXIES,
// TRUSTED_PROXIES, CLIENT_IDENTITY is set: behind a proxy every client would share one budget.
bool throttles_without_proxy_setting(const std::string& config_path);

// Throws CliError(kUsage) when DATABASE is absent (":memory:" by default) or names an in-memory database.
void require_persistent_database(const std::string& config_path, const char* command);

}  // namespace authpolicy_cli
