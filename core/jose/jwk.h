// Verification keys for JWS: each key is bound to exactly one algorithm when it is parsed
// (RFC 8725 §3.1), so a token's "alg" never chooses how a key is used. Keys come from a JWK
// Set, a SubjectPublicKeyInfo PEM or a shared secret, and are parsed once (engine build):
// key_import.cc makes them, verification_key.cc verifies with them, jwk_set.cc reads a set.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/jose/algorithms.h"

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;

namespace authpolicy::jose {

// A key that cannot be used: the message says why (never quotes secret material).
class KeyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class VerificationKey {
  public:
    ~VerificationKey();
    VerificationKey(const VerificationKey&) = delete;
    VerificationKey& operator=(const VerificationKey&) = delete;

    Alg alg() const { return alg_; }
    const std::string& kid() const { return kid_; }  // "" when the key has none
    bool symmetric() const { return family_of(alg_) == Family::Hmac; }
    // Verifies `signature` (raw bytes, R‖S for ECDSA) over `signing_input`. Never throws for
    // a bad signature; throws Error(Crypto) only when OpenSSL itself fails.
    bool verify(std::string_view signing_input, std::string_view signature) const;

    // Builders; `allowed` is the configured allow-list (empty: none configured). Throw KeyError.
    static std::shared_ptr<const VerificationKey> from_jwk(const nlohmann::json& jwk, const std::vector<Alg>& allowed);
    static std::shared_ptr<const VerificationKey> from_pem(std::string_view pem, const std::vector<Alg>& allowed,
                                                           std::string kid);
    static std::shared_ptr<const VerificationKey> from_secret(std::string_view secret, const std::vector<Alg>& allowed,
                                                              std::string kid);

  private:
    VerificationKey() = default;
    bool verify_hmac(std::string_view input, std::string_view sig) const;
    bool verify_pkey(std::string_view input, std::string_view sig) const;
    bool verify_eddsa(std::string_view input, std::string_view sig) const;
    EVP_MAC_CTX* take_mac() const;
    EVP_PKEY_CTX* take_verifier() const;
    void give_back(EVP_MAC_CTX* ctx) const;
    void give_back(EVP_PKEY_CTX* ctx) const;

    Alg alg_ = Alg::HS256;
    std::string kid_;
    EVP_PKEY* pkey_ = nullptr;    // asymmetric keys
    EVP_MAC_CTX* mac_ = nullptr;  // HMAC keys: a context keyed once, duplicated per call
    size_t ecdsa_half_ = 0;       // ES*: bytes of R (and of S)
    size_t mac_size_ = 0;         // HS*: tag bytes
    // Contexts ready to verify with this key, so that a request pays neither an allocation nor
    // OpenSSL 3's per-initialisation algorithm fetch: one is taken per verification, then returned.
    mutable std::mutex pool_mutex_;
    mutable std::vector<EVP_MAC_CTX*> free_macs_;
    mutable std::vector<EVP_PKEY_CTX*> free_verifiers_;
};

using KeyPtr = std::shared_ptr<const VerificationKey>;

// A JWK Set ({"keys": [...]}) of verification keys. Refused: an empty set, more than 100 keys,
// duplicate "kid", symmetric and asymmetric keys mixed, and every per-key refusal of from_jwk.
std::vector<KeyPtr> parse_jwks(const nlohmann::json& jwks, const std::vector<Alg>& allowed);

}  // namespace authpolicy::jose
