#include "core/django/ecosystem/pyjwt_decode.h"

#include <cmath>

#include "core/common/bounded_json.h"
#include "core/common/error.h"
#include "core/django/ecosystem/python_compat.h"

namespace authpolicy::django::ecosystem {
namespace {

using json = nlohmann::json;
using Kind = PyJwtResult::Kind;

constexpr size_t kMaxSegmentJson = 64 * 1024;

PyJwtResult with(Kind k) {
    PyJwtResult r;
    r.kind = k;
    return r;
}

std::optional<json> json_object(const std::string& text) {
    try {
        json j = parse_bounded_json(text, kMaxSegmentJson);
        if (j.is_object()) return j;
    } catch (const Error&) {
    }
    return std::nullopt;
}

// PyJWT 2.6's decode_complete (Debian 12's python3-jwt, what simplejwt 5.2 calls): the header's
// "kid" and "crit" are not looked at (PyJWS._validate_headers runs only for encode and
// get_unverified_header there; later PyJWT versions check them in decode too), and "b64": false needs a
// detached payload, which simplejwt never passes.
bool headers_ok(const json& h) {
    if (auto b64 = h.find("b64"); b64 != h.end() && b64->is_boolean() && !b64->get<bool>()) return false;
    return true;
}

}  // namespace

PyJwtResult pyjwt_decode(std::string_view token, const PyJwtOptions& o, double now_exact) {
    // PyJWS._load: rsplit(".", 1), then split(".", 1).
    const size_t last = token.rfind('.');
    if (last == std::string_view::npos) return with(Kind::Invalid);
    const std::string_view signing_input = token.substr(0, last);
    const size_t first = signing_input.find('.');
    if (first == std::string_view::npos) return with(Kind::Invalid);
    auto header_bytes = py_urlsafe_b64decode_padded(signing_input.substr(0, first));
    if (!header_bytes) return with(Kind::Invalid);
    auto header = json_object(*header_bytes);
    if (!header) return with(Kind::Invalid);
    auto payload_bytes = py_urlsafe_b64decode_padded(signing_input.substr(first + 1));
    if (!payload_bytes) return with(Kind::Invalid);
    auto signature = py_urlsafe_b64decode_padded(token.substr(last + 1));
    if (!signature) return with(Kind::Invalid);
    if (!headers_ok(*header)) return with(Kind::Invalid);
    auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string() || alg->get_ref<const std::string&>() != o.algorithm)
        return with(Kind::Invalid);
    if (!o.key->verify(signing_input, *signature)) return with(Kind::Invalid);
    auto payload = json_object(*payload_bytes);
    if (!payload) return with(Kind::Invalid);

    PyJwtResult r;
    const double now = std::floor(now_exact);  // timegm(utctimetuple()): whole seconds
    const double leeway = o.leeway;
    if (auto iat = payload->find("iat"); iat != payload->end()) {
        const PyInt v = py_int(*iat);
        if (v.kind == PyInt::Kind::TypeError) return with(Kind::ServerError);
        if (v.kind == PyInt::Kind::ValueError) return with(Kind::Invalid);
        if (iat->is_string()) return with(Kind::ServerError);  // str > int: TypeError
        const double raw = iat->is_boolean() ? v.value : iat->get<double>();
        if (raw > now + leeway) return with(Kind::Invalid);
        r.lo = std::max(r.lo, std::ceil(raw - leeway));
    }
    if (auto nbf = payload->find("nbf"); nbf != payload->end()) {
        const PyInt v = py_int(*nbf);
        if (v.kind == PyInt::Kind::TypeError) return with(Kind::ServerError);
        if (v.kind == PyInt::Kind::ValueError || v.value > now + leeway) return with(Kind::Invalid);
        r.lo = std::max(r.lo, std::ceil(v.value - leeway));
    }
    if (auto exp = payload->find("exp"); exp != payload->end()) {
        const PyInt v = py_int(*exp);
        if (v.kind == PyInt::Kind::TypeError) return with(Kind::ServerError);
        if (v.kind == PyInt::Kind::ValueError || v.value <= now - leeway) return with(Kind::Invalid);
        r.hi = v.value + leeway;  // passes while floor(now) < exp + leeway
    }
    if (o.issuer) {
        auto iss = payload->find("iss");
        if (iss == payload->end() || !iss->is_string() || iss->get_ref<const std::string&>() != *o.issuer)
            return with(Kind::Invalid);
    }
    if (o.audience) {
        auto aud = payload->find("aud");
        if (aud == payload->end() || !py_truthy(*aud)) return with(Kind::Invalid);
        std::vector<std::string> claims;
        if (aud->is_string()) {
            claims.push_back(aud->get<std::string>());
        } else if (aud->is_array()) {
            for (const auto& a : *aud) {
                if (!a.is_string()) return with(Kind::Invalid);
                claims.push_back(a.get<std::string>());
            }
        } else {
            return with(Kind::Invalid);
        }
        bool any = false;
        for (const auto& want : *o.audience) {
            for (const auto& c : claims) any = any || c == want;
        }
        if (!any) return with(Kind::Invalid);
    }
    r.kind = Kind::Ok;
    r.payload = std::move(*payload);
    return r;
}

}  // namespace authpolicy::django::ecosystem
