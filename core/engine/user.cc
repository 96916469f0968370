#include "core/engine/user.h"

#include <nlohmann/json.hpp>

namespace authpolicy {

std::shared_ptr<const User> User::anonymous() {
    static const std::shared_ptr<const User> anon = [] {
        auto u = std::make_shared<User>();
        u->is_active = false;
        u->is_authenticated = false;
        return u;
    }();
    return anon;
}

std::string User::to_json() const {
    nlohmann::ordered_json j;
    j["id"] = id ? nlohmann::ordered_json(*id) : nlohmann::ordered_json(nullptr);
    j["username"] = username;
    j["is_authenticated"] = is_authenticated;
    j["is_active"] = is_active;
    j["is_staff"] = is_staff;
    j["is_superuser"] = is_superuser;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace authpolicy
