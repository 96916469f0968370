// Django's Argon2PasswordHasher: "argon2$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>", the PHC
// string of the reference implementation (Debian's libargon2) behind Django's prefix.
#pragma once

#include "core/passwords/password_hasher.h"

namespace authpolicy::passwords {

class Argon2PasswordHasher final : public PasswordHasher {
  public:
    std::string_view algorithm() const override { return "argon2"; }
    VerifyResult verify(std::string_view password, std::string_view encoded, unsigned min_iterations) const override;

    // Ceilings on stored parameters: a hostile hash must not take a gigabyte or a minute.
    static constexpr unsigned long kMaxMemoryKiB = 1u << 20;
    static constexpr unsigned long kMaxTime = 64;
    static constexpr unsigned long kMaxLanes = 64;
};

}  // namespace authpolicy::passwords
