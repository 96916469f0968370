// `authpolicy password hash|verify`: Django-format pbkdf2_sha256 hashes; the password comes from stdin.
#include <iostream>
#include <memory>

#include "cli_error.h"
#include "commands.h"
#include "engine_handle.h"
#include "secret_input.h"

namespace authpolicy_cli {
namespace {

constexpr unsigned kMaxIterations = 100000000;  // the library's cap

struct PasswordOptions {
    unsigned iterations = 0;  // 0: the library's default, 1,000,000 (Django 5.x)
    std::string encoded;
};

}  // namespace

void add_password_commands(CLI::App& app, int* rc) {
    CLI::App* password = app.add_subcommand("password", "Django-format password hashes (password from stdin)");
    password->require_subcommand(1);
    auto o = std::make_shared<PasswordOptions>();

    CLI::App* hash = password->add_subcommand("hash", "Print the pbkdf2_sha256 hash of the password on stdin");
    hash->add_option("--iterations", o->iterations, "PBKDF2 iterations (default 1,000,000)")
        ->check(CLI::Range(1u, kMaxIterations));
    hash->callback([o, rc] {
        std::string pw = read_secret_line("password");
        OwnedText out;
        const int r = authp_password_hash(&out.ptr, pw.data(), pw.size(), o->iterations);
        wipe(pw);
        check_rc(r, "password hash");
        std::cout << out.ptr << '\n';
        *rc = kOk;
    });

    CLI::App* verify = password->add_subcommand(
        "verify", "Exit 0 if the password on stdin matches ENCODED (a hash, not a secret), else 1");
    verify->add_option("ENCODED", o->encoded, "The encoded hash, e.g. pbkdf2_sha256$1000000$salt$hash")->required();
    verify
        ->add_option("--iterations", o->iterations,
                     "Iterations below this need a rehash (default 1,000,000, the library's current count)")
        ->check(CLI::Range(1u, kMaxIterations));
    verify->callback([o, rc] {
        std::string pw = read_secret_line("password");
        int matches = 0, needs_rehash = 0;
        const int r = authp_password_verify(&matches, &needs_rehash, pw.data(), pw.size(), o->encoded.data(),
                                            o->encoded.size(), o->iterations);
        wipe(pw);
        check_rc(r, "password verify");
        std::cout << (matches ? "match" : "no match") << '\n';
        // As Django's check_password: a rehash matters only when the password was right.
        if (matches && needs_rehash) std::cout << "needs_rehash\n";
        *rc = matches ? kOk : kDenied;
    });
}

}  // namespace authpolicy_cli
