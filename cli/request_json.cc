#include "request_json.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cli_error.h"

namespace authpolicy_cli {
namespace {

using json = nlohmann::json;

constexpr int kMaxDepth = 8;  // headers are one level of objects or pairs; nothing is deeper

[[noreturn]] void bad(const std::string& what) {
    throw CliError(kUsage, "request: " + what);
}

// A key or header name for a message: quoted, at most 64 bytes, never cut inside a UTF-8 sequence.
std::string shown(const std::string& name) {
    size_t n = std::min<size_t>(name.size(), 64);
    while (n < name.size() && n > 0 && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80) --n;
    std::string out = "\"";
    for (size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
    }
    return out + (n < name.size() ? "…\"" : "\"");
}

void set_text(authp_request* req, int (*setter)(authp_request*, const char*, size_t), const json& value,
              const char* key) {
    if (value.is_null()) return;
    if (!value.is_string()) bad(std::string("\"") + key + "\" must be a string, not " + value.type_name());
    const auto& s = value.get_ref<const std::string&>();
    if (setter(req, s.data(), s.size()) != AUTHP_OK) bad(std::string("\"") + key + "\": " + authp_error_last());
}

// `where` names the header for messages; the value is never shown.
void add_header(authp_request* req, const json& name, const json& value, const std::string& where) {
    if (!name.is_string()) bad(where + ": the header name must be a string, not " + name.type_name());
    if (!value.is_string()) bad(where + ": the header value must be a string, not " + value.type_name());
    const auto& n = name.get_ref<const std::string&>();
    const auto& v = value.get_ref<const std::string&>();
    if (authp_request_add_header(req, n.data(), n.size(), v.data(), v.size()) != AUTHP_OK)
        bad(where + ": " + authp_error_last());
}

void add_headers(authp_request* req, const json& headers) {
    if (headers.is_null()) return;
    if (headers.is_object()) {
        for (const auto& [name, value] : headers.items())
            add_header(req, json(name), value, "\"headers\"." + shown(name));
    } else if (headers.is_array()) {
        for (size_t i = 0; i < headers.size(); ++i) {
            const json& pair = headers[i];
            const std::string where = "\"headers\"[" + std::to_string(i) + "]";
            if (!pair.is_array() || pair.size() != 2) bad(where + ": expected a [name, value] pair");
            add_header(req, pair[0], pair[1], where);
        }
    } else {
        bad(std::string("\"headers\" must be an object or a list of [name, value] pairs, not ") + headers.type_name());
    }
}

}  // namespace

void fill_request(authp_request* req, const std::string& json_text, const std::string& default_view) {
    if (json_text.find_first_not_of(" \t\r\n") == std::string::npos) bad("empty input (expected a JSON object)");
    json j;
    try {
        // Duplicate keys are refused, not last-wins ({"view":"public","view":"admin"} is ambiguous).
        std::vector<std::vector<std::string>> keys;  // the keys seen, per open object
        j = json::parse(json_text, [&keys](int depth, json::parse_event_t event, json& parsed) {
            if (depth > kMaxDepth) bad("JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
            if (event == json::parse_event_t::object_start) keys.emplace_back();
            if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
            if (event == json::parse_event_t::key && !keys.empty()) {
                auto& seen = keys.back();
                const std::string& k = parsed.get_ref<const std::string&>();
                if (std::find(seen.begin(), seen.end(), k) != seen.end()) bad("a key appears twice in one object");
                seen.push_back(k);
            }
            return true;
        });
    } catch (const json::parse_error& e) {
        // nlohmann's own message quotes the input, which may hold a credential: give the position only.
        bad("not valid JSON (near byte " + std::to_string(e.byte) + ")");
    } catch (const json::exception&) {
        // out_of_range: a number beyond a double ("2e988"); found by fuzz_cli_request_json.
        bad("not valid JSON (a number is out of range)");
    }
    if (!j.is_object()) bad(std::string("expected a JSON object, not ") + j.type_name());
    if (!default_view.empty() && authp_request_set_view(req, default_view.data(), default_view.size()) != AUTHP_OK)
        bad(std::string("--view: ") + authp_error_last());
    for (const auto& [key, value] : j.items()) {
        if (key == "method") {
            set_text(req, authp_request_set_method, value, "method");
        } else if (key == "path") {
            set_text(req, authp_request_set_path, value, "path");
        } else if (key == "view") {
            set_text(req, authp_request_set_view, value, "view");  // overrides --view
        } else if (key == "remote_addr") {
            set_text(req, authp_request_set_remote_addr, value, "remote_addr");
        } else if (key == "remote_user") {
            set_text(req, authp_request_set_remote_user, value, "remote_user");
        } else if (key == "secure") {
            if (value.is_null()) continue;
            if (!value.is_boolean()) bad(std::string("\"secure\" must be true or false, not ") + value.type_name());
            authp_request_set_secure(req, value.get<bool>() ? 1 : 0);
        } else if (key == "headers") {
            add_headers(req, value);
        } else {
            bad("unknown key " + shown(key) +
                " (expected method, path, headers, remote_addr, remote_user, secure, view)");
        }
    }
}

}  // namespace authpolicy_cli
