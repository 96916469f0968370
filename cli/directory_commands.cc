#include "directory_commands.h"

#include <iostream>

#include "cli_error.h"
#include "config_file.h"
#include "engine_handle.h"
#include "secret_input.h"

namespace authpolicy_cli {

void run_list(const std::string& config, const std::string& user, const std::string& format, const char* command,
              ListJson list, const std::function<void(const char* json)>& print_table) {
    DirectoryHandle directory(config);
    require_persistent_database(config, command);
    OwnedText text;
    check_rc(list(&text.ptr, directory.get(), user.empty() ? nullptr : user.data(), user.size()), command);
    if (format == "table") {
        print_table(text.ptr);
    } else {
        std::cout << text.ptr << '\n';
    }
}

void run_revoke(const std::string& config, const std::string& argument, bool from_stdin, const char* command,
                const char* prompt, const char* noun, const char* usage, RevokeSecret revoke, const char* done) {
    if (from_stdin == !argument.empty()) throw CliError(kUsage, std::string(command) + ": " + usage);
    DirectoryHandle directory(config);
    require_persistent_database(config, command);
    std::string secret = from_stdin ? trimmed(read_secret_line(prompt)) : argument;
    if (secret.empty()) throw CliError(kUsage, std::string(command) + ": the " + noun + " is empty");
    const int r = revoke(directory.get(), secret.data(), secret.size());
    wipe(secret);
    check_rc(r, command);  // never shows the secret
    std::cerr << done << '\n';
}

}  // namespace authpolicy_cli
