#include "core/jose/jwk_thumbprint.h"

#include <vector>

#include "core/crypto/digest.h"
#include "core/jose/base64url.h"

namespace authpolicy::jose {

std::optional<std::string> jwk_thumbprint_sha256(const nlohmann::json& jwk) {
    if (!jwk.is_object()) return std::nullopt;
    const auto kty = jwk.find("kty");
    if (kty == jwk.end() || !kty->is_string()) return std::nullopt;
    const std::string& type = kty->get_ref<const std::string&>();
    // RFC 7638 §3.2 (EC, RSA, oct) and RFC 8037 §2 (OKP): the required members, already sorted.
    static const std::vector<const char*> kEc = {"crv", "kty", "x", "y"}, kRsa = {"e", "kty", "n"},
                                          kOkp = {"crv", "kty", "x"}, kOct = {"k", "kty"};
    const std::vector<const char*>* members = nullptr;
    if (type == "EC") {
        members = &kEc;
    } else if (type == "RSA") {
        members = &kRsa;
    } else if (type == "OKP") {
        members = &kOkp;
    } else if (type == "oct") {
        members = &kOct;
    } else {
        return std::nullopt;
    }
    std::string text = "{";
    for (const char* name : *members) {
        const auto it = jwk.find(name);
        if (it == jwk.end() || !it->is_string()) return std::nullopt;
        if (text.size() > 1) text += ',';
        // nlohmann's string output is the minimal JSON escaping §3.3 asks for (values are
        // base64url or short names in practice, which need none).
        text += nlohmann::json(name).dump();
        text += ':';
        text += it->dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
    }
    text += '}';
    const crypto::Sha256 digest = crypto::sha256(text);
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace authpolicy::jose
