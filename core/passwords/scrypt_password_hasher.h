// Django's ScryptPasswordHasher (4.0+): "scrypt$<n>$<salt>$<r>$<p>$<base64 of 64 bytes>",
// derived with OpenSSL's scrypt.
#pragma once

#include "core/passwords/password_hasher.h"

namespace authpolicy::passwords {

class ScryptPasswordHasher final : public PasswordHasher {
  public:
    std::string_view algorithm() const override { return "scrypt"; }
    VerifyResult verify(std::string_view password, std::string_view encoded, unsigned min_iterations) const override;

    static constexpr uint64_t kMaxMemory = 256ull << 20;  // 128 * r * n * p bytes
};

}  // namespace authpolicy::passwords
