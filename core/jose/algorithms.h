// The JWS algorithms this library verifies (RFC 7518 §3.1, RFC 8037) and what each one means:
// its exact name, its family and its digest. One table, read by every part of core/jose.
#pragma once

#include <optional>
#include <string_view>

typedef struct evp_md_st EVP_MD;

namespace authpolicy::jose {

enum class Alg { HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA };
enum class Family { Hmac, RsaPkcs1, RsaPss, Ecdsa, EdDSA };

// Exact, case-sensitive names (RFC 7518 §3.1, RFC 8037): "none", "hs256", "Rs256" are unknown.
std::optional<Alg> alg_from_name(std::string_view name);
const char* alg_name(Alg alg);
Family family_of(Alg alg);
// Every algorithm, in the order of the enum.
const Alg* all_algs_begin();
const Alg* all_algs_end();

// The digest's OpenSSL name ("SHA256"…) and the digest itself, fetched once per process
// (EVP_MD_fetch is slow in OpenSSL 3); nullptr for EdDSA, which hashes inside the scheme.
const char* digest_name(Alg alg);
const EVP_MD* digest_of(Alg alg);

}  // namespace authpolicy::jose
