#include "request_json.h"

#include <nlohmann/json.hpp>

#include "cli_error.h"

namespace authpolicy_cli {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& what) {
    throw CliError(kUsage, "request: " + what);
}

void set_text(authp_request* req, int (*setter)(authp_request*, const char*, size_t), const json& value,
              const char* key) {
    if (!value.is_string()) bad(std::string("\"") + key + "\" must be a string");
    const auto& s = value.get_ref<const std::string&>();
    if (setter(req, s.data(), s.size()) != AUTHP_OK) bad(std::string("\"") + key + "\": " + authp_error_last());
}

void add_header(authp_request* req, const json& name, const json& value, const std::string& where) {
    if (!name.is_string() || !value.is_string()) bad(where + ": header names and values must be strings");
    const auto& n = name.get_ref<const std::string&>();
    const auto& v = value.get_ref<const std::string&>();
    if (authp_request_add_header(req, n.data(), n.size(), v.data(), v.size()) != AUTHP_OK)
        bad(where + ": " + authp_error_last());
}

}  // namespace

void fill_request(authp_request* req, const std::string& json_text, const std::string& default_view) {
    json j;
    try {
        // Depth-limited: headers are one level of objects or pairs, nothing deeper.
        j = json::parse(json_text, [](int depth, json::parse_event_t, json&) {
            if (depth > 8) throw CliError(kUsage, "request: JSON nested too deeply");
            return true;
        });
    } catch (const json::parse_error& e) {
        bad("not valid JSON (near byte " + std::to_string(e.byte) + ")");  // never quote the input
    }
    if (!j.is_object()) bad("expected a JSON object");
    if (!default_view.empty()) authp_request_set_view(req, default_view.data(), default_view.size());
    for (const auto& [key, value] : j.items()) {
        if (key == "method") {
            set_text(req, authp_request_set_method, value, "method");
        } else if (key == "path") {
            set_text(req, authp_request_set_path, value, "path");
        } else if (key == "view") {
            if (!value.is_null()) set_text(req, authp_request_set_view, value, "view");
        } else if (key == "remote_addr") {
            if (!value.is_null()) set_text(req, authp_request_set_remote_addr, value, "remote_addr");
        } else if (key == "remote_user") {
            if (!value.is_null()) set_text(req, authp_request_set_remote_user, value, "remote_user");
        } else if (key == "secure") {
            if (!value.is_boolean()) bad("\"secure\" must be true or false");
            authp_request_set_secure(req, value.get<bool>() ? 1 : 0);
        } else if (key == "headers") {
            if (value.is_object()) {
                for (const auto& [name, v] : value.items()) add_header(req, json(name), v, "\"headers\"");
            } else if (value.is_array()) {
                for (size_t i = 0; i < value.size(); ++i) {
                    const json& pair = value[i];
                    const std::string where = "\"headers\"[" + std::to_string(i) + "]";
                    if (!pair.is_array() || pair.size() != 2) bad(where + ": expected a [name, value] pair");
                    add_header(req, pair[0], pair[1], where);
                }
            } else {
                bad("\"headers\" must be an object or a list of [name, value] pairs");
            }
        } else {
            bad("unknown key \"" + key.substr(0, 64) +
                "\" (expected method, path, headers, remote_addr, remote_user, secure, view)");
        }
    }
}

}  // namespace authpolicy_cli
