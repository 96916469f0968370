#include "core/keys/jwks_document.h"

#include <set>

#include "core/jose/strict_json.h"

namespace authpolicy::keys {

RemoteJwks parse_remote_jwks(std::string_view text, const std::vector<jose::Alg>& allowed) {
    auto doc = jose::parse_strict_object(text);
    if (!doc) throw jose::KeyError("the JWK Set is not one strict JSON object");
    auto keys = doc->find("keys");
    if (keys == doc->end() || !keys->is_array()) throw jose::KeyError("a JWK Set is an object with a \"keys\" array");
    if (keys->size() > kMaxRemoteKeys) throw jose::KeyError("the JWK Set has more than 100 keys");
    RemoteJwks out;
    std::set<std::string> kids;
    for (size_t i = 0; i < keys->size(); ++i) {
        const nlohmann::json& jwk = (*keys)[i];
        std::string label = "keys[" + std::to_string(i) + "]";
        if (jwk.is_object()) {
            auto kid = jwk.find("kid");
            if (kid != jwk.end() && kid->is_string()) label += " (kid '" + kid->get<std::string>().substr(0, 64) + "')";
            auto kty = jwk.find("kty");
            if (kty != jwk.end() && kty->is_string() && *kty == "oct") {
                out.skipped.push_back(label + ": a shared secret is never taken from a published key set");
                continue;
            }
        }
        jose::KeyPtr key;
        try {
            key = jose::VerificationKey::from_jwk(jwk, allowed);
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {  // KeyError, or OpenSSL refusing the parameters
            out.skipped.push_back(label + ": " + e.what());
            continue;
        }
        bool usable = allowed.empty();
        for (jose::Alg a : allowed) usable = usable || a == key->alg();
        if (!usable) {
            out.skipped.push_back(label + ": bound to " + jose::alg_name(key->alg()) + ", not in \"algorithms\"");
            continue;
        }
        if (!key->kid().empty() && !kids.insert(key->kid()).second) {
            out.skipped.push_back(label + ": duplicate \"kid\" (the first is kept)");
            continue;
        }
        out.keys.push_back(std::move(key));
    }
    if (out.keys.empty()) throw jose::KeyError("no usable key in the JWK Set");
    return out;
}

}  // namespace authpolicy::keys
