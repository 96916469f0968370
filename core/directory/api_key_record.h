// A stored API key (docs/api-keys.md): its public selector and the HMAC of its secret under the
// server's pepper (the verifier). Neither the key nor its secret is ever stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto/digest.h"
#include "core/engine/user.h"

namespace authpolicy::directory {

struct ApiKeyRecord {
    int64_t id = 0;
    std::string selector;
    std::string prefix;  // "ap_live_" / "ap_test_"
    crypto::Sha256 verifier{};
    std::string name;
    std::string scopes;  // space-delimited
    int64_t created = 0;
    std::optional<int64_t> expires;  // Unix seconds; none = never
    std::optional<int64_t> revoked;  // when it was revoked; revoked keys stay listed
    UserPtr user;                    // the owner, read in the same query
};

struct NewApiKey {
    std::string_view selector;
    std::string_view prefix;
    crypto::Sha256 verifier{};
    std::string_view username;
    std::string_view name;
    std::string_view scopes;  // already normalised by DirectoryAdmin
    int64_t created = 0;
    std::optional<int64_t> expires;
};

// A last-used time to record (written in batches, off the hot path).
struct ApiKeyUse {
    std::string selector;
    int64_t when = 0;
};

}  // namespace authpolicy::directory
