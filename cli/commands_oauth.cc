// `authpolicy oauth token …`: OAuth 2.0 opaque access tokens (only their SHA-256 is stored).
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

struct OAuthOptions {
    std::string config, username, scope, client, user, token, format = "json";
    long long expires_in = 0;
    bool token_stdin = false;
};

std::string trimmed(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    s.erase(0, first);
    return s;
}

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
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "oauth token list");
        OwnedText text;
        const bool one_user = !o->user.empty();
        check_rc(authp_directory_oauth_token_list_json(&text.ptr, directory.get(), one_user ? o->user.data() : nullptr,
                                                       o->user.size()),
                 "oauth token list");
        if (o->format == "table") {
            std::vector<Row> rows;
            for (const auto& t : nlohmann::json::parse(text.ptr)) {
                const auto& expires = t["expires"];
                rows.push_back({std::to_string(t.value("id", 0LL)), t.value("username", ""), t.value("client_id", ""),
                                t.value("scope", ""), utc_time(t.value("created", 0LL)),
                                expires.is_number() ? utc_time(expires.get<long long>()) : std::string("never")});
            }
            print_table(std::cout, {"ID", "USER", "CLIENT", "SCOPE", "CREATED", "EXPIRES"}, rows);
        } else {
            std::cout << text.ptr << '\n';
        }
        *rc = kOk;
    });

    CLI::App* revoke = token->add_subcommand(
        "revoke", "Revoke an access token. Prefer --token-stdin: a TOKEN argument is visible in the process list");
    revoke->add_option("--config", o->config, "Configuration file")->required();
    revoke->add_option("TOKEN", o->token, "The access token (prefer --token-stdin)");
    revoke->add_flag("--token-stdin", o->token_stdin, "Read the token from stdin (preferred)");
    revoke->callback([o, rc] {
        if (o->token_stdin == !o->token.empty())
            throw CliError(kUsage,
                           "oauth token revoke: give the token on stdin with --token-stdin (preferred), or as TOKEN");
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "oauth token revoke");
        std::string t = o->token_stdin ? trimmed(read_secret_line("access token")) : o->token;
        if (t.empty()) throw CliError(kUsage, "oauth token revoke: the token is empty");
        const int r = authp_directory_oauth_token_revoke(directory.get(), t.data(), t.size());
        wipe(t);
        check_rc(r, "oauth token revoke");
        std::cerr << "access token revoked\n";
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
