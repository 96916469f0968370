#include "core/authn/sender_constraint.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "core/authn/bearer.h"
#include "core/authn/cert_binding.h"
#include "core/authn/dpop_htu.h"
#include "core/authn/memory_dpop_replay_store.h"
#include "core/common/error.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/digest.h"
#include "core/crypto/random.h"

namespace authpolicy::authn {
namespace {

using json = nlohmann::json;
using Dpop = SenderConstraintSettings::Dpop;

double seconds(const json& value, double low, double high, const std::string& at) {
    if (!value.is_number() || value.get<double>() < low || value.get<double>() > high)
        config_fail(at, "expected a number of seconds between " + std::to_string(static_cast<int>(low)) + " and " +
                            std::to_string(static_cast<int>(high)));
    return value.get<double>();
}

const char* string_member(const json& cnf, const char* name, std::string& out) {
    const auto it = cnf.find(name);
    if (it == cnf.end()) return nullptr;
    if (!it->is_string() || it->get_ref<const std::string&>().empty() || it->get_ref<const std::string&>().size() > 128)
        return "The token confirmation claim is malformed.";
    out = it->get<std::string>();
    return nullptr;
}

}  // namespace

bool take_sender_option(const std::string& key, const json& value, const std::string& at, SenderConstraintSettings& s) {
    if (key == "dpop") {
        if (value == "allowed") {
            s.dpop = Dpop::Allowed;
        } else if (value == "required") {
            s.dpop = Dpop::Required;
        } else {
            config_fail(at, "expected \"allowed\" or \"required\"");
        }
    } else if (key == "dpop_algorithms") {
        if (!value.is_array() || value.empty()) config_fail(at, "expected a non-empty list of algorithm names");
        s.proof.algorithms.clear();
        for (const auto& a : value) {
            const auto alg = a.is_string() ? jose::alg_from_name(a.get<std::string>()) : std::nullopt;
            // RFC 9449 §4.2: asymmetric only (a MAC key would have to be shared with the server).
            if (!alg || jose::family_of(*alg) == jose::Family::Hmac)
                config_fail(at,
                            "expected asymmetric algorithm names (RS256/384/512, PS256/384/512, ES256/384/512, "
                            "EdDSA)");
            s.proof.algorithms.push_back(*alg);
        }
    } else if (key == "dpop_max_age") {
        s.proof.max_age = seconds(value, 1, 3600, at);
    } else if (key == "dpop_leeway") {
        s.proof.leeway = seconds(value, 0, 300, at);
    } else if (key == "dpop_replay_capacity") {
        if (!value.is_number_unsigned() || value.get<uint64_t>() < 1 || value.get<uint64_t>() > 10000000)
            config_fail(at, "expected a whole number between 1 and 10000000");
        s.replay_capacity = static_cast<size_t>(value.get<uint64_t>());
    } else if (key == "dpop_nonce") {
        if (!value.is_boolean()) config_fail(at, "expected true or false");
        s.nonce = value.get<bool>();
    } else if (key == "dpop_nonce_secret_env") {
        if (!value.is_string() || value.get_ref<const std::string&>().empty())
            config_fail(at, "expected the name of an environment variable");
        const char* secret = std::getenv(value.get_ref<const std::string&>().c_str());
        // A shared secret lets every process check every other's nonces.
        if (secret == nullptr || std::strlen(secret) < 32)
            config_fail(at, "the environment variable '" + value.get<std::string>().substr(0, 64) +
                                "' is not set or shorter than 32 bytes");
        s.nonce_secret = secret;
    } else if (key == "client_cert_header") {
        if (!value.is_string() || value.get_ref<const std::string&>().empty() ||
            value.get_ref<const std::string&>().size() > 64)
            config_fail(at, "expected a header name (e.g. \"Client-Cert\")");
        std::string name = value.get<std::string>();
        for (char& c : name) {
            const auto u = static_cast<unsigned char>(c);
            if (!(std::isalnum(u) || c == '-' || c == '_')) config_fail(at, "expected a header name");
            c = static_cast<char>(std::tolower(u));
        }
        if (name == "authorization" || name == "dpop" || name == "cookie" || name == "host")
            config_fail(at, "expected the proxy's certificate header, not a request header the client sets");
        s.client_cert_header = std::move(name);
    } else {
        return false;
    }
    return true;
}

void check_sender_options(const json& options, const SenderConstraintSettings& s, const std::string& where,
                          bool shared_store) {
    if (!s.nonce_secret.empty() && !s.nonce)
        config_fail(where + ".dpop_nonce_secret_env", "needs \"dpop_nonce\": true");
    if (shared_store && options.contains("dpop_replay_capacity"))
        config_fail(where + ".dpop_replay_capacity",
                    "DPOP_REPLAY_BACKEND holds the jti store: size it there (MAX_KEYS of \"memory\")");
    if (s.dpop != Dpop::Off) return;
    for (const char* name : {"dpop_algorithms", "dpop_max_age", "dpop_leeway", "dpop_replay_capacity", "dpop_nonce",
                             "dpop_nonce_secret_env"}) {
        if (options.contains(name)) config_fail(where + "." + name, "needs \"dpop\": \"allowed\" or \"required\"");
    }
}

const char* read_confirmation(const json& object, Confirmation& out) {
    const auto cnf = object.find("cnf");
    if (cnf == object.end() || cnf->is_null()) return nullptr;
    if (!cnf->is_object()) return "The token confirmation claim is malformed.";
    if (const char* e = string_member(*cnf, "jkt", out.jkt)) return e;
    return string_member(*cnf, "x5t#S256", out.x5t_s256);
}

SenderConstraint::SenderConstraint(SenderConstraintSettings settings, std::string realm,
                                   std::shared_ptr<DpopReplayStore> replay)
    : settings_(std::move(settings)), realm_(std::move(realm)) {
    for (const jose::Alg a : settings_.proof.algorithms) {
        if (!algs_.empty()) algs_ += ' ';
        algs_ += jose::alg_name(a);
    }
    const std::string dpop = "DPoP realm=\"" + realm_ + "\", algs=\"" + algs_ + "\"";
    switch (settings_.dpop) {
        case Dpop::Off: challenge_ = bearer_challenge(realm_); break;
        // RFC 9449 §7.2: a server accepting both offers both schemes.
        case Dpop::Allowed: challenge_ = bearer_challenge(realm_) + ", " + dpop; break;
        case Dpop::Required: challenge_ = dpop; break;
    }
    if (settings_.dpop != Dpop::Off)
        replay_ = replay ? std::move(replay) : std::make_shared<MemoryDpopReplayStore>(settings_.replay_capacity);
    if (settings_.dpop != Dpop::Off && settings_.nonce) {
        std::string secret = settings_.nonce_secret;
        if (secret.empty()) {
            uint8_t bytes[32];
            crypto::random_bytes(bytes, sizeof bytes);
            secret.assign(reinterpret_cast<const char*>(bytes), sizeof bytes);
        }
        // A new nonce every minute, each accepted for one to two minutes.
        nonces_ = std::make_unique<DpopNonces>(std::move(secret), 60);
    }
}

PresentedToken SenderConstraint::read(const http::Request& request) const {
    PresentedToken p;
    const BearerHeader bearer = read_bearer(request);
    if (bearer.kind == BearerHeader::Kind::Token) {
        p.kind = PresentedToken::Kind::Bearer;
        p.token = bearer.token;
        return p;
    }
    if (bearer.kind == BearerHeader::Kind::Malformed) {
        p.kind = PresentedToken::Kind::Malformed;
        p.problem = bearer.problem;
        return p;
    }
    if (settings_.dpop == Dpop::Off) return p;
    static constexpr SchemeProblems kDpop = {
        "Invalid DPoP header. No credentials provided.",
        "Invalid DPoP header. Token string should not contain spaces.",
        "Invalid DPoP header. Token string should not contain invalid characters.",
    };
    const BearerHeader dpop = read_scheme_token(request, "DPoP", kDpop);
    if (dpop.kind == BearerHeader::Kind::Malformed) {
        p.kind = PresentedToken::Kind::Malformed;
        p.problem = dpop.problem;
    } else if (dpop.kind == BearerHeader::Kind::Token) {
        p.kind = PresentedToken::Kind::Dpop;
        p.token = dpop.token;
    }
    return p;
}

std::string SenderConstraint::dpop_challenge(std::string_view code, std::string_view description) const {
    // Descriptions are fixed ASCII texts without quotes or backslashes (RFC 6750 §3).
    std::string challenge = "DPoP realm=\"" + realm_ + "\", algs=\"" + algs_ + "\", error=\"" + std::string(code) +
                            "\", error_description=\"" + std::string(description) + "\"";
    // RFC 9449 §7.2: a server that also accepts Bearer says so beside the DPoP error.
    if (settings_.dpop == Dpop::Allowed) challenge = bearer_challenge(realm_) + ", " + challenge;
    return challenge;
}

AuthOutcome SenderConstraint::dpop_error(const char* code, const char* description) const {
    AuthOutcome o = AuthOutcome::failure(description);
    o.code = code;
    o.failure_challenge = dpop_challenge(code, description);
    return o;
}

std::optional<AuthOutcome> SenderConstraint::refuse_scheme(const PresentedToken& presented) const {
    if (presented.kind == PresentedToken::Kind::Bearer && settings_.dpop == Dpop::Required)
        return dpop_error("invalid_token", "This resource requires a DPoP-bound token and a DPoP proof.");
    return std::nullopt;
}

AuthOutcome SenderConstraint::adapt(AuthOutcome failed, const PresentedToken& presented) const {
    if (failed.kind != AuthOutcome::Kind::Failed || failed.code != "invalid_token" ||
        presented.kind != PresentedToken::Kind::Dpop)
        return failed;
    failed.failure_challenge = dpop_challenge("invalid_token", failed.detail);
    return failed;
}

AuthOutcome SenderConstraint::check(const http::Request& request, const PresentedToken& presented,
                                    const Confirmation& cnf, double now) const {
    // RFC 8705 §3 first: it needs no proof, and a refused request must not spend a DPoP jti.
    if (!cnf.x5t_s256.empty()) {
        if (const char* e = check_certificate_binding(request, cnf.x5t_s256, settings_.client_cert_header))
            return adapt(invalid_token(realm_, e), presented);
    }
    if (presented.kind == PresentedToken::Kind::Bearer) {
        // RFC 9449 §7.2: a DPoP-bound token is never accepted as a bearer token.
        if (settings_.dpop != Dpop::Off && !cnf.jkt.empty())
            return dpop_error("invalid_token", "The token is DPoP-bound and needs a DPoP proof.");
    } else if (presented.kind == PresentedToken::Kind::Dpop) {
        const std::string* proof = request.header("dpop");
        if (proof == nullptr) return dpop_error("invalid_dpop_proof", "The request has no DPoP proof.");
        // Repeated headers are joined with ", ": a proof never contains a comma (§4.3 check 1).
        if (proof->find(',') != std::string::npos)
            return dpop_error("invalid_dpop_proof", "The request has more than one DPoP proof.");
        const std::optional<std::string> htu = request_htu(request);
        if (!htu) return dpop_error("invalid_dpop_proof", "The request URI cannot be determined (Host).");
        DpopProofClaims claims;
        if (const char* e =
                check_dpop_proof(*proof, settings_.proof, request.method(), *htu, presented.token, now, claims))
            return dpop_error("invalid_dpop_proof", e);
        // §9: without the current nonce the client is told to retry with the one sent here.
        if (nonces_ && (claims.nonce.empty() || !nonces_->valid(claims.nonce, now))) {
            AuthOutcome o = dpop_error("use_dpop_nonce", "Resource server requires nonce in DPoP proof.");
            o.headers = std::make_shared<const std::vector<std::pair<std::string, std::string>>>(
                std::vector<std::pair<std::string, std::string>>{{"DPoP-Nonce", nonces_->current(now)}});
            return o;
        }
        // §7.1: the token must be bound to exactly this key.
        if (cnf.jkt.empty()) return dpop_error("invalid_token", "The token is not bound to a DPoP key.");
        if (!crypto::constant_time_equal(claims.jkt, cnf.jkt))
            return dpop_error("invalid_token", "The DPoP proof key does not match the token binding.");
        // Last, so that only holders of a valid bound token can fill the store (§11.1). An
        // entry outlives the last second at which the proof would pass the iat window. Hashed,
        // so that an entry's size does not depend on the client's jti. A store that cannot
        // answer throws Error(Store): the safe denial, never an unrecorded acceptance.
        const double expires = claims.iat + settings_.proof.max_age + 1;
        switch (replay_->remember(crypto::sha256(claims.jkt + "." + claims.jti), expires, now)) {
            case DpopReplayStore::Result::Fresh: break;
            case DpopReplayStore::Result::Replayed:
                return dpop_error("invalid_dpop_proof", "The DPoP proof was already used.");
            case DpopReplayStore::Result::Full:
                return dpop_error("invalid_dpop_proof", "The DPoP proof cannot be checked for replay now.");
        }
    }
    return AuthOutcome::not_applicable();
}

}  // namespace authpolicy::authn
