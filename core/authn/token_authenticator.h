// DRF's TokenAuthentication over the built-in token store (digests only), with expiry and
// a configurable list of keywords ("Token", "Bearer", …) matched case-insensitively.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/authn/authenticator.h"
#include "core/engine/services.h"

namespace authpolicy::authn {

class TokenAuthenticator final : public Authenticator {
  public:
    TokenAuthenticator(std::shared_ptr<const Services> services, std::vector<std::string> keywords);
    std::string_view name() const override { return "TokenAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    // The first keyword, bare, as DRF's authenticate_header.
    std::optional<std::string> challenge(const http::Request&) const override { return keywords_.front(); }

    // Keys longer than this cannot exist in the store; they fail without a lookup.
    static constexpr size_t kMaxKeyLength = 256;

  private:
    std::shared_ptr<const Services> services_;
    std::vector<std::string> keywords_;
};

}  // namespace authpolicy::authn
