#include "core/authn/jwt_authenticator.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/authn/bearer.h"
#include "core/authn/scoped_auth.h"
#include "core/common/bounded_file.h"
#include "core/common/bounded_json.h"
#include "core/common/error.h"
#include "core/common/grace.h"
#include "core/http/text_encoding.h"
#include "core/identity/username_rule.h"
#include "core/keys/fetch_options.h"

namespace authpolicy::authn {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxKeyFile = 1u << 20;
constexpr size_t kMaxUsername = 150;

std::string read_key_file(const std::string& path, const std::string& where) {
    std::string text;
    switch (read_bounded_file(path, kMaxKeyFile, text)) {
        case FileRead::Ok: return text;
        case FileRead::TooLarge: config_fail(where, "'" + http::shown_name(path) + "' is larger than 1 MiB");
        case FileRead::Unreadable: break;
    }
    config_fail(where, "cannot read '" + http::shown_name(path) + "'");
}

std::string resolve(const std::string& path, const std::string& base_dir) {
    if (base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
    return (std::filesystem::path(base_dir) / path).string();
}

std::string auth_json(const json& claims, const std::vector<std::string>& scopes) {
    std::string out = R"({"type":"jwt","claims":)";
    out += claims.dump(-1, ' ', false, json::error_handler_t::replace);
    out += R"(,"scopes":)";
    out += json(scopes).dump(-1, ' ', false, json::error_handler_t::replace);
    out += '}';
    return out;
}

}  // namespace

JwtAuthenticator::JwtAuthenticator(std::shared_ptr<const Services> services, JwtSettings settings)
    : services_(std::move(services)),
      settings_(std::move(settings)),
      single_{settings_.verifier, settings_.claims, settings_.remote},
      sender_(settings_.sender, settings_.realm, services_->dpop_replay_store()),
      cache_(services_->cache_settings().ttl_seconds, services_->cache_settings().max_entries) {}

AuthOutcome JwtAuthenticator::authenticate(const http::Request& request) const {
    const PresentedToken presented = sender_.read(request);
    if (presented.kind == PresentedToken::Kind::Absent) return AuthOutcome::not_applicable();
    if (presented.kind == PresentedToken::Kind::Malformed) return invalid_request(presented.problem);
    // A token without a dot cannot be a JWS: it is an opaque token for OAuth2Authentication.
    if (presented.token.find('.') == std::string_view::npos) return AuthOutcome::not_applicable();
    if (auto refused = sender_.refuse_scheme(presented)) return std::move(*refused);
    return sender_.adapt(authenticate_token(request, presented), presented);
}

AuthOutcome JwtAuthenticator::authenticate_token(const http::Request& request, const PresentedToken& presented) const {
    const std::string_view token = presented.token;
    if (token.size() > jose::kMaxTokenBytes) return invalid_token(settings_.realm, "The token is too large.");

    const double now = services_->now();
    const crypto::Sha256 digest = crypto::sha256(token);
    const uint64_t generation = services_->token_cache().generation();
    std::optional<Entry> entry = cache_.get(digest, now);
    if (entry && entry->directory_generation != generation) entry.reset();
    if (entry) {
        // A cached token is re-checked in time: it never outlives exp (nor precedes nbf).
        if (const char* e = jose::check_times(entry->times, settings_.claims.leeway, now))
            return invalid_token(settings_.realm, e);
    } else {
        Entry fresh;
        AuthOutcome failed = verify_uncached(token, now, fresh);
        if (failed.kind == AuthOutcome::Kind::Failed) return failed;
        fresh.directory_generation = generation;
        cache_.put(digest, fresh, now, cache_.generation());
        entry = std::move(fresh);
    }
    // The token is valid; whether this sender may use it (DPoP proof, bound certificate).
    AuthOutcome refused = sender_.check(request, presented, entry->cnf, now);
    if (refused.kind == AuthOutcome::Kind::Failed) return refused;
    if (!entry->user->is_active) return invalid_token(settings_.realm, "The user is inactive or deleted.");
    return AuthOutcome::success(entry->user, entry->auth);
}

jose::JwsResult JwtAuthenticator::verify_signature(std::string_view token, const JwtIssuer& issuer) const {
    if (!issuer.remote) return issuer.verifier->verify(token);
    const grace::ReadSection section;  // the snapshot stays alive while it is read
    const keys::RemoteKeySet::Snapshot* snapshot = issuer.remote->usable();
    // No keys (never fetched, or stale past stale_if_error): the machinery cannot decide, 503.
    if (snapshot == nullptr)
        throw Error(ErrorCode::Store, "no usable verification keys from " + issuer.remote->describe() +
                                          " (not fetched yet, or older than stale_if_error)");
    jose::JwsResult r = issuer.verifier->verify(token, snapshot->keys);
    if (r.unknown_kid) {
        // A key may have rotated in: one shared refetch per cooldown for the whole engine.
        const keys::RemoteKeySet::Snapshot* newer = issuer.remote->refetch_for_unknown_kid(snapshot);
        if (newer != snapshot) r = issuer.verifier->verify(token, newer->keys);
    }
    return r;
}

// max_lifetime and the RFC 9068 profile, after the signature, iss, aud and times are checked.
const char* JwtAuthenticator::check_profile(const json& payload) const {
    if (settings_.rfc9068) {
        // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat and jti are REQUIRED.
        for (const char* name : {"iss", "exp", "aud", "sub", "client_id", "iat", "jti"}) {
            if (!payload.contains(name)) return "The token lacks a claim RFC 9068 requires.";
        }
        for (const char* name : {"client_id", "jti"}) {
            if (!payload[name].is_string() || payload[name].get_ref<const std::string&>().empty())
                return "The token lacks a claim RFC 9068 requires.";
        }
    }
    if (settings_.max_lifetime) {
        const auto exp = payload.find("exp"), iat = payload.find("iat");
        if (exp == payload.end() || iat == payload.end() || !exp->is_number() || !iat->is_number())
            return "The token lifetime cannot be checked (exp and iat are required).";
        if (exp->get<double>() - iat->get<double>() > *settings_.max_lifetime)
            return "The token lifetime exceeds the maximum.";
    }
    return nullptr;
}

AuthOutcome JwtAuthenticator::verify_uncached(std::string_view token, double now, Entry& entry) const {
    const JwtIssuer* issuer = &single_;
    if (!settings_.issuers.empty()) {
        // Routed by "iss" before any key is touched; an unlisted issuer costs no fetch.
        issuer = nullptr;
        if (const auto iss = jose::unverified_issuer(token)) {
            for (const auto& candidate : settings_.issuers) {
                if (candidate.claims.issuer == *iss) issuer = &candidate;
            }
        }
        if (issuer == nullptr) return invalid_token(settings_.realm, "The token issuer is not accepted.");
    }
    const jose::JwsResult jws = verify_signature(token, *issuer);
    if (!jws.ok) return invalid_token(settings_.realm, jws.error);
    if (const char* e = jose::check_claims(jws.payload, issuer->claims, now, entry.times))
        return invalid_token(settings_.realm, e);
    if (const char* e = check_profile(jws.payload)) return invalid_token(settings_.realm, e);
    if (const char* e = read_confirmation(jws.payload, entry.cnf)) return invalid_token(settings_.realm, e);
    std::vector<std::string> scopes;
    if (const char* e = jose::extract_scopes(jws.payload, scopes)) return invalid_token(settings_.realm, e);

    auto claim = jws.payload.find(settings_.user_claim);
    if (claim == jws.payload.end()) return invalid_token(settings_.realm, "The token does not name a user.");
    std::optional<int64_t> id;
    std::string username;
    if (settings_.user_by_id) {
        // A primary key is never negative; 2^64-1 must not wrap to -1.
        if (claim->is_number_unsigned()) {
            if (claim->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) id = claim->get<int64_t>();
        } else if (claim->is_number_integer()) {
            if (claim->get<int64_t>() >= 0) id = claim->get<int64_t>();
        } else if (claim->is_string()) {
            const std::string& s = claim->get_ref<const std::string&>();
            if (!s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos)
                id = std::stoll(s);
        }
        if (!id) return invalid_token(settings_.realm, "The token user claim is malformed.");
    } else {
        if (!claim->is_string() || claim->get_ref<const std::string&>().empty() ||
            claim->get_ref<const std::string&>().size() > kMaxUsername ||
            !identity::is_readable_username(claim->get_ref<const std::string&>()))  // "alice\0admin"
            return invalid_token(settings_.realm, "The token user claim is malformed.");
        username = claim->get<std::string>();
    }
    if (settings_.lookup_user) {
        entry.user = id ? services_->find_user(*id) : services_->find_user(username);
        if (!entry.user) return invalid_token(settings_.realm, "The token user was not found.");
    } else {
        // Stateless: a user built from the claims alone (simplejwt's TokenUser).
        auto u = std::make_shared<User>();
        u->id = id;
        u->username = id ? std::to_string(*id) : username;
        entry.user = std::move(u);
    }
    std::string text = auth_json(jws.payload, scopes);
    entry.auth = make_scoped_auth(std::move(text), std::move(scopes));
    return AuthOutcome::not_applicable();  // "no failure"
}

namespace {

// Every asymmetric algorithm: a remote set's default allow-list (each key still binds one).
std::vector<jose::Alg> asymmetric_algorithms() {
    using jose::Alg;
    return {Alg::RS256, Alg::RS384, Alg::RS512, Alg::PS256, Alg::PS384,
            Alg::PS512, Alg::ES256, Alg::ES384, Alg::ES512, Alg::EdDSA};
}

std::vector<jose::Alg> parse_algorithms(const json& value, const std::string& at) {
    std::vector<jose::Alg> allowed;
    if (!value.is_array() || value.empty()) config_fail(at, "expected a non-empty list of algorithm names");
    for (const auto& a : value) {
        auto alg = a.is_string() ? jose::alg_from_name(a.get<std::string>()) : std::nullopt;
        if (!alg)
            config_fail(at,
                        "unknown algorithm (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA; "
                        "names are case-sensitive and \"none\" is never accepted)");
        allowed.push_back(*alg);
    }
    bool hmac = false, asym = false;
    for (auto a : allowed) (jose::family_of(a) == jose::Family::Hmac ? hmac : asym) = true;
    if (hmac && asym) config_fail(at, "shared-secret (HS*) and public-key algorithms may not be mixed");
    return allowed;
}

void parse_audience(const json& value, const std::string& at, std::vector<std::string>& out) {
    const auto one = [&](const json& v) {
        if (!v.is_string() || v.get_ref<const std::string&>().empty())
            config_fail(at, "expected a string or a non-empty list of strings");
        out.push_back(v.get<std::string>());
    };
    if (value.is_array() && !value.empty()) {
        for (const auto& a : value) one(a);
    } else {
        one(value);
    }
}

// A remote key set for one issuer: its jwks_uri, or discovery from the issuer.
std::shared_ptr<keys::RemoteKeySet> remote_keys(keys::KeyRegistry* registry, keys::KeySetSettings fetch,
                                                const std::string& jwks_uri, const std::string& issuer,
                                                const std::vector<jose::Alg>& allowed, const std::string& at) {
    if (registry == nullptr) config_fail(at, "remote keys need an engine (no key registry here)");
    fetch.jwks_uri = jwks_uri;
    fetch.issuer = issuer;
    fetch.allowed = allowed;
    for (auto a : allowed) {
        if (jose::family_of(a) == jose::Family::Hmac)
            config_fail(at, "shared-secret algorithms are never used with published keys");
    }
    keys::check_url(jwks_uri.empty() ? issuer : jwks_uri, at, fetch);
    return registry->key_set(fetch);
}

}  // namespace

std::shared_ptr<const Authenticator> make_jwt_authenticator(std::shared_ptr<const Services> services,
                                                            const json& options, const std::string& where,
                                                            const std::string& base_dir, keys::KeyRegistry* registry) {
    JwtSettings s;
    std::vector<jose::Alg> allowed;
    std::optional<std::string> typ;
    keys::KeySetSettings fetch;
    std::string jwks_uri;
    const json* issuers = nullptr;
    const auto at = [&](const std::string& key) { return where + "." + http::shown_name(key); };
    const auto string_of = [&](const json& v, const std::string& key) -> std::string {
        if (!v.is_string() || v.get_ref<const std::string&>().empty())
            config_fail(at(key), "expected a non-empty string");
        return v.get<std::string>();
    };
    // Algorithms first: key binding consults the allow-list.
    if (auto it = options.find("algorithms"); it != options.end()) allowed = parse_algorithms(*it, at("algorithms"));
    std::vector<jose::KeyPtr> keys;
    int sources = 0;
    std::string kid;
    if (auto it = options.find("kid"); it != options.end()) kid = string_of(*it, "kid");
    for (const auto& [key, value] : options.items()) {
        try {
            if (key == "algorithms" || key == "kid") {
                continue;
            } else if (keys::take_fetch_option(key, value, at(key), base_dir, fetch)) {
                continue;
            } else if (take_sender_option(key, value, at(key), s.sender)) {
                continue;
            } else if (key == "jwks_uri") {
                ++sources;
                jwks_uri = string_of(value, key);
            } else if (key == "issuers") {
                if (!value.is_array() || value.empty())
                    config_fail(at(key),
                                "expected a non-empty list of {\"issuer\", \"audience\", \"algorithms\", "
                                "\"jwks_uri\"} objects");
                issuers = &value;
            } else if (key == "jwks" || key == "jwks_file") {
                ++sources;
                json jwks;
                if (key == "jwks") {
                    jwks = value;
                } else {
                    const std::string path = resolve(string_of(value, key), base_dir);
                    try {
                        jwks = parse_bounded_json(read_key_file(path, at(key)), kMaxKeyFile);
                    } catch (const Error& e) {
                        if (e.code() == ErrorCode::Config) throw;
                        config_fail(at(key), "'" + http::shown_name(path) + "' is not valid JSON: " + e.what());
                    }
                }
                keys = jose::parse_jwks(jwks, allowed);
            } else if (key == "public_key_pem" || key == "public_key_file") {
                ++sources;
                const std::string pem = key == "public_key_pem"
                                            ? string_of(value, key)
                                            : read_key_file(resolve(string_of(value, key), base_dir), at(key));
                keys = {jose::VerificationKey::from_pem(pem, allowed, kid)};
            } else if (key == "secret") {
                ++sources;
                std::string secret = string_of(value, key);
                keys = {jose::VerificationKey::from_secret(secret, allowed, kid)};
                std::fill(secret.begin(), secret.end(), '\0');
            } else if (key == "issuer") {
                s.claims.issuer = string_of(value, key);
            } else if (key == "audience") {
                parse_audience(value, at(key), s.claims.audiences);
            } else if (key == "leeway") {
                if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 3600)
                    config_fail(at(key), "expected a number of seconds between 0 and 3600");
                s.claims.leeway = value.get<double>();
            } else if (key == "require_exp") {
                if (!value.is_boolean()) config_fail(at(key), "expected true or false");
                s.claims.require_exp = value.get<bool>();
            } else if (key == "user_claim") {
                s.user_claim = string_of(value, key);
            } else if (key == "user_field") {
                const std::string f = string_of(value, key);
                if (f != "username" && f != "id") config_fail(at(key), "expected \"username\" or \"id\"");
                s.user_by_id = f == "id";
            } else if (key == "lookup_user") {
                if (!value.is_boolean()) config_fail(at(key), "expected true or false");
                s.lookup_user = value.get<bool>();
            } else if (key == "typ") {
                typ = string_of(value, key);
            } else if (key == "max_lifetime") {
                if (!value.is_number() || !(value.get<double>() > 0) || value.get<double>() > 31536000)
                    config_fail(at(key), "expected a number of seconds between 1 and 31536000");
                s.max_lifetime = value.get<double>();
            } else if (key == "profile") {
                if (string_of(value, key) != "rfc9068") config_fail(at(key), "expected \"rfc9068\"");
                s.rfc9068 = true;
            } else if (key == "realm") {
                s.realm = string_of(value, key);
                for (unsigned char c : s.realm) {
                    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                        config_fail(at(key), "expected printable ASCII without quotes or backslashes");
                }
            } else {
                config_fail(
                    at(key),
                    std::string(
                        "unknown option for JWTAuthentication (issuer, issuers, audience, algorithms, "
                        "jwks, jwks_file, public_key_pem, public_key_file, secret, kid, leeway, "
                        "require_exp, typ, user_claim, user_field, lookup_user, realm, max_lifetime, profile, ") +
                        kSenderOptionNames + ", " + keys::kFetchOptionNames + ")");
            }
        } catch (const jose::KeyError& e) {
            config_fail(at(key), e.what());
        }
    }
    check_sender_options(options, s.sender, where, services->dpop_replay_store() != nullptr);
    const bool discovered = sources == 0 && s.claims.issuer && !issuers;
    if (issuers) {
        if (sources != 0 || s.claims.issuer)
            config_fail(at("issuers"),
                        "with \"issuers\", each issuer names its keys (jwks_uri or discovery); "
                        "no top-level issuer or key source");
    } else if (sources != 1 && !discovered) {
        config_fail(where,
                    "JWTAuthentication needs exactly one key source: jwks, jwks_file, public_key_pem, "
                    "public_key_file, secret or jwks_uri, or an \"issuer\" alone (discovery)");
    }
    if (s.rfc9068) {
        // RFC 9068 §4: typ must be at+jwt; iss and aud must be validated against configured values.
        std::string given = typ.value_or("at+jwt");
        for (char& ch : given) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (given != "at+jwt" && given != "application/at+jwt")
            config_fail(at("typ"), "the rfc9068 profile requires typ \"at+jwt\"");
        typ = "at+jwt";
        if ((!s.claims.issuer && !issuers) || (s.claims.audiences.empty() && !issuers))
            config_fail(at("profile"), "the rfc9068 profile needs issuer and audience");
        s.claims.require_exp = true;
    }
    if (!jwks_uri.empty() || discovered) {
        s.remote = remote_keys(registry, fetch, jwks_uri, discovered ? *s.claims.issuer : "", allowed,
                               at(discovered ? "issuer" : "jwks_uri"));
        s.verifier = std::make_shared<jose::JwsVerifier>(std::vector<jose::KeyPtr>{},
                                                         allowed.empty() ? asymmetric_algorithms() : allowed, typ);
    } else if (issuers) {
        std::set<std::string> seen;
        for (size_t i = 0; i < issuers->size(); ++i) {
            const json& entry = (*issuers)[i];
            const std::string here = at("issuers") + "[" + std::to_string(i) + "]";
            if (!entry.is_object()) config_fail(here, "expected an object");
            JwtIssuer route;
            route.claims = s.claims;
            std::vector<jose::Alg> route_allowed = allowed;
            std::string route_uri;
            for (const auto& [k, v] : entry.items()) {
                const std::string place = here + "." + k;
                if (k == "issuer") {
                    if (!v.is_string() || v.get_ref<const std::string&>().empty())
                        config_fail(place, "expected a non-empty string");
                    route.claims.issuer = v.get<std::string>();
                } else if (k == "audience") {
                    route.claims.audiences.clear();
                    parse_audience(v, place, route.claims.audiences);
                } else if (k == "algorithms") {
                    route_allowed = parse_algorithms(v, place);
                } else if (k == "jwks_uri") {
                    if (!v.is_string() || v.get_ref<const std::string&>().empty())
                        config_fail(place, "expected a non-empty string");
                    route_uri = v.get<std::string>();
                } else {
                    config_fail(place, "unknown option for an issuer (issuer, audience, algorithms, jwks_uri)");
                }
            }
            if (!route.claims.issuer) config_fail(here, "an issuer entry needs \"issuer\"");
            if (!seen.insert(*route.claims.issuer).second) config_fail(here, "the issuer is listed twice");
            route.remote = remote_keys(registry, fetch, route_uri, route_uri.empty() ? *route.claims.issuer : "",
                                       route_allowed, route_uri.empty() ? here + ".issuer" : here + ".jwks_uri");
            route.verifier = std::make_shared<jose::JwsVerifier>(
                std::vector<jose::KeyPtr>{}, route_allowed.empty() ? asymmetric_algorithms() : route_allowed, typ);
            s.issuers.push_back(std::move(route));
        }
    } else {
        for (const auto& k : keys) {
            bool ok = allowed.empty();
            for (auto a : allowed) ok = ok || a == k->alg();
            if (!ok)
                config_fail(at("algorithms"), std::string("the key is bound to ") + jose::alg_name(k->alg()) +
                                                  ", which \"algorithms\" does not list");
        }
        s.verifier = std::make_shared<jose::JwsVerifier>(std::move(keys), std::move(allowed), std::move(typ));
    }
    return std::make_shared<JwtAuthenticator>(std::move(services), std::move(s));
}

}  // namespace authpolicy::authn
