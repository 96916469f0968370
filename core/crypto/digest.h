// Message digests and HMAC through OpenSSL 3 (EVP), with algorithms fetched once per process.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace authpolicy::crypto {

enum class DigestAlgorithm { Sha1, Sha256, Sha512 };

size_t digest_size(DigestAlgorithm alg);

// Raw digest bytes of `data`.
std::string digest(DigestAlgorithm alg, std::string_view data);

using Sha256 = std::array<uint8_t, 32>;
// SHA-256 on the hot path: a pre-fetched EVP_MD and a per-thread context, no allocation.
Sha256 sha256(std::string_view data);

// Raw HMAC bytes (one-shot; for keys that change per call).
std::string hmac(DigestAlgorithm alg, std::string_view key, std::string_view data);

// HMAC-SHA256 under one fixed key, reusing a per-thread MAC context (the cache-key path).
class KeyedHasher {
  public:
    explicit KeyedHasher(std::string key);
    ~KeyedHasher();
    KeyedHasher(const KeyedHasher&) = delete;
    KeyedHasher& operator=(const KeyedHasher&) = delete;
    Sha256 operator()(std::string_view data) const;

  private:
    std::string key_;
    uint64_t id_;
};

}  // namespace authpolicy::crypto
