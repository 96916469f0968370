// Django's PBKDF2PasswordHasher and PBKDF2SHA1PasswordHasher.
#pragma once

#include "core/crypto/digest.h"
#include "core/passwords/password_hasher.h"

namespace authpolicy::passwords {

class Pbkdf2PasswordHasher final : public PasswordHasher {
  public:
    explicit Pbkdf2PasswordHasher(crypto::DigestAlgorithm alg);
    std::string_view algorithm() const override { return name_; }
    VerifyResult verify(std::string_view password, std::string_view encoded, unsigned min_iterations) const override;
    std::string encode(std::string_view password, std::string_view salt, unsigned iterations) const;

    // Hard ceiling on stored iteration counts: a hostile hash must not stall a thread for minutes.
    static constexpr unsigned kMaxIterations = 100000000;

  private:
    crypto::DigestAlgorithm alg_;
    std::string_view name_;
};

}  // namespace authpolicy::passwords
