// A JWK Set (RFC 7517 §5) of verification keys, refused as a whole when any key is.
#include <set>

#include "core/jose/jwk.h"

namespace authpolicy::jose {

using json = nlohmann::json;

std::vector<KeyPtr> parse_jwks(const json& jwks, const std::vector<Alg>& allowed) {
    if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array())
        throw KeyError("a JWK Set is an object with a \"keys\" array");
    const json& keys = jwks["keys"];
    if (keys.empty()) throw KeyError("the JWK Set has no keys");
    if (keys.size() > 100) throw KeyError("the JWK Set has more than 100 keys");
    std::vector<KeyPtr> out;
    std::set<std::string> kids;
    bool symmetric = false, asymmetric = false;
    for (size_t i = 0; i < keys.size(); ++i) {
        KeyPtr key;
        try {
            key = VerificationKey::from_jwk(keys[i], allowed);
        } catch (const KeyError& e) {
            throw KeyError("keys[" + std::to_string(i) + "]: " + e.what());
        }
        if (!key->kid().empty() && !kids.insert(key->kid()).second)
            throw KeyError("keys[" + std::to_string(i) + "]: duplicate \"kid\"");
        (key->symmetric() ? symmetric : asymmetric) = true;
        if (symmetric && asymmetric) throw KeyError("the JWK Set mixes shared secrets and public keys");
        bool usable = allowed.empty();
        for (Alg a : allowed) usable = usable || a == key->alg();
        if (usable) out.push_back(std::move(key));  // keys for algorithms not allowed are skipped
    }
    if (out.empty()) throw KeyError("no key in the JWK Set is for an algorithm in \"algorithms\"");
    return out;
}

}  // namespace authpolicy::jose
