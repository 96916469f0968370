// `authpolicy user …` and `authpolicy token …`: the built-in SQLite directory.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"

namespace authpolicy_cli {
namespace {

struct UserOptions {
    std::string config, name, format = "json";
    bool staff = false, superuser = false, inactive = false, password_stdin = false;
};

void print_table(const std::string& json_text) {
    const auto rows = nlohmann::json::parse(json_text);
    std::cout << "id\tusername\tactive\tstaff\tsuperuser\n";
    for (const auto& r : rows) {
        std::cout << r["id"].get<long long>() << '\t' << r["username"].get<std::string>() << '\t'
                  << (r["is_active"].get<bool>() ? "yes" : "no") << '\t' << (r["is_staff"].get<bool>() ? "yes" : "no")
                  << '\t' << (r["is_superuser"].get<bool>() ? "yes" : "no") << '\n';
    }
}

}  // namespace

void add_user_commands(CLI::App& app, int* rc) {
    CLI::App* user = app.add_subcommand("user", "Manage users in the built-in directory");
    user->require_subcommand(1);
    auto o = std::make_shared<UserOptions>();

    CLI::App* add = user->add_subcommand("add", "Add a user (password from stdin with --password-stdin)");
    add->add_option("--config", o->config, "Configuration file")->required();
    add->add_option("NAME", o->name, "Username")->required();
    add->add_flag("--staff", o->staff, "is_staff");
    add->add_flag("--superuser", o->superuser, "is_superuser");
    add->add_flag("--inactive", o->inactive, "Create the user inactive");
    add->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin (else: unusable password)");
    add->callback([o, rc] {
        EngineHandle engine(o->config);
        std::string password;
        if (o->password_stdin) password = read_secret_line("password");
        unsigned flags = (o->staff ? AUTHP_USER_STAFF : 0u) | (o->superuser ? AUTHP_USER_SUPERUSER : 0u) |
                         (o->inactive ? AUTHP_USER_INACTIVE : 0u);
        int64_t id = 0;
        check_rc(authp_user_add(&id, engine.get(), o->name.data(), o->name.size(),
                                o->password_stdin ? password.data() : nullptr, password.size(), flags),
                 "user add");
        std::cerr << "created user '" << o->name << "' (id " << id << ")\n";
        *rc = kAllowed;
    });

    CLI::App* setpw = user->add_subcommand("set-password", "Set a user's password (from stdin)");
    setpw->add_option("--config", o->config, "Configuration file")->required();
    setpw->add_option("NAME", o->name, "Username")->required();
    setpw->add_flag("--password-stdin", o->password_stdin, "Read the password from stdin")->required();
    setpw->callback([o, rc] {
        EngineHandle engine(o->config);
        const std::string password = read_secret_line("password");
        check_rc(
            authp_user_set_password(engine.get(), o->name.data(), o->name.size(), password.data(), password.size()),
            "user set-password");
        *rc = kAllowed;
    });

    for (const bool activate : {true, false}) {
        CLI::App* cmd = user->add_subcommand(activate ? "activate" : "deactivate",
                                             activate ? "Mark a user active" : "Mark a user inactive");
        cmd->add_option("--config", o->config, "Configuration file")->required();
        cmd->add_option("NAME", o->name, "Username")->required();
        cmd->callback([o, rc, activate] {
            EngineHandle engine(o->config);
            check_rc(authp_user_set_active(engine.get(), o->name.data(), o->name.size(), activate ? 1 : 0),
                     activate ? "user activate" : "user deactivate");
            *rc = kAllowed;
        });
    }

    CLI::App* list = user->add_subcommand("list", "List users (never password hashes)");
    list->add_option("--config", o->config, "Configuration file")->required();
    list->add_option("--format", o->format, "json or table")->check(CLI::IsMember({"json", "table"}));
    list->callback([o, rc] {
        EngineHandle engine(o->config);
        OwnedText text;
        check_rc(authp_user_list_json(&text.ptr, engine.get()), "user list");
        if (o->format == "table") {
            print_table(text.ptr);
        } else {
            std::cout << text.ptr << '\n';
        }
        *rc = kAllowed;
    });
}

namespace {
struct TokenOptions {
    std::string config, name, label, user, key;
    long long expires_in = 0;
    bool key_stdin = false;
};
}  // namespace

void add_token_commands(CLI::App& app, int* rc) {
    CLI::App* token = app.add_subcommand("token", "Manage API tokens (stored as SHA-256 digests)");
    token->require_subcommand(1);
    auto o = std::make_shared<TokenOptions>();

    CLI::App* create = token->add_subcommand("create", "Create a token; prints the key once");
    create->add_option("--config", o->config, "Configuration file")->required();
    create->add_option("NAME", o->name, "Username")->required();
    create->add_option("--name", o->label, "A label for the token (e.g. laptop)");
    create->add_option("--expires-in", o->expires_in, "Lifetime in seconds (default: never)")
        ->check(CLI::NonNegativeNumber);
    create->callback([o, rc] {
        EngineHandle engine(o->config);
        OwnedText key;
        check_rc(authp_token_create(&key.ptr, engine.get(), o->name.data(), o->name.size(), o->label.data(),
                                    o->label.size(), o->expires_in),
                 "token create");
        std::cout << key.ptr << '\n';
        *rc = kAllowed;
    });

    CLI::App* list = token->add_subcommand("list", "List tokens (never keys)");
    list->add_option("--config", o->config, "Configuration file")->required();
    list->add_option("--user", o->user, "Only this user's tokens");
    list->callback([o, rc] {
        EngineHandle engine(o->config);
        OwnedText text;
        check_rc(
            authp_token_list_json(&text.ptr, engine.get(), o->user.empty() ? nullptr : o->user.data(), o->user.size()),
            "token list");
        std::cout << text.ptr << '\n';
        *rc = kAllowed;
    });

    CLI::App* revoke =
        token->add_subcommand("revoke", "Revoke a token (prefer --key-stdin: argv is visible to others)");
    revoke->add_option("--config", o->config, "Configuration file")->required();
    revoke->add_option("KEY", o->key, "The token's key");
    revoke->add_flag("--key-stdin", o->key_stdin, "Read the key from stdin");
    revoke->callback([o, rc] {
        if (o->key_stdin == !o->key.empty())
            throw CliError(kUsage, "token revoke: give KEY or --key-stdin (one of them)");
        EngineHandle engine(o->config);
        const std::string key = o->key_stdin ? read_secret_line("token key") : o->key;
        const int r = authp_token_revoke(engine.get(), key.data(), key.size());
        if (r == AUTHP_ENOTFOUND) throw CliError(kFailed, "token revoke: no such token");
        check_rc(r, "token revoke");
        std::cerr << "token revoked\n";
        *rc = kAllowed;
    });
}

}  // namespace authpolicy_cli
