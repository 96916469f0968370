// `authpolicy config check` and `authpolicy password hash|verify`.
#include <iostream>
#include <memory>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"

namespace authpolicy_cli {

void add_config_commands(CLI::App& app, int* rc) {
    CLI::App* config = app.add_subcommand("config", "Check a configuration");
    config->require_subcommand(1);
    auto path = std::make_shared<std::string>();
    CLI::App* check = config->add_subcommand("check", "Build the engine from the configuration and report");
    check->add_option("--config", *path, "Configuration file")->required();
    check->callback([path, rc] {
        EngineHandle engine(*path);  // throws with the library's message (exit 2)
        std::cout << "ok\n";
        *rc = kAllowed;
    });
}

void add_password_commands(CLI::App& app, int* rc) {
    CLI::App* password = app.add_subcommand("password", "Django-format password hashes (password from stdin)");
    password->require_subcommand(1);
    auto iterations = std::make_shared<unsigned>(0);
    auto encoded = std::make_shared<std::string>();

    CLI::App* hash = password->add_subcommand("hash", "Print a pbkdf2_sha256 hash of the password on stdin");
    hash->add_option("--iterations", *iterations, "PBKDF2 iterations (default 1,000,000)");
    hash->callback([iterations, rc] {
        const std::string pw = read_secret_line("password");
        OwnedText out;
        check_rc(authp_password_hash(&out.ptr, pw.data(), pw.size(), *iterations), "password hash");
        std::cout << out.ptr << '\n';
        *rc = kAllowed;
    });

    CLI::App* verify = password->add_subcommand("verify", "Exit 0 if the password on stdin matches ENCODED, else 1");
    verify->add_option("ENCODED", *encoded, "The encoded hash")->required();
    verify->add_option("--iterations", *iterations, "Current iteration count for needs_rehash (default 1,000,000)");
    verify->callback([encoded, iterations, rc] {
        const std::string pw = read_secret_line("password");
        int matches = 0, needs_rehash = 0;
        check_rc(authp_password_verify(&matches, &needs_rehash, pw.data(), pw.size(), encoded->data(), encoded->size(),
                                       *iterations),
                 "password verify");
        std::cout << (matches ? "match" : "no match") << (matches && needs_rehash ? " needs_rehash" : "") << '\n';
        *rc = matches ? kAllowed : kDenied;
    });
}

}  // namespace authpolicy_cli
