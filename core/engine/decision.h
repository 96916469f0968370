// The outcome of one evaluation: a value, whether allowed or not.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/engine/user.h"

namespace authpolicy {

struct Decision {
    bool allowed = true;
    int status = 200;
    std::string code;    // DRF's code; empty when allowed
    std::string detail;  // DRF's detail; empty when allowed
    std::vector<std::pair<std::string, std::string>> headers;
    bool authentication_ran = false;
    UserPtr user;  // null when authentication did not run or UNAUTHENTICATED_USER is null
    AuthValue auth;
    std::string authenticator;                // empty when none succeeded
    std::shared_ptr<const std::string> body;  // JSON text when richer than {"detail": detail}; see body_json()

    // The JSON body a host sends with a denial ({"detail": …} unless richer); "" when allowed.
    std::string body_json() const;

    // {"allowed","status","code","detail","authenticator","user","auth","headers","body"} on one line.
    std::string to_json() const;
};

}  // namespace authpolicy
