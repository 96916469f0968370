// RFC 7662 token introspection over HTTP: POST token (+ token_type_hint) to the endpoint with
// client authentication (RFC 6749 §2.3.1: client_secret_basic, the default, or
// client_secret_post), and hand back the answer once it is one strict JSON object. The endpoint
// is configured or discovered from the issuer's metadata (discovery.h). Failures throw
// Error(Store): the decision is a 503, never an allow.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "core/keys/http_fetcher.h"

namespace authpolicy::keys {

struct IntrospectionSettings {
    std::string endpoint;  // or
    std::string issuer;    // discovered (endpoint empty)
    std::string client_id;
    std::string client_secret;  // never logged
    bool client_secret_post = false;
    std::string token_type_hint;  // "" = none sent
    HttpOptions http;
};

// The answer text once it is one strict JSON object (duplicate member names refused);
// throws Error(Store) otherwise. Exposed for the fuzz target.
std::string checked_introspection_answer(std::string_view body);

class IntrospectionClient {
  public:
    // fetch_at_start: discover now (a failure is retried on use, it does not fail the build).
    IntrospectionClient(IntrospectionSettings settings, bool fetch_at_start);
    std::string introspect(std::string_view token) const;

  private:
    std::string endpoint() const;

    IntrospectionSettings settings_;
    mutable std::mutex mutex_;
    mutable std::string endpoint_;  // discovered
};

}  // namespace authpolicy::keys
