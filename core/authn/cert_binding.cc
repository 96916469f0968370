#include "core/authn/cert_binding.h"

#include <optional>

#include "core/crypto/base64.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/digest.h"
#include "core/jose/base64url.h"

namespace authpolicy::authn {
namespace {

// RFC 9440 §2.2: the header is an RFC 8941 byte sequence, ":" base64 ":", with nothing around it
// (a second certificate, joined with ", ", is refused).
std::optional<std::string> certificate_from_header(const std::string& value) {
    if (value.size() < 3 || value.front() != ':' || value.back() != ':') return std::nullopt;
    auto der = crypto::base64_decode(std::string_view(value).substr(1, value.size() - 2));
    if (!der || der->empty() || der->size() > http::Limits::kMaxClientCertificate) return std::nullopt;
    return der;
}

}  // namespace

const char* check_certificate_binding(const http::Request& request, std::string_view x5t_s256,
                                      const std::string& trusted_header) {
    std::optional<std::string> from_header;
    std::string_view der = request.client_certificate();
    if (der.empty() && !trusted_header.empty()) {
        if (const std::string* value = request.header(trusted_header)) {
            from_header = certificate_from_header(*value);
            if (!from_header) return "The client certificate header is malformed.";
            der = *from_header;
        }
    }
    if (der.empty()) return "The token is bound to a client certificate and none was presented.";
    const crypto::Sha256 digest = crypto::sha256(der);
    const std::string thumbprint =
        jose::base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    if (!crypto::constant_time_equal(thumbprint, x5t_s256)) return "The token is bound to another client certificate.";
    return nullptr;
}

}  // namespace authpolicy::authn
