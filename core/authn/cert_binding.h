// Certificate-bound access tokens (RFC 8705 §3): a token whose "cnf" has "x5t#S256" is only
// accepted with the client certificate it names. The certificate comes from the host's TLS
// layer (authp_request_set_client_certificate), or, only when the configuration trusts the
// proxy that sets it, from an RFC 9440 Client-Cert header (never from a client's own header).
#pragma once

#include <string>
#include <string_view>

#include "core/http/request.h"

namespace authpolicy::authn {

// nullptr when base64url(SHA-256(DER)) of the request's certificate equals `x5t_s256` (compared
// in constant time); else a fixed description. `trusted_header`: the lowercase name of the
// proxy's certificate header, or empty when no proxy is trusted.
const char* check_certificate_binding(const http::Request& request, std::string_view x5t_s256,
                                      const std::string& trusted_header);

}  // namespace authpolicy::authn
