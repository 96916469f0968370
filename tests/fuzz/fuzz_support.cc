#include "fuzz_support.h"

#include <nlohmann/json.hpp>

#include "core/http/text_encoding.h"

namespace authp_fuzz {

void require_utf8_error(const char* what) {
    const char* m = authp_error_last();
    require(m != nullptr && authpolicy::http::is_valid_utf8(m), what, m ? m : "(null)");
}

int check_decision(const authp_decision* d) {
    require(d != nullptr, "a decision");
    const int status = authp_decision_status(d);
    require(valid_status(status), "status is one of 200/400/401/403/429/503", std::to_string(status));
    const bool allowed = authp_decision_allowed(d) != 0;
    require(allowed == (status == 200), "allowed exactly when the status is 200");
    const char* code = authp_decision_code(d);
    const char* detail = authp_decision_detail(d);
    require(allowed ? (code == nullptr && detail == nullptr) : (code != nullptr && detail != nullptr),
            "a denial has a code and a detail; an allow has neither");
    const size_t n = authp_decision_header_count(d);
    for (size_t i = 0; i < n; ++i) {
        const char* name = nullptr;
        const char* value = nullptr;
        require(authp_decision_header(d, i, &name, &value) == AUTHP_OK && name != nullptr && value != nullptr,
                "every response header is readable");
        // A response header must never let request bytes split the response.
        require(std::strpbrk(value, "\r\n") == nullptr && std::strpbrk(name, "\r\n: ") == nullptr,
                "response headers carry no CR, LF (or ':' in names)");
    }
    const char* e = nullptr;
    require(authp_decision_header(d, n, &e, &e) != AUTHP_OK, "a header index past the end is refused");
    size_t len = 0;
    const char* text = authp_decision_to_json(d, &len);
    require(text != nullptr && std::strlen(text) == len, "to_json gives a NUL-free text of the stated length");
    const auto j = nlohmann::json::parse(std::string_view(text, len), nullptr, /*allow_exceptions=*/false);
    require(!j.is_discarded() && j.is_object(), "to_json is a JSON object", std::string(text, len));
    if (const authp_user* u = authp_decision_user(d)) {
        size_t ulen = 0;
        const char* uname = authp_user_username(u, &ulen);
        require(uname != nullptr, "a user has a username");
        const auto uj = nlohmann::json::parse(authp_user_to_json(u), nullptr, false);
        require(!uj.is_discarded(), "the user JSON is valid");
        const auto aj = nlohmann::json::parse(authp_user_attributes_json(u), nullptr, false);
        require(!aj.is_discarded() && aj.is_object(), "the user's attributes are a JSON object");
    }
    if (const char* auth = authp_decision_auth_json(d)) {
        require(!nlohmann::json::parse(auth, nullptr, false).is_discarded(), "the auth value is valid JSON");
    }
    return status;
}

}  // namespace authp_fuzz
