// Django's legacy digest formats, verified only when PASSWORD_HASHERS lists them (as Django
// does): "md5$<salt>$<hex>", "sha1$<salt>$<hex>" (salted: H(salt + password)), and the
// unsalted "unsalted_md5" (32 hex, or "md5$$<hex>") and "unsalted_sha1" ("sha1$$<hex>").
#pragma once

#include "core/passwords/password_hasher.h"

namespace authpolicy::passwords {

class SaltedDigestPasswordHasher final : public PasswordHasher {
  public:
    explicit SaltedDigestPasswordHasher(bool md5) : md5_(md5) {}
    std::string_view algorithm() const override { return md5_ ? "md5" : "sha1"; }
    VerifyResult verify(std::string_view password, std::string_view encoded, unsigned min_iterations) const override;

  private:
    bool md5_;
};

class UnsaltedDigestPasswordHasher final : public PasswordHasher {
  public:
    explicit UnsaltedDigestPasswordHasher(bool md5) : md5_(md5) {}
    std::string_view algorithm() const override { return md5_ ? "unsalted_md5" : "unsalted_sha1"; }
    VerifyResult verify(std::string_view password, std::string_view encoded, unsigned min_iterations) const override;

  private:
    bool md5_;
};

// Django's identify_hasher: the algorithm an encoded hash names ("" when none).
std::string_view identify_algorithm(std::string_view encoded);

}  // namespace authpolicy::passwords
