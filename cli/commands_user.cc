// `authpolicy user …`: users in the built-in SQLite directory (the engine's DATABASE).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_error.h"
#include "commands.h"
#include "config_file.h"
#include "engine_handle.h"
#include "secret_input.h"
#include "table.h"

namespace authpolicy_cli {
namespace {

struct UserOptions {
    std::string config, name, format = "json";
    bool staff = false, superuser = false, inactive = false, password_stdin = false;
};

// A blank password is almost always `echo | …` by mistake; a user without one is created without --password-stdin.
std::string read_new_password() {
    std::string password = read_secret_line("password");
    if (password.empty())
        throw CliError(kUsage,
                       "the password on standard input is empty (omit --password-stdin for a user "
                       "without a usable password)");
    return password;
}

void print_users_table(const char* json_text) {
    std::vector<Row> rows;
    for (const auto& u : nlohmann::json::parse(json_text)) {
        auto yes_no = [&](const char* key) { return std::string(u.value(key, false) ? "yes" : "no"); };
        rows.push_back({std::to_string(u.value("id", 0LL)), u.value("username", ""), yes_no("is_active"),
                        yes_no("is_staff"), yes_no("is_superuser"), utc_time(u.value("date_joined", 0LL))});
    }
    print_table(std::cout, {"ID", "USERNAME", "ACTIVE", "STAFF", "SUPERUSER", "JOINED"}, rows);
}

}  // namespace

void add_user_commands(CLI::App& app, int* rc) {
    CLI::App* user = app.add_subcommand("user", "Manage users in the built-in directory");
    user->require_subcommand(1);
    auto o = std::make_shared<UserOptions>();

    CLI::App* add = user->add_subcommand("add", "Add a user (password from stdin with --password-stdin)");
    add->add_option("--config", o->config, "Configuration file")->required();
    add->add_option("NAME", o->name, "Username")->required();
    add->add_flag("--staff", o->staff, "Set is_staff");
    add->add_flag("--superuser", o->superuser, "Set is_superuser");
    add->add_flag("--inactive", o->inactive, "Create the user inactive");
    add->add_flag("--password-stdin", o->password_stdin,
                  "Read the password from stdin (one line); without it the password is unusable (token-only user)");
    add->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "user add");
        std::string password;
        if (o->password_stdin) password = read_new_password();
        const unsigned flags = (o->staff ? AUTHP_USER_STAFF : 0u) | (o->superuser ? AUTHP_USER_SUPERUSER : 0u) |
                               (o->inactive ? AUTHP_USER_INACTIVE : 0u);
        int64_t id = 0;
        const int r = authp_directory_user_add(&id, directory.get(), o->name.data(), o->name.size(),
                                               o->password_stdin ? password.data() : nullptr, password.size(), flags);
        wipe(password);
        check_rc(r, "user add");
        std::cerr << "created user '" << o->name << "' (id " << id << ")\n";
        *rc = kOk;
    });

    CLI::App* setpw = user->add_subcommand("set-password", "Set a user's password (read from stdin)");
    setpw->add_option("--config", o->config, "Configuration file")->required();
    setpw->add_option("NAME", o->name, "Username")->required();
    setpw->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin (required)")->required();
    setpw->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "user set-password");
        std::string password = read_new_password();
        const int r = authp_directory_user_set_password(directory.get(), o->name.data(), o->name.size(),
                                                        password.data(), password.size());
        wipe(password);
        check_rc(r, "user set-password");
        *rc = kOk;
    });

    for (const bool activate : {true, false}) {
        CLI::App* cmd = user->add_subcommand(activate ? "activate" : "deactivate",
                                             activate ? "Mark a user active" : "Mark a user inactive");
        cmd->add_option("--config", o->config, "Configuration file")->required();
        cmd->add_option("NAME", o->name, "Username")->required();
        cmd->callback([o, rc, activate] {
            const char* what = activate ? "user activate" : "user deactivate";
            DirectoryHandle directory(o->config);
            require_persistent_database(o->config, what);
            check_rc(authp_directory_user_set_active(directory.get(), o->name.data(), o->name.size(), activate ? 1 : 0),
                     what);
            *rc = kOk;
        });
    }

    CLI::App* list = user->add_subcommand("list", "List users (never password hashes)");
    list->add_option("--config", o->config, "Configuration file")->required();
    list->add_option("--format", o->format, "json (default) or table")->check(CLI::IsMember({"json", "table"}));
    list->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "user list");
        OwnedText text;
        check_rc(authp_directory_user_list_json(&text.ptr, directory.get()), "user list");
        if (o->format == "table") {
            print_users_table(text.ptr);
        } else {
            std::cout << text.ptr << '\n';
        }
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
