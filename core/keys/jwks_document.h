// A JWK Set as an authorization server publishes it: parsed with the strict JSON parser
// (duplicate member names refused), then lenient per key, unlike an inline "jwks": keys this
// engine cannot or must not use (use "enc", short RSA, unknown kty, shared secrets, which are
// never taken from the network) are skipped with a reason; the document fails only when it is
// malformed or no usable key is left.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/jose/jwk.h"

namespace authpolicy::keys {

inline constexpr size_t kMaxRemoteKeys = 100;

struct RemoteJwks {
    std::vector<jose::KeyPtr> keys;
    std::vector<std::string> skipped;  // "keys[2] (kid 'enc-1'): ..." one line each
};

// Throws jose::KeyError when the text is not a JWK Set or holds no usable key.
RemoteJwks parse_remote_jwks(std::string_view text, const std::vector<jose::Alg>& allowed);

}  // namespace authpolicy::keys
