// authpolicy: decisions, users, tokens and password hashes from the command line, through the C API.
// Exit status: 0 allowed / done, 1 denied / the operation failed, 2 usage or configuration error.
#include <iostream>

#include "authpolicy.h"
#include "cli_error.h"
#include "commands.h"

int main(int argc, char** argv) {
    using namespace authpolicy_cli;
    CLI::App app{"authpolicy: authentication policy decisions with Django REST framework semantics", "authpolicy"};
    app.set_version_flag("--version", std::string(authp_version_string()), "Print the library version and exit");
    app.require_subcommand(1);
    int rc = kOk;
    add_decide_command(app, &rc);
    add_user_commands(app, &rc);
    add_token_commands(app, &rc);
    add_apikey_commands(app, &rc);
    add_oauth_commands(app, &rc);
    add_config_commands(app, &rc);
    add_password_commands(app, &rc);
    add_session_commands(app, &rc);
    add_db_commands(app, &rc);
    add_django_commands(app, &rc);
#if defined(AUTHP_CLI_SERVE)
    add_serve_command(app, &rc);
#endif
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {  // --help, --version
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "authpolicy: " << e.what() << "\nRun with --help for more information.\n";
        return kUsage;
    } catch (const CliError& e) {
        std::cerr << "authpolicy: " << e.what() << '\n';
        return e.code();
    } catch (const std::exception& e) {
        std::cerr << "authpolicy: " << e.what() << '\n';
        return kUsage;
    }
    return rc;
}
