// APIKeyAuthentication: the engine's own API keys (docs/api-keys.md) in
// `Authorization: Api-Key <key>` (the keyword of djangorestframework-api-key; configurable as
// TokenAuthentication's). Decisions and messages follow DRF's TokenAuthentication.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/apikey/api_key_settings.h"
#include "core/authn/authenticator.h"
#include "core/engine/services.h"

namespace authpolicy::authn {

class ApiKeyAuthenticator final : public Authenticator {
  public:
    ApiKeyAuthenticator(std::shared_ptr<const Services> services, std::shared_ptr<const apikey::Pepper> pepper,
                        std::vector<std::string> keywords);
    std::string_view name() const override { return "APIKeyAuthentication"; }
    AuthOutcome authenticate(const http::Request& request) const override;
    // The first keyword, bare, as DRF's TokenAuthentication.authenticate_header.
    std::optional<std::string> challenge(const http::Request&) const override { return keywords_.front(); }

  private:
    std::shared_ptr<const Services> services_;
    std::shared_ptr<const apikey::Pepper> pepper_;
    std::vector<std::string> keywords_;
};

}  // namespace authpolicy::authn
