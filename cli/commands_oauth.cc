// `authpolicy oauth token …`: OAuth 2.0 opaque access tokens (only their SHA-256 is stored).
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

void print_oauth_tokens_table(const char* json_text) {
    std::vector<Row> rows;
    for (const auto& t : nlohmann::json::parse(json_text)) {
        const auto& expires = t["expires"];
        rows.push_back({std::to_string(t.value("id", 0LL)), t.value("username", ""), t.value("client_id", ""),
                        t.value("scope", ""), utc_time(t.value("created", 0LL)),
                        expires.is_number() ? utc_time(expires.get<long long>()) : std::string("never")});
    }
    print_table(std::cout, {"ID", "USER", "CLIENT", "SCOPE", "CREATED", "EXPIRES"}, rows);
}

struct OAuthOptions {
    std::string config, username, scope, client, user, token, format = "json";
    long long expires_in = 0;
    bool token_stdin = false;
};

}  // namespace

void add_oauth_commands(CLI::App& app, int* rc) {
    CLI::App* oauth = app.add_subcommand("oauth", "OAuth 2.0 access tokens for OAuth2Authentication");
    oauth->require_subcommand(1);
    CLI::App* token = oauth->add_subcommand("token", "Manage opaque access tokens (stored as SHA-256 digests)");
    token->require_subcommand(1);
    auto o = std::make_shared<OAuthOptions>();

    CLI::App* create = token->add_subcommand("create", "Create an access token for user NAME; prints it once");
    create->add_option("--config", o->config, "Configuration file")->required();
    create->add_option("NAME", o->username, "Username")->required();
    create->add_option("--scope", o->scope, "Space-delimited scopes, e.g. \"read write\"");
    create->add_option("--client", o->client, "The OAuth client id");
    create->add_option("--expires-in", o->expires_in, "Lifetime in seconds (default 0: never expires)")
        ->check(CLI::NonNegativeNumber);
    create->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "oauth token create");
        OwnedText text;
        check_rc(authp_directory_oauth_token_create(&text.ptr, directory.get(), o->username.data(), o->username.size(),
                                                    o->client.data(), o->client.size(), o->scope.data(),
                                                    o->scope.size(), o->expires_in),
                 "oauth token create");
        std::cout << text.ptr << '\n';  // the only time the token is ever shown
        *rc = kOk;
    });

    CLI::App* list = token->add_subcommand("list", "List access tokens (never the tokens themselves)");
    list->add_option("--config", o->config, "Configuration file")->required();
    list->add_option("--user", o->user, "Only this user's tokens");
    list->add_option("--format", o->format, "json (default) or table")->check(CLI::IsMember({"json", "table"}));
    list->callback([o, rc] {
        run_list(o->config, o->user, o->format, "oauth token list", authp_directory_oauth_token_list_json,
                 print_oauth_tokens_table);
        *rc = kOk;
    });

    CLI::App* revoke = token->add_subcommand(
        "revoke", "Revoke an access token. Prefer --token-stdin: a TOKEN argument is visible in the process list");
    revoke->add_option("--config", o->config, "Configuration file")->required();
    revoke->add_option("TOKEN", o->token, "The access token (prefer --token-stdin)");
    revoke->add_flag("--token-stdin", o->token_stdin, "Read the token from stdin (preferred)");
    revoke->callback([o, rc] {
        run_revoke(o->config, o->token, o->token_stdin, "oauth token revoke", "access token", "token",
                   "give the token on stdin with --token-stdin (preferred), or as TOKEN",
                   authp_directory_oauth_token_revoke, "access token revoked");
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
