// The CLI's subcommands; each registers itself on the app and stores its exit status in `*rc`.
#pragma once

#include <CLI/CLI.hpp>

namespace authpolicy_cli {

void add_decide_command(CLI::App& app, int* rc);
void add_user_commands(CLI::App& app, int* rc);
void add_token_commands(CLI::App& app, int* rc);
void add_apikey_commands(CLI::App& app, int* rc);
void add_oauth_commands(CLI::App& app, int* rc);
void add_config_commands(CLI::App& app, int* rc);
void add_password_commands(CLI::App& app, int* rc);
void add_session_commands(CLI::App& app, int* rc);
void add_db_commands(CLI::App& app, int* rc);
void add_django_commands(CLI::App& app, int* rc);
void add_serve_command(CLI::App& app, int* rc);  // with AUTHP_CLI_SERVE (the server is built)

}  // namespace authpolicy_cli
