#include "core/engine/decision.h"

#include <nlohmann/json.hpp>

namespace authpolicy {

std::string Decision::body_json() const {
    if (body) return *body;
    if (allowed) return "";
    return nlohmann::json{{"detail", detail}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Decision::to_json() const {
    using ojson = nlohmann::ordered_json;
    ojson j;
    j["allowed"] = allowed;
    j["status"] = status;
    j["code"] = code.empty() ? ojson(nullptr) : ojson(code);
    j["detail"] = detail.empty() ? ojson(nullptr) : ojson(detail);
    j["authenticator"] = authenticator.empty() ? ojson(nullptr) : ojson(authenticator);
    j["user"] = user ? ojson::parse(user->to_json()) : ojson(nullptr);
    j["auth"] = auth ? ojson::parse(*auth) : ojson(nullptr);
    ojson h = ojson::object();
    for (const auto& [name, value] : headers) h[name] = value;
    j["headers"] = std::move(h);
    const std::string b = body_json();
    j["body"] = b.empty() ? ojson(nullptr) : ojson::parse(b);
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace authpolicy
