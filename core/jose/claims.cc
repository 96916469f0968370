#include "core/jose/claims.h"

#include <cmath>

namespace authpolicy::jose {
namespace {

constexpr const char* kMalformedTime = "The token has a malformed time claim.";

// false: present but not a NumericDate we accept.
bool numeric_date(const nlohmann::json& claims, const char* name, std::optional<double>& out) {
    auto it = claims.find(name);
    if (it == claims.end()) return true;
    if (!it->is_number()) return false;  // booleans and strings are not numbers in nlohmann
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < 0 || v >= 1e11) return false;
    out = v;
    return true;
}

void split_spaces(const std::string& s, std::vector<std::string>& out) {
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.emplace_back(s.substr(i, j - i));
        i = j;
    }
}

}  // namespace

const char* check_times(const TimeClaims& t, double leeway, double now) {
    if (t.exp && !(now < *t.exp + leeway)) return "The token has expired.";
    if (t.nbf && *t.nbf > now + leeway) return "The token is not valid yet.";
    if (t.iat && *t.iat > now + leeway) return "The token was issued in the future.";
    return nullptr;
}

const char* check_claims(const nlohmann::json& claims, const ClaimsPolicy& policy, double now, TimeClaims& times) {
    times = {};
    if (!numeric_date(claims, "exp", times.exp) || !numeric_date(claims, "nbf", times.nbf) ||
        !numeric_date(claims, "iat", times.iat))
        return kMalformedTime;
    if (policy.require_exp && !times.exp) return "The token has no expiry.";
    if (const char* e = check_times(times, policy.leeway, now)) return e;

    if (policy.issuer) {
        auto iss = claims.find("iss");
        if (iss == claims.end() || !iss->is_string() || iss->get_ref<const std::string&>() != *policy.issuer)
            return "The token issuer is not accepted.";
    }
    auto aud = claims.find("aud");
    if (aud != claims.end()) {
        // RFC 7519 §4.1.3: a token whose audience does not name us is refused, configured or not.
        bool match = false;
        const auto accepted = [&](const nlohmann::json& v) {
            for (const auto& a : policy.audiences)
                if (v.get_ref<const std::string&>() == a) return true;
            return false;
        };
        if (aud->is_string()) {
            match = accepted(*aud);
        } else if (aud->is_array() && !aud->empty()) {
            for (const auto& v : *aud) {
                if (!v.is_string()) return "The token audience is malformed.";
                match = match || accepted(v);
            }
        } else {
            return "The token audience is malformed.";
        }
        if (!match) return "The token audience is not accepted.";
    } else if (!policy.audiences.empty()) {
        return "The token has no audience.";
    }
    return nullptr;
}

const char* extract_scopes(const nlohmann::json& claims, std::vector<std::string>& scopes) {
    scopes.clear();
    constexpr const char* kBad = "The token scope claim is malformed.";
    if (auto s = claims.find("scope"); s != claims.end()) {
        if (!s->is_string()) return kBad;
        split_spaces(s->get_ref<const std::string&>(), scopes);
        return nullptr;
    }
    if (auto s = claims.find("scp"); s != claims.end()) {
        if (s->is_string()) {
            split_spaces(s->get_ref<const std::string&>(), scopes);
        } else if (s->is_array()) {
            for (const auto& v : *s) {
                if (!v.is_string() || v.get_ref<const std::string&>().empty() ||
                    v.get_ref<const std::string&>().find(' ') != std::string::npos)
                    return kBad;
                scopes.push_back(v.get<std::string>());
            }
        } else {
            return kBad;
        }
    }
    return nullptr;
}

}  // namespace authpolicy::jose
