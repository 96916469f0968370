// `authpolicy config check`: builds the engine exactly as `decide` would and reports.
#include <iostream>
#include <memory>

#include "cli_error.h"
#include "commands.h"
#include "config_file.h"
#include "engine_handle.h"

namespace authpolicy_cli {

void add_config_commands(CLI::App& app, int* rc) {
    CLI::App* config = app.add_subcommand("config", "Check a configuration");
    config->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    CLI::App* check = config->add_subcommand(
        "check", "Build the engine from the configuration; print ok and its views, or the error");
    check->add_option("--config", *path, "Configuration file")->required();
    check->callback([path, rc] {
        EngineHandle engine(*path);  // throws with the library's message, which names the bad key (exit 2)
        // The C API cannot list views: read their names from the file, and confirm each with the engine.
        const auto views = configured_view_names(*path);
        for (const auto& name : views) {
            if (!authp_engine_has_view(engine.get(), name.data(), name.size()))
                throw CliError(kUsage, "the engine has no view '" + name + "' although the configuration names it");
        }
        if (throttles_without_proxy_setting(*path))
            std::cerr << "authpolicy: warning: throttles are on but none of NUM_PROXIES, TRUSTED_PROXIES, "
                         "CLIENT_IDENTITY is set: clients are identified by the remote address (X-Forwarded-For "
                         "is ignored), so behind a proxy every client shares the proxy's budget\n";
        std::cout << "ok\n";
        for (const auto& name : views) std::cout << "view: " << name << '\n';
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
