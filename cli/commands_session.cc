// `authpolicy session create|revoke|revoke-user`: embedded sessions (SessionAuthentication).
#include <iostream>
#include <memory>

#include "cli_error.h"
#include "commands.h"
#include "config_file.h"
#include "engine_handle.h"
#include "secret_input.h"

namespace authpolicy_cli {
namespace {

struct SessionOptions {
    std::string config, username, key, previous;
    bool key_stdin = false;
};

}  // namespace

void add_session_commands(CLI::App& app, int* rc) {
    CLI::App* session = app.add_subcommand("session", "Embedded sessions (keys stored as SHA-256 digests)");
    session->require_subcommand(1);
    auto o = std::make_shared<SessionOptions>();

    CLI::App* create = session->add_subcommand(
        "create", "Log user NAME in; prints the two Set-Cookie values (sessionid, then csrftoken), once");
    create->add_option("--config", o->config, "Configuration file")->required();
    create->add_option("NAME", o->username, "Username")->required();
    create->callback([o, rc] {
        EngineHandle engine(o->config);
        require_persistent_database(o->config, "session create");
        OwnedText session_cookie, csrf_cookie;
        check_rc(authp_session_login(&session_cookie.ptr, &csrf_cookie.ptr, nullptr, engine.get(), o->username.data(),
                                     o->username.size(), nullptr, 0),
                 "session create");
        std::cout << "Set-Cookie: " << session_cookie.ptr << "\nSet-Cookie: " << csrf_cookie.ptr << '\n';
        *rc = kOk;
    });

    CLI::App* revoke = session->add_subcommand(
        "revoke", "Log a session out. Prefer --key-stdin: a KEY argument is visible in the process list");
    revoke->add_option("--config", o->config, "Configuration file")->required();
    revoke->add_option("KEY", o->key, "The session key (prefer --key-stdin)");
    revoke->add_flag("--key-stdin", o->key_stdin, "Read the key from stdin (preferred)");
    revoke->callback([o, rc] {
        if (o->key_stdin == !o->key.empty())
            throw CliError(kUsage, "session revoke: give the key on stdin with --key-stdin (preferred), or as KEY");
        EngineHandle engine(o->config);
        require_persistent_database(o->config, "session revoke");
        std::string key = o->key_stdin ? trimmed(read_secret_line("session key")) : o->key;
        if (key.empty()) throw CliError(kUsage, "session revoke: the key is empty");
        const int r = authp_session_logout(engine.get(), key.data(), key.size());
        wipe(key);
        check_rc(r, "session revoke");
        std::cerr << "session revoked\n";
        *rc = kOk;
    });

    CLI::App* revoke_user = session->add_subcommand("revoke-user", "Log every session of user NAME out");
    revoke_user->add_option("--config", o->config, "Configuration file")->required();
    revoke_user->add_option("NAME", o->username, "Username")->required();
    revoke_user->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "session revoke-user");
        int64_t count = 0;
        check_rc(authp_directory_session_logout_user(&count, directory.get(), o->username.data(), o->username.size()),
                 "session revoke-user");
        std::cerr << count << " session(s) revoked\n";
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
