// Where users come from: the host's lookup callback, the built-in SQLite directory, or both.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/engine/user.h"

namespace authpolicy::store {

class UserSource {
  public:
    virtual ~UserSource() = default;
    // nullptr when there is no such user. Throws Error on store or callback failure.
    virtual UserPtr find_by_username(std::string_view username) const = 0;
    virtual UserPtr find_by_id(int64_t id) const = 0;
};

}  // namespace authpolicy::store
