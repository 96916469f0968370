// Authorization server metadata: OpenID Connect Discovery 1.0 §4 first, then RFC 8414 §3.
// For an issuer with a path (https://id.example/o), OpenID Connect appends
// "/.well-known/openid-configuration" to it, while RFC 8414 §3.1 inserts
// "/.well-known/oauth-authorization-server" between the host and the path. The document's
// "issuer" must equal the configured one exactly (OIDC Discovery §4.3, RFC 8414 §3.3).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/keys/http_fetcher.h"

namespace authpolicy::keys {

struct ServerMetadata {
    std::string issuer;
    std::string jwks_uri;                // "" when the document has none
    std::string introspection_endpoint;  // "" when the document has none
    std::string source;                  // the URL it came from
};

// The two metadata URLs of an issuer, in the order they are tried.
std::vector<std::string> metadata_urls(const std::string& issuer);

// Parses one metadata document (strict JSON). Throws Error(Store) naming what is wrong: not an
// object, another issuer, URLs that are not strings or that the options do not allow.
ServerMetadata parse_server_metadata(std::string_view text, const std::string& expected_issuer,
                                     bool allow_insecure_http);

// Fetches the first document that answers 200 and parses it. Throws Error(Store).
ServerMetadata discover(const std::string& issuer, const HttpOptions& options);

}  // namespace authpolicy::keys
