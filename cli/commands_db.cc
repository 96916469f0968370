// `authpolicy db migrate|status`: the directory's schema version (docs/directory.md).
#include <iostream>
#include <memory>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"

namespace authpolicy_cli {

void add_db_commands(CLI::App& app, int* rc) {
    CLI::App* db = app.add_subcommand("db", "The directory's database schema");
    db->require_subcommand(1);
    auto path = std::make_shared<std::string>();

    CLI::App* status = db->add_subcommand(
        "status", "Print the schema version of DATABASE and the newest this build knows; exit 1 if they differ");
    status->add_option("--config", *path, "Configuration file")->required();
    status->callback([path, rc] {
        DirectoryHandle directory(*path);
        int current = 0;
        int latest = 0;
        check_rc(authp_directory_schema(&current, &latest, directory.get()), "db status");
        std::cout << "schema version " << current << " (this build: " << latest << ")\n";
        if (current > latest) throw CliError(kFailed, "db status: the database is newer than this build; upgrade");
        if (current < latest) throw CliError(kFailed, "db status: migrations pending; run `authpolicy db migrate`");
        *rc = kOk;
    });

    CLI::App* migrate = db->add_subcommand("migrate", "Bring DATABASE's schema to the newest version");
    migrate->add_option("--config", *path, "Configuration file")->required();
    migrate->callback([path, rc] {
        DirectoryHandle directory(*path);
        check_rc(authp_directory_migrate(directory.get()), "db migrate");
        int current = 0;
        int latest = 0;
        check_rc(authp_directory_schema(&current, &latest, directory.get()), "db migrate");
        std::cout << "schema version " << current << '\n';
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
