// "<keyword> <credential>" Authorization schemes (DRF's TokenAuthentication, the API keys): which
// of DRF's outcomes the header has before the credential itself is looked at.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/http/request.h"

namespace authpolicy::authn {

struct KeywordCredential {
    // NotMine: no Authorization header, or another scheme (the next authenticator's turn).
    // NoCredentials: the keyword alone. Spaces: more than one credential word.
    enum class Kind { NotMine, NoCredentials, Spaces, Present };
    Kind kind = Kind::NotMine;
    std::string_view value;  // Present: the credential, a view into the request's header
};

// The keyword matches case-insensitively, as DRF's `auth[0].lower() != keyword.lower()`.
KeywordCredential keyword_credential(const http::Request& request, const std::vector<std::string>& keywords);

}  // namespace authpolicy::authn
