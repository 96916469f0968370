// RFC 7638 JWK thumbprints: SHA-256 over the key's required members only, in lexicographic
// order and without whitespace, so that one public key has exactly one thumbprint however its
// JWK is spelt (DPoP's cnf.jkt, RFC 9449 §6.1).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace authpolicy::jose {

// base64url (no padding) of the SHA-256 thumbprint; nullopt when "kty" is not EC, RSA, OKP or
// oct, or a required member is missing or not a string.
std::optional<std::string> jwk_thumbprint_sha256(const nlohmann::json& jwk);

}  // namespace authpolicy::jose
