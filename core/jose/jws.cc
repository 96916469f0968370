#include "core/jose/jws.h"

#include "core/jose/base64url.h"
#include "core/jose/strict_json.h"

namespace authpolicy::jose {
namespace {

bool compact_char(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// RFC 7515 §4.1.9: "application/" may be omitted; media types compare case-insensitively.
std::string media_type(std::string_view s) {
    std::string t = lower(s);
    if (t.rfind("application/", 0) == 0) t.erase(0, 12);
    return t;
}

JwsResult fail(const char* why) {
    JwsResult r;
    r.error = why;
    return r;
}

}  // namespace

JwsVerifier::JwsVerifier(std::vector<KeyPtr> keys, std::vector<Alg> allowed, std::optional<std::string> typ)
    : keys_(std::move(keys)), allowed_(std::move(allowed)), typ_(std::move(typ)) {
    if (allowed_.empty()) {
        for (const auto& k : keys_) {
            bool seen = false;
            for (Alg a : allowed_) seen = seen || a == k->alg();
            if (!seen) allowed_.push_back(k->alg());
        }
    }
    if (typ_) typ_ = media_type(*typ_);
}

std::optional<std::string> unverified_issuer(std::string_view token) {
    if (token.size() > kMaxTokenBytes) return std::nullopt;
    const size_t a = token.find('.');
    const size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
    if (b == std::string_view::npos) return std::nullopt;
    std::string buffer;
    if (!base64url_decode_into(token.substr(a + 1, b - a - 1), buffer)) return std::nullopt;
    auto payload = parse_strict_object(buffer);
    if (!payload) return std::nullopt;
    auto iss = payload->find("iss");
    if (iss == payload->end() || !iss->is_string()) return std::nullopt;
    return iss->get<std::string>();
}

JwsResult JwsVerifier::verify(std::string_view token, const std::vector<KeyPtr>& keys) const {
    if (token.size() > kMaxTokenBytes) return fail("The token is too large.");
    // Compact serialization only: three base64url parts (J16: no JSON serialization, no JWE).
    size_t dots[2] = {0, 0};
    size_t ndots = 0;
    for (size_t i = 0; i < token.size(); ++i) {
        const auto c = static_cast<unsigned char>(token[i]);
        if (!compact_char(c)) return fail("The token is malformed.");
        if (c == '.') {
            if (ndots == 2) return fail("The token is malformed.");
            dots[ndots++] = i;
        }
    }
    if (ndots != 2 || dots[0] == 0 || dots[1] == dots[0] + 1 || dots[1] + 1 == token.size())
        return fail("The token is malformed.");
    const std::string_view header_b64 = token.substr(0, dots[0]);
    const std::string_view payload_b64 = token.substr(dots[0] + 1, dots[1] - dots[0] - 1);
    const std::string_view signature_b64 = token.substr(dots[1] + 1);

    std::string buffer;
    if (!base64url_decode_into(header_b64, buffer)) return fail("The token is malformed.");
    auto header = parse_strict_object(buffer);
    if (!header) return fail("The token header is malformed.");

    // The algorithm: an exact, case-sensitive name from the allow-list ("none" never is).
    auto alg_it = header->find("alg");
    if (alg_it == header->end() || !alg_it->is_string()) return fail("The token header is malformed.");
    const auto alg = alg_from_name(alg_it->get_ref<const std::string&>());
    bool allowed = false;
    for (Alg a : allowed_) allowed = allowed || (alg && a == *alg);
    if (!allowed) return fail("The token algorithm is not allowed.");

    const std::string* kid = nullptr;
    for (const auto& [name, value] : header->items()) {
        if (name == "kid") {
            if (!value.is_string() || value.get_ref<const std::string&>().size() > 256)
                return fail("The token header is malformed.");
            kid = &value.get_ref<const std::string&>();
        } else if (name == "crit") {
            // No extension is understood, so any "crit" is refused (RFC 7515 §4.1.11).
            return fail("The token uses header extensions that are not understood.");
        } else if (name == "jku" || name == "jwk" || name == "x5u" || name == "x5c") {
            return fail("The token names its own key; keys come only from the configuration.");
        } else if (name == "b64") {
            return fail("The token uses an unencoded payload.");
        } else if (name == "cty") {
            // Nested JWTs (RFC 8725 §2.3) and other content types are not access tokens.
            return fail("The token is nested or does not carry JWT claims.");
        } else if (name == "enc" || name == "zip" || name == "epk" || name == "p2c" || name == "p2s" || name == "iv" ||
                   name == "tag" || name == "apu" || name == "apv") {
            return fail("The token is encrypted (JWE); a signed token is expected.");
        } else if (name == "typ") {
            if (!value.is_string()) return fail("The token header is malformed.");
        }
    }
    if (typ_) {
        auto t = header->find("typ");
        if (t == header->end() || media_type(t->get_ref<const std::string&>()) != *typ_)
            return fail("The token type is not accepted.");
    }

    // Keys: by "kid" when the token names one, else every key bound to its algorithm.
    const VerificationKey* candidates[kMaxKeysTried];
    size_t ncand = 0;
    for (const auto& k : keys) {
        if (kid != nullptr ? k->kid() == *kid : k->alg() == *alg) {
            if (kid != nullptr && k->alg() != *alg) return fail("The token algorithm does not match its key.");
            if (ncand < kMaxKeysTried) candidates[ncand++] = k.get();
        }
    }
    if (ncand == 0) {
        JwsResult r = fail(kid != nullptr ? "The token key is unknown." : "No key matches the token algorithm.");
        r.unknown_kid = kid != nullptr;
        return r;
    }

    std::string signature;
    if (!base64url_decode_into(signature_b64, signature)) return fail("The token is malformed.");
    // The signature covers the received bytes; nothing is re-serialised.
    const std::string_view signing_input = token.substr(0, dots[1]);
    const VerificationKey* verified = nullptr;
    for (size_t i = 0; i < ncand && verified == nullptr; ++i) {
        if (candidates[i]->verify(signing_input, signature)) verified = candidates[i];
    }
    if (verified == nullptr) return fail("The token signature is invalid.");

    if (!base64url_decode_into(payload_b64, buffer)) return fail("The token is malformed.");
    auto payload = parse_strict_object(buffer);
    if (!payload) return fail("The token claims are malformed.");
    JwsResult r;
    r.ok = true;
    r.header = std::move(*header);
    r.payload = std::move(*payload);
    r.key = verified;
    return r;
}

}  // namespace authpolicy::jose
