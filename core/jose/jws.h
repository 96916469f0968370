// JWS compact serialization verified against configured keys (RFC 7515, RFC 8725).
// The order is fixed: shape and size, protected header, key selection, signature; the payload
// is parsed only after its signature verified, and claims are never returned on a failure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/jose/jwk.h"

namespace authpolicy::jose {

// Compact tokens longer than this are rejected before any decoding (docs/limits.md).
inline constexpr size_t kMaxTokenBytes = 8192;
// Keys tried for one token that has no "kid" (all those bound to its "alg").
inline constexpr size_t kMaxKeysTried = 8;

struct JwsResult {
    bool ok = false;
    const char* error = "";  // a fixed description (RFC 6750 error_description) when !ok
    nlohmann::json header;   // set when ok
    nlohmann::json payload;  // set when ok: a JSON object
    const VerificationKey* key = nullptr;
    bool unknown_kid = false;  // the token names a kid no key has (a remote set may refetch)
};

// The "iss" of a token before any verification, for routing to that issuer's keys only; nullopt
// when the token is malformed or has no string "iss". Never trusted beyond choosing the keys.
std::optional<std::string> unverified_issuer(std::string_view token);

class JwsVerifier {
  public:
    // `allowed` empty: the algorithms of the keys. `typ`: the required "typ" (e.g. "at+jwt";
    // compared case-insensitively, "application/" optional, RFC 7515 §4.1.9), or none.
    JwsVerifier(std::vector<KeyPtr> keys, std::vector<Alg> allowed, std::optional<std::string> typ);
    JwsResult verify(std::string_view token) const { return verify(token, keys_); }
    // Against another key set (a remote set's current snapshot), with this allow-list and typ.
    JwsResult verify(std::string_view token, const std::vector<KeyPtr>& keys) const;
    const std::vector<Alg>& allowed() const { return allowed_; }

  private:
    std::vector<KeyPtr> keys_;
    std::vector<Alg> allowed_;
    std::optional<std::string> typ_;
};

}  // namespace authpolicy::jose
