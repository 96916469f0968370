// A stored API token: only the SHA-256 digest of its key is ever kept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/engine/user.h"

namespace authpolicy::directory {

struct TokenRecord {
    int64_t id = 0;
    std::string name;
    int64_t created = 0;
    std::optional<int64_t> expires;  // Unix seconds; none = never
    UserPtr user;                    // the owner, read in the same query
};

}  // namespace authpolicy::directory
