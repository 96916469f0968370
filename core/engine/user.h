// A user as the engine sees it: Django's auth_user fields plus free-form attributes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace authpolicy {

struct User {
    std::optional<int64_t> id;
    std::string username;
    bool is_active = true;
    bool is_staff = false;
    bool is_superuser = false;
    bool is_authenticated = true;
    std::string password;                // Django-format hash; never serialised or logged
    std::string attributes_json = "{}";  // a JSON object, validated on entry

    // Django's AnonymousUser: no id, empty username, not active, not authenticated.
    static std::shared_ptr<const User> anonymous();
    // {"id": …, "username": …, "is_authenticated": …, "is_staff": …, "is_superuser": …}
    std::string to_json() const;
};

using UserPtr = std::shared_ptr<const User>;

// The `auth` value of a request as JSON text; nullptr stands for JSON null.
using AuthValue = std::shared_ptr<const std::string>;

}  // namespace authpolicy
