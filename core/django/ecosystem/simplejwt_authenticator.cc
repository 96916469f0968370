#include "core/django/ecosystem/simplejwt_authenticator.h"

#include <cmath>

#include "core/common/error.h"
#include "core/django/ecosystem/failure.h"
#include "core/django/ecosystem/python_compat.h"
#include "core/http/credentials_split.h"

namespace authpolicy::django::ecosystem {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using authn::AuthOutcome;

constexpr const char* kInvalid = "Token is invalid or expired";
// datetime.utcfromtimestamp's range (year 9999); beyond it simplejwt's check_exp raises.
constexpr double kMaxTimestamp = 253402300799.0;

bool looks_like_pem_or_ssh(std::string_view k) {
    // PyJWT's HMACAlgorithm.prepare_key refuses these (is_pem_format / is_ssh_key).
    return k.find("-----BEGIN ") != std::string_view::npos || k.rfind("ssh-", 0) == 0 || k.rfind("ecdsa-sha2-", 0) == 0;
}

// {"detail": …, "code": …}: simplejwt's DetailDictMixin.
AuthOutcome detail_failure(const char* detail, const char* code) {
    ojson body{{"detail", detail}, {"code", code}};
    return failure_with_body(detail, code, body.dump());
}

}  // namespace

SimpleJwtSettings parse_simplejwt_settings(const json* block, const std::optional<std::string>& secret_key) {
    SimpleJwtSettings s;
    const std::string where = "$.SIMPLE_JWT";
    std::optional<std::string> signing_key = secret_key;
    std::string verifying_key;
    std::string algorithm = "HS256";
    if (block != nullptr && !block->is_null()) {
        if (!block->is_object()) config_fail(where, "expected an object (the project's SIMPLE_JWT)");
        const auto text = [&](const json& v, const std::string& at) {
            if (!v.is_string()) config_fail(at, "expected a string");
            return v.get<std::string>();
        };
        const auto optional_text = [&](const json& v, const std::string& at) -> std::optional<std::string> {
            if (v.is_null()) return std::nullopt;
            return text(v, at);
        };
        for (const auto& [key, value] : block->items()) {
            const std::string at = where + "." + key;
            if (key == "ALGORITHM") {
                algorithm = text(value, at);
            } else if (key == "SIGNING_KEY") {
                signing_key = text(value, at);
            } else if (key == "VERIFYING_KEY") {
                verifying_key = value.is_null() ? "" : text(value, at);
            } else if (key == "AUDIENCE") {
                if (value.is_string()) {
                    s.jwt.audience = std::vector<std::string>{value.get<std::string>()};
                } else if (value.is_array()) {
                    s.jwt.audience.emplace();
                    for (const auto& a : value) s.jwt.audience->push_back(text(a, at));
                } else if (!value.is_null()) {
                    config_fail(at, "expected null, a string or a list of strings");
                }
            } else if (key == "ISSUER") {
                s.jwt.issuer = optional_text(value, at);
            } else if (key == "LEEWAY") {
                if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 86400)
                    config_fail(at, "expected a number of seconds between 0 and 86400");
                s.jwt.leeway = value.get<double>();
            } else if (key == "AUTH_HEADER_TYPES") {
                s.header_types.clear();
                if (value.is_string()) {
                    s.header_types.push_back(value.get<std::string>());
                } else if (value.is_array() && !value.empty()) {
                    for (const auto& t : value) s.header_types.push_back(text(t, at));
                } else {
                    config_fail(at, "expected a string or a non-empty list of strings");
                }
                for (const auto& t : s.header_types) {
                    if (t.empty() || t.find_first_of(" \t\r\n\v\f\"\\") != std::string::npos)
                        config_fail(at, "a header type is one word without quotes or backslashes");
                }
            } else if (key == "AUTH_HEADER_NAME") {
                const std::string meta = text(value, at);
                if (meta.rfind("HTTP_", 0) != 0 || meta.size() == 5)
                    config_fail(at, "expected a request.META name of a header (\"HTTP_AUTHORIZATION\")");
                std::string h;
                for (char c : meta.substr(5)) h.push_back(c == '_' ? '-' : static_cast<char>(std::tolower(c)));
                s.header = h;
            } else if (key == "USER_ID_FIELD") {
                const std::string f = text(value, at);
                if (f != "id" && f != "username" && f != "pk")
                    config_fail(at, "only \"id\" (\"pk\") and \"username\" of auth_user are supported");
                s.user_by_id = f != "username";
            } else if (key == "USER_ID_CLAIM") {
                s.user_id_claim = text(value, at);
            } else if (key == "TOKEN_TYPE_CLAIM") {
                s.token_type_claim = optional_text(value, at);
            } else if (key == "JTI_CLAIM") {
                s.jti_claim = optional_text(value, at);
            } else if (key == "AUTH_TOKEN_CLASSES") {
                if (!value.is_array() || value.empty()) config_fail(at, "expected a non-empty list of token classes");
                s.token_classes.clear();
                for (const auto& c : value) {
                    const std::string name = text(c, at);
                    if (name == "rest_framework_simplejwt.tokens.AccessToken") {
                        s.token_classes.push_back({"AccessToken", "access", true});
                    } else if (name == "rest_framework_simplejwt.tokens.SlidingToken") {
                        s.token_classes.push_back({"SlidingToken", "sliding", true});
                    } else if (name == "rest_framework_simplejwt.tokens.UntypedToken") {
                        s.token_classes.push_back({"UntypedToken", "untyped", false});
                    } else {
                        config_fail(at, "unsupported token class '" + name.substr(0, 100) +
                                            "' (rest_framework_simplejwt.tokens.AccessToken, SlidingToken, "
                                            "UntypedToken)");
                    }
                }
            } else if (key == "JWK_URL") {
                if (!value.is_null()) config_fail(at, "JWK_URL is not supported (use VERIFYING_KEY)");
            } else if (key == "AUTH_HEADER_TYPE" || key == "AUTH_TOKEN_CLASS" || key == "SECRET_KEY" ||
                       key == "TOKEN_BACKEND_CLASS") {
                config_fail(at, "this setting has been removed from simplejwt");
            } else if (key == "ACCESS_TOKEN_LIFETIME" || key == "REFRESH_TOKEN_LIFETIME" ||
                       key == "ROTATE_REFRESH_TOKENS" || key == "BLACKLIST_AFTER_ROTATION" ||
                       key == "UPDATE_LAST_LOGIN" || key == "JSON_ENCODER" || key == "USER_AUTHENTICATION_RULE" ||
                       key == "TOKEN_USER_CLASS" || key == "SLIDING_TOKEN_REFRESH_EXP_CLAIM" ||
                       key == "SLIDING_TOKEN_LIFETIME" || key == "SLIDING_TOKEN_REFRESH_LIFETIME" ||
                       (key.size() > 11 && key.compare(key.size() - 11, 11, "_SERIALIZER") == 0)) {
                // Token issuing settings: they do not change how a request is authenticated.
            } else {
                config_fail(at, "unknown SIMPLE_JWT setting");
            }
        }
    }
    static const char* const known[] = {"HS256", "HS384", "HS512", "RS256", "RS384",
                                        "RS512", "ES256", "ES384", "ES512"};
    bool ok = false;
    for (const char* k : known) ok = ok || algorithm == k;
    if (!ok) config_fail(where + ".ALGORITHM", "Unrecognized algorithm type '" + algorithm.substr(0, 20) + "'");
    const jose::Alg alg = *jose::alg_from_name(algorithm);
    s.jwt.algorithm = algorithm;
    try {
        if (jose::family_of(alg) == jose::Family::Hmac) {
            if (!signing_key)
                config_fail(where + ".SIGNING_KEY", "needed (or DJANGO.SECRET_KEY, its default) for " + algorithm);
            if (looks_like_pem_or_ssh(*signing_key))
                config_fail(where + ".SIGNING_KEY", "an asymmetric key cannot be an HMAC secret (PyJWT refuses it)");
            s.jwt.key = jose::VerificationKey::from_secret(*signing_key, {alg}, "");
        } else {
            if (verifying_key.empty())
                config_fail(where + ".VERIFYING_KEY", "a public key (PEM) is needed for " + algorithm);
            s.jwt.key = jose::VerificationKey::from_pem(verifying_key, {alg}, "");
        }
    } catch (const jose::KeyError& e) {
        config_fail(where + (jose::family_of(alg) == jose::Family::Hmac ? ".SIGNING_KEY" : ".VERIFYING_KEY"), e.what());
    }
    return s;
}

SimpleJwtAuthenticator::SimpleJwtAuthenticator(std::shared_ptr<const Services> services, SimpleJwtSettings settings)
    : services_(std::move(services)),
      settings_(std::move(settings)),
      challenge_(settings_.header_types.front() + " realm=\"api\""),
      cache_(services_->cache_settings().ttl_seconds, services_->cache_settings().max_entries) {}

AuthOutcome SimpleJwtAuthenticator::authenticate(const http::Request& request) const {
    const std::string* header = request.header(settings_.header);
    if (header == nullptr) return AuthOutcome::not_applicable();
    const http::SplitHeader split = http::split_credentials(*header);  // bytes.split()
    if (split.count == 0) return AuthOutcome::not_applicable();
    bool mine = false;
    for (const auto& t : settings_.header_types) mine = mine || split.parts[0] == t;  // case-sensitive
    if (!mine) return AuthOutcome::not_applicable();
    if (split.count != 2)
        return detail_failure("Authorization header must contain two space-delimited values",
                              "bad_authorization_header");
    const std::string_view token = split.parts[1];

    const double now = services_->now();
    const crypto::Sha256 digest = crypto::sha256(token);
    const uint64_t generation = services_->token_cache().generation();
    if (std::optional<Entry> hit = cache_.get(digest, now)) {
        const double second = std::floor(now);
        if (hit->directory_generation == generation && second >= hit->lo && second < hit->hi &&
            now < hit->exp + settings_.jwt.leeway)
            return AuthOutcome::success(hit->user, hit->auth);
    }
    Entry fresh;
    AuthOutcome outcome = verify(token, now, fresh);
    if (outcome.kind != AuthOutcome::Kind::Authenticated) return outcome;
    fresh.directory_generation = generation;
    cache_.put(digest, fresh, now, cache_.generation());
    return outcome;
}

AuthOutcome SimpleJwtAuthenticator::verify(std::string_view token, double now, Entry& entry) const {
    const PyJwtResult decoded = pyjwt_decode(token, settings_.jwt, now);
    if (decoded.kind == PyJwtResult::Kind::ServerError) return server_error();
    ojson messages = ojson::array();
    const SimpleJwtTokenClass* accepted = nullptr;
    double exp = 0;
    for (const auto& cls : settings_.token_classes) {
        const char* message = nullptr;
        if (decoded.kind == PyJwtResult::Kind::Invalid) {
            message = kInvalid;
        } else {
            const json& p = decoded.payload;
            auto e = p.find("exp");
            if (e == p.end()) {
                message = "Token has no 'exp' claim";
            } else {
                // datetime_from_epoch: a number of seconds within datetime's range, else it raises.
                if (!e->is_number() && !e->is_boolean()) return server_error();
                exp = e->is_boolean() ? (e->get<bool>() ? 1 : 0) : e->get<double>();
                if (!std::isfinite(exp) || exp > kMaxTimestamp) return server_error();
                if (exp <= now - settings_.jwt.leeway) message = "Token 'exp' claim has expired";
            }
            if (message == nullptr && settings_.jti_claim && !p.contains(*settings_.jti_claim))
                message = "Token has no id";
            if (message == nullptr && settings_.token_type_claim && cls.check_type) {
                auto t = p.find(*settings_.token_type_claim);
                if (t == p.end())
                    message = "Token has no type";
                else if (!t->is_string() || t->get_ref<const std::string&>() != cls.token_type)
                    message = "Token has wrong type";
            }
        }
        if (message == nullptr) {
            accepted = &cls;
            break;
        }
        messages.push_back({{"token_class", cls.name}, {"token_type", cls.token_type}, {"message", message}});
    }
    if (accepted == nullptr) {
        constexpr const char* kNoType = "Given token not valid for any token type";
        ojson body{{"detail", kNoType}, {"code", "token_not_valid"}, {"messages", std::move(messages)}};
        return failure_with_body(kNoType, "token_not_valid", body.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    UserPtr user;
    AuthOutcome failed = user_of(decoded.payload, user);
    if (failed.kind == AuthOutcome::Kind::Failed) return failed;
    ojson auth{{"type", "simplejwt"}, {"token_class", accepted->name}};
    auth["claims"] = ojson::parse(decoded.payload.dump());
    entry.user = user;
    entry.auth = std::make_shared<const std::string>(auth.dump(-1, ' ', false, json::error_handler_t::replace));
    entry.lo = decoded.lo;
    entry.hi = decoded.hi;
    entry.exp = exp;
    return AuthOutcome::success(entry.user, entry.auth);
}

AuthOutcome SimpleJwtAuthenticator::user_of(const json& payload, UserPtr& user) const {
    auto claim = payload.find(settings_.user_id_claim);
    if (claim == payload.end())
        return detail_failure("Token contained no recognizable user identification", "token_not_valid");
    const json& v = *claim;
    bool lookup = !v.is_null();  // get(id=None): WHERE id IS NULL finds nobody
    if (settings_.user_by_id) {
        // IntegerField.get_prep_value: int(value); a TypeError/ValueError escapes Django (500),
        // and so does an integer SQLite cannot bind.
        int64_t id = 0;
        if (lookup) {
            const PyInt n = py_int(v);
            if (n.kind != PyInt::Kind::Ok || !(std::fabs(n.value) < 9.2e18)) return server_error();
            id = static_cast<int64_t>(n.value);
            if (v.is_number_integer() && !v.is_number_unsigned()) id = v.get<int64_t>();  // exact
            if (v.is_number_unsigned()) {
                if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return server_error();
                id = static_cast<int64_t>(v.get<uint64_t>());
            }
            user = services_->find_user(id);
        }
    } else if (lookup) {
        // CharField.get_prep_value: str(value). Only strings, integers and booleans are modelled.
        if (v.is_string()) {
            user = services_->find_user(v.get_ref<const std::string&>());
        } else if (v.is_boolean()) {
            user = services_->find_user(v.get<bool>() ? "True" : "False");
        } else if (v.is_number_integer()) {
            user = services_->find_user(v.dump());
        }
    }
    if (!user) return detail_failure("User not found", "user_not_found");
    if (!user->is_active) return detail_failure("User is inactive", "user_inactive");
    return AuthOutcome::not_applicable();
}

}  // namespace authpolicy::django::ecosystem
