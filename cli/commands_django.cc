// `authpolicy django install-notify|uninstall-notify`: the opt-in triggers that make a Django
// database on PostgreSQL tell every engine at once about a deleted token or session or a changed
// user (docs/django.md, "Revocations made by Django").
#include <iostream>
#include <memory>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"

namespace authpolicy_cli {

void add_django_commands(CLI::App& app, int* rc) {
    CLI::App* django = app.add_subcommand("django", "A Django project's database (DJANGO.DATABASE)");
    django->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    for (const bool install : {true, false}) {
        CLI::App* cmd = install ? django->add_subcommand("install-notify",
                                                         "Add the triggers that notify engines of Django's revocations "
                                                         "(PostgreSQL; the only write to a Django database)")
                                : django->add_subcommand("uninstall-notify", "Remove those triggers");
        cmd->add_option("--config", *path, "Configuration file")->required();
        cmd->callback([path, rc, install] {
            DirectoryHandle directory(*path);
            const char* what = install ? "django install-notify" : "django uninstall-notify";
            check_rc(authp_directory_django_notify(directory.get(), install ? 1 : 0), what);
            std::cerr << (install ? "triggers installed\n" : "triggers removed\n");
            *rc = kOk;
        });
    }
}

}  // namespace authpolicy_cli
