// JWT claim checks (RFC 7519 §4.1, RFC 9068): times with a leeway, exact issuer, audience by
// membership, and the token's scopes ("scope" string or "scp" list).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace authpolicy::jose {

struct ClaimsPolicy {
    std::optional<std::string> issuer;   // exact match (length and bytes) when set
    std::vector<std::string> audiences;  // accepted audiences; empty: a token with "aud" is refused
    double leeway = 0;                   // seconds, for exp, nbf and iat
    bool require_exp = true;
};

// The time claims of a verified token, re-checked on every use (a cache hit included).
struct TimeClaims {
    std::optional<double> exp, nbf, iat;
};

// NumericDate values outside [0, 1e11) (about year 5138), booleans and strings are malformed.
// Returns nullptr when the claims pass, else a fixed description. Fills `times` either way.
const char* check_claims(const nlohmann::json& claims, const ClaimsPolicy& policy, double now, TimeClaims& times);
// exp: now < exp + leeway; nbf and iat: not after now + leeway.
const char* check_times(const TimeClaims& times, double leeway, double now);
// "scope": space-delimited string; else "scp": a list of strings or a string. nullptr on
// success; a description when the claim has the wrong shape.
const char* extract_scopes(const nlohmann::json& claims, std::vector<std::string>& scopes);

}  // namespace authpolicy::jose
