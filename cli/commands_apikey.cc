// `authpolicy apikey …`: the engine's own API keys (docs/api-keys.md). Only a selector and an
// HMAC verifier under API_KEYS' pepper are stored; the key is printed once, at creation.
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

struct ApiKeyOptions {
    std::string config, username, label, scopes, user, target, format = "json";
    long long expires_in = 0;
    bool test = false;
    bool key_stdin = false;
};

std::string time_or(const nlohmann::json& v, const char* none) {
    return v.is_number() ? utc_time(v.get<long long>()) : std::string(none);
}

void print_api_keys_table(const char* json_text) {
    std::vector<Row> rows;
    for (const auto& k : nlohmann::json::parse(json_text)) {
        rows.push_back({k.value("prefix", "") + k.value("selector", ""), k.value("username", ""), k.value("name", ""),
                        k.value("scopes", ""), utc_time(k.value("created", 0LL)), time_or(k["expires"], "never"),
                        time_or(k["last_used"], "-"), time_or(k["revoked"], "-")});
    }
    print_table(std::cout, {"SELECTOR", "USER", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "REVOKED"}, rows);
}

}  // namespace

void add_apikey_commands(CLI::App& app, int* rc) {
    CLI::App* apikey = app.add_subcommand("apikey", "Manage API keys (ap_live_…; stored as selector + HMAC verifier)");
    apikey->require_subcommand(1);
    auto o = std::make_shared<ApiKeyOptions>();

    CLI::App* create = apikey->add_subcommand("create", "Create an API key for user USERNAME; prints the key once");
    create->add_option("--config", o->config, "Configuration file (with API_KEYS: the pepper)")->required();
    create->add_option("USERNAME", o->username, "Username")->required();
    create->add_option("--name", o->label, "A label for the key (e.g. ci)");
    create->add_option("--scopes", o->scopes, "Space-separated scopes, as OAuth's (e.g. \"read deploy\")");
    create->add_option("--expires-in", o->expires_in, "Lifetime in seconds (default 0: never expires)")
        ->check(CLI::NonNegativeNumber);
    create->add_flag("--test", o->test, "An ap_test_ key rather than ap_live_");
    create->callback([o, rc] {
        DirectoryHandle directory(o->config);
        require_persistent_database(o->config, "apikey create");
        OwnedText key;
        check_rc(authp_directory_apikey_create(&key.ptr, directory.get(), o->username.data(), o->username.size(),
                                               o->label.data(), o->label.size(), o->scopes.data(), o->scopes.size(),
                                               o->expires_in, o->test ? AUTHP_APIKEY_TEST : 0u),
                 "apikey create");
        std::cout << key.ptr << '\n';  // the only time the key is ever shown
        *rc = kOk;
    });

    CLI::App* list = apikey->add_subcommand("list", "List API keys (selectors, never keys)");
    list->add_option("--config", o->config, "Configuration file")->required();
    list->add_option("USERNAME", o->user, "Only this user's keys");
    list->add_option("--format", o->format, "json (default) or table")->check(CLI::IsMember({"json", "table"}));
    list->callback([o, rc] {
        run_list(o->config, o->user, o->format, "apikey list", authp_directory_apikey_list_json, print_api_keys_table);
        *rc = kOk;
    });

    CLI::App* revoke = apikey->add_subcommand(
        "revoke", "Revoke an API key by its selector (public) or the whole key (prefer --key-stdin for a key)");
    revoke->add_option("--config", o->config, "Configuration file")->required();
    revoke->add_option("SELECTOR_OR_KEY", o->target, "The key's 12-character selector, or the key itself");
    revoke->add_flag("--key-stdin", o->key_stdin, "Read the selector or key from stdin");
    revoke->callback([o, rc] {
        run_revoke(o->config, o->target, o->key_stdin, "apikey revoke", "API key or selector", "selector or key",
                   "give a selector or key as SELECTOR_OR_KEY, or on stdin with --key-stdin",
                   authp_directory_apikey_revoke, "API key revoked");
        *rc = kOk;
    });
}

}  // namespace authpolicy_cli
