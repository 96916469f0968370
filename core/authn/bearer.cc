#include "core/authn/bearer.h"

#include "core/http/credentials_split.h"

namespace authpolicy::authn {
namespace {

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool is_b64token(std::string_view t) {
    size_t i = 0;
    for (; i < t.size(); ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
        if (!ok) break;
    }
    if (i == 0) return false;
    for (; i < t.size(); ++i) {
        if (t[i] != '=') return false;
    }
    return true;
}

}  // namespace

BearerHeader read_scheme_token(const http::Request& request, std::string_view scheme, const SchemeProblems& problems) {
    BearerHeader b;
    const std::string* header = request.header("authorization");
    if (header == nullptr) return b;
    const http::SplitHeader split = http::split_credentials(*header);
    if (split.count == 0 || !http::equals_ignore_case(split.parts[0], scheme)) return b;
    b.kind = BearerHeader::Kind::Malformed;
    if (split.count == 1) {
        b.problem = problems.no_token;
    } else if (split.count > 2) {
        b.problem = problems.spaces;
    } else if (!is_b64token(split.parts[1])) {
        b.problem = problems.characters;
    } else {
        b.kind = BearerHeader::Kind::Token;
        b.token = split.parts[1];
    }
    return b;
}

BearerHeader read_bearer(const http::Request& request) {
    static constexpr SchemeProblems kBearer = {
        "Invalid bearer header. No credentials provided.",
        "Invalid bearer header. Token string should not contain spaces.",
        "Invalid bearer header. Token string should not contain invalid characters.",
    };
    return read_scheme_token(request, "Bearer", kBearer);
}

std::string bearer_challenge(std::string_view realm) {
    return "Bearer realm=\"" + std::string(realm) + "\"";
}

AuthOutcome invalid_token(std::string_view realm, const char* description) {
    AuthOutcome o = AuthOutcome::failure(description);
    o.code = "invalid_token";
    // Descriptions are fixed ASCII texts without quotes or backslashes (§3: %x20-21 / %x23-5B / %x5D-7E).
    o.failure_challenge =
        bearer_challenge(realm) + ", error=\"invalid_token\", error_description=\"" + std::string(description) + "\"";
    return o;
}

AuthOutcome invalid_request(const char* description) {
    AuthOutcome o = AuthOutcome::failure(description);
    o.status = 400;
    o.code = "invalid_request";
    return o;
}

}  // namespace authpolicy::authn
