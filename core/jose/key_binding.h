// What a key may be used for: the kind of a parsed public key or secret, the one algorithm it
// is bound to (RFC 8725 §3.1: a token's "alg" never chooses how a key is used), and the checks
// every public key passes whatever form it came in (JWK or PEM).
#pragma once

#include <openssl/evp.h>

#include <optional>
#include <string>
#include <vector>

#include "core/jose/algorithms.h"

namespace authpolicy::jose {

enum class KeyKind { Rsa, Oct, P256, P384, P521, Ed25519 };

// Binds a key to one algorithm: its declared "alg", else the only one its kind allows, else the
// only one of its kind in the allow-list, else the family default (RS256, HS256) when no
// allow-list is configured. A kind never borrows another family's algorithm. Throws KeyError.
Alg bind_alg(KeyKind kind, const std::optional<std::string>& declared, const std::vector<Alg>& allowed);

// RSA: 2048 to 16384 bits, an odd public exponent of 2 to 32 bits. Throws KeyError.
void check_rsa(EVP_PKEY* pkey);
// EC: the point is on the curve. Throws KeyError.
void check_public(EVP_PKEY* pkey);

}  // namespace authpolicy::jose
