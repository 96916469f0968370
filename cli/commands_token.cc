// `authpolicy token …`: API tokens in the built-in SQLite directory (only their SHA-256 is stored).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_error.h"
#include "commands.h"
#include "config_file.h"
#include "directory_commands.h"
#include "engine_handle.h"
#include "secret_input.h"
#include "table.h"

namespace authpolicy_cli {
namespace {

struct TokenOptions {
    std::string config, username, label, user, key, format = "json";
    long long expires_in = 0;
    bool key_stdin = false;
};

void print_tokens_table(const char* json_text) {
    std::vector<Row> rows;
    for (const auto& t : nlohmann::json::parse(json_text)) {
        const auto& expires = t["expires"];
        rows.push_back({std::to_string(t.value("id", 0LL)), t.value("username", ""), t.value("name", ""),
                        utc_time(t.value("created", 0LL)),
                        expires.is_number() ? utc_time(expires.get<long long>()) : std::string("never")});
    }
    print_table(std::cout, {"ID", "USER", "NAME", "CREATED", "EXPIRES"}, rows);
}

// Token keys are 40 hex characters: whitespace around one pasted into stdin is never part of it.
}  // namespace

void add_token_commands(CLI::App& app, int* rc) {
    CLI::App* token = app.add_subcommand("token", "Manage API tokens (stored as SHA-256 digests)");
    token->require_subcommand(1);
    auto o = std::make_shared<TokenOptions>();

    CLI::App* create = token->add_subcommand("create", "Create a token for user NAME; prints the key once");
    create->add_option("--config", o->config, "Configuration file")->required();
    create->add_option("NAME", o->username, "Username")->required();
    create->add_option("--name", o->label, "A label for the token (e.g. laptop)");
    create->add_option("--expires-in", o->expires_in, "Lifetime in seconds (default 0: never expires)")
        ->check(CLI::NonNegativeNumber);
    create->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "token create");
        OwnedText key;
        check_rc(authp_directory_token_create(&key.ptr, directory.get(), o->username.data(), o->username.size(),
                                              o->label.data(), o->label.size(), o->expires_in),
                 "token create");
        std::cout << key.ptr << '\n';  // the only time the key is ever shown
        *rc = kOk;
    });

    CLI::App* list = token->add_subcommand("list", "List tokens (never keys)");
    list->add_option("--config", o->config, "Configuration file")->required();
    list->add_option("--user", o->user, "Only this user's tokens");
    list->add_option("--format", o->format, "json (default) or table")->check(CLI::IsMember({"json", "table"}));
    list->callback([o, rc] {
        run_list(o->config, o->user, o->format, "token list", authp_directory_token_list_json, print_tokens_table);
        *rc = kOk;
    });

    CLI::App* revoke = token->add_subcommand(
        "revoke", "Revoke a token. Prefer --key-stdin: a KEY argument is visible to other users in the process list");
    revoke->add_option("--config", o->config, "Configuration file")->required();
    revoke->add_option("KEY", o->key, "The token's key (prefer --key-stdin)");
    revoke->add_flag("--key-stdin", o->key_stdin, "Read the key from stdin (preferred)");
    revoke->callback([o, rc] {
        // AUTHP_ENOTFOUND: "no such token" (the key is never shown)
        run_revoke(o->config, o->key, o->key_stdin, "token revoke", "token key", "key",
                   "give the key on stdin with --key-stdin (preferred), or as KEY", authp_directory_token_revoke,
                   "token revoked");
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
