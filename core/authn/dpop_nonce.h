// Stateless DPoP server nonces (RFC 9449 §8, §9): a nonce is a time slot and an HMAC of it under
// a server secret, so any process holding the secret can check one without storing it. A nonce
// is accepted during its own slot and the next (one to two slot lengths).
#pragma once

#include <string>
#include <string_view>

namespace authpolicy::authn {

class DpopNonces {
  public:
    // `secret`: at least 32 bytes; `slot_seconds`: how often a new nonce is issued.
    DpopNonces(std::string secret, double slot_seconds);
    // The nonce to send now (base64url, within the §8.1 nonce syntax).
    std::string current(double now) const;
    // Whether `nonce` is this server's for the current or the previous slot (constant time).
    bool valid(std::string_view nonce, double now) const;

  private:
    std::string for_slot(long long slot) const;
    long long slot_of(double now) const;

    std::string secret_;
    double slot_seconds_;
};

}  // namespace authpolicy::authn
