#include "core/authn/jwt_authenticator.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/authn/bearer.h"
#include "core/authn/scoped_auth.h"
#include "core/common/bounded_json.h"
#include "core/common/error.h"

namespace authpolicy::authn {
namespace {

using json = nlohmann::json;

[[noreturn]] void config_fail(const std::string& where, const std::string& what) {
    throw Error(ErrorCode::Config, "configuration error at " + where + ": " + what);
}

constexpr size_t kMaxKeyFile = 1u << 20;
constexpr size_t kMaxUsername = 150;

std::string read_key_file(const std::string& path, const std::string& where) {
    std::ifstream in(path, std::ios::binary);
    if (!in) config_fail(where, "cannot read '" + path + "'");
    std::ostringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    if (text.size() > kMaxKeyFile) config_fail(where, "'" + path + "' is larger than 1 MiB");
    return text;
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
      challenge_(bearer_challenge(settings_.realm)),
      cache_(services_->cache_settings().ttl_seconds, services_->cache_settings().max_entries) {}

AuthOutcome JwtAuthenticator::authenticate(const http::Request& request) const {
    const BearerHeader bearer = read_bearer(request);
    if (bearer.kind == BearerHeader::Kind::Absent) return AuthOutcome::not_applicable();
    if (bearer.kind == BearerHeader::Kind::Malformed) return invalid_request(bearer.problem);
    // A token without a dot cannot be a JWS: it is an opaque token for OAuth2Authentication.
    if (bearer.token.find('.') == std::string_view::npos) return AuthOutcome::not_applicable();
    if (bearer.token.size() > jose::kMaxTokenBytes) return invalid_token(settings_.realm, "The token is too large.");

    const double now = services_->now();
    const crypto::Sha256 digest = crypto::sha256(bearer.token);
    const uint64_t generation = services_->token_cache().generation();
    std::optional<Entry> entry = cache_.get(digest, now);
    if (entry && entry->directory_generation != generation) entry.reset();
    if (entry) {
        // A cached token is re-checked in time: it never outlives exp (nor precedes nbf).
        if (const char* e = jose::check_times(entry->times, settings_.claims.leeway, now))
            return invalid_token(settings_.realm, e);
    } else {
        Entry fresh;
        AuthOutcome failed = verify_uncached(bearer.token, now, fresh);
        if (failed.kind == AuthOutcome::Kind::Failed) return failed;
        fresh.directory_generation = generation;
        cache_.put(digest, fresh, now, cache_.generation());
        entry = std::move(fresh);
    }
    if (!entry->user->is_active) return invalid_token(settings_.realm, "The user is inactive or deleted.");
    return AuthOutcome::success(entry->user, entry->auth);
}

AuthOutcome JwtAuthenticator::verify_uncached(std::string_view token, double now, Entry& entry) const {
    const jose::JwsResult jws = settings_.verifier->verify(token);
    if (!jws.ok) return invalid_token(settings_.realm, jws.error);
    if (const char* e = jose::check_claims(jws.payload, settings_.claims, now, entry.times))
        return invalid_token(settings_.realm, e);
    std::vector<std::string> scopes;
    if (const char* e = jose::extract_scopes(jws.payload, scopes)) return invalid_token(settings_.realm, e);

    auto claim = jws.payload.find(settings_.user_claim);
    if (claim == jws.payload.end()) return invalid_token(settings_.realm, "The token does not name a user.");
    std::optional<int64_t> id;
    std::string username;
    if (settings_.user_by_id) {
        if (claim->is_number_integer()) {
            id = claim->get<int64_t>();
        } else if (claim->is_string()) {
            const std::string& s = claim->get_ref<const std::string&>();
            if (!s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos)
                id = std::stoll(s);
        }
        if (!id) return invalid_token(settings_.realm, "The token user claim is malformed.");
    } else {
        if (!claim->is_string() || claim->get_ref<const std::string&>().empty() ||
            claim->get_ref<const std::string&>().size() > kMaxUsername)
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

std::shared_ptr<const Authenticator> make_jwt_authenticator(std::shared_ptr<const Services> services,
                                                            const json& options, const std::string& where,
                                                            const std::string& base_dir) {
    JwtSettings s;
    std::vector<jose::Alg> allowed;
    std::optional<std::string> typ;
    const auto at = [&](const std::string& key) { return where + "." + key; };
    const auto string_of = [&](const json& v, const std::string& key) -> std::string {
        if (!v.is_string() || v.get_ref<const std::string&>().empty())
            config_fail(at(key), "expected a non-empty string");
        return v.get<std::string>();
    };
    // Algorithms first: key binding consults the allow-list.
    if (auto it = options.find("algorithms"); it != options.end()) {
        if (!it->is_array() || it->empty())
            config_fail(at("algorithms"), "expected a non-empty list of algorithm names");
        for (const auto& a : *it) {
            auto alg = a.is_string() ? jose::alg_from_name(a.get<std::string>()) : std::nullopt;
            if (!alg)
                config_fail(at("algorithms"),
                            "unknown algorithm (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA; "
                            "names are case-sensitive and \"none\" is never accepted)");
            allowed.push_back(*alg);
        }
        bool hmac = false, asym = false;
        for (auto a : allowed) (jose::family_of(a) == jose::Family::Hmac ? hmac : asym) = true;
        if (hmac && asym)
            config_fail(at("algorithms"), "shared-secret (HS*) and public-key algorithms may not be mixed");
    }
    std::vector<jose::KeyPtr> keys;
    int sources = 0;
    std::string kid;
    if (auto it = options.find("kid"); it != options.end()) kid = string_of(*it, "kid");
    for (const auto& [key, value] : options.items()) {
        try {
            if (key == "algorithms" || key == "kid") {
                continue;
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
                        config_fail(at(key), "'" + path + "' is not valid JSON: " + e.what());
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
                if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
                    s.claims.audiences.push_back(value.get<std::string>());
                } else if (value.is_array() && !value.empty()) {
                    for (const auto& a : value) s.claims.audiences.push_back(string_of(a, key));
                } else {
                    config_fail(at(key), "expected a string or a non-empty list of strings");
                }
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
            } else if (key == "realm") {
                s.realm = string_of(value, key);
                for (unsigned char c : s.realm) {
                    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                        config_fail(at(key), "expected printable ASCII without quotes or backslashes");
                }
            } else {
                config_fail(at(key),
                            "unknown option for JWTAuthentication (issuer, audience, algorithms, jwks, jwks_file, "
                            "public_key_pem, public_key_file, secret, kid, leeway, require_exp, typ, user_claim, "
                            "user_field, lookup_user, realm)");
            }
        } catch (const jose::KeyError& e) {
            config_fail(at(key), e.what());
        }
    }
    if (sources != 1)
        config_fail(where,
                    "JWTAuthentication needs exactly one key source: jwks, jwks_file, public_key_pem, "
                    "public_key_file or secret");
    for (const auto& k : keys) {
        bool ok = allowed.empty();
        for (auto a : allowed) ok = ok || a == k->alg();
        if (!ok)
            config_fail(at("algorithms"), std::string("the key is bound to ") + jose::alg_name(k->alg()) +
                                              ", which \"algorithms\" does not list");
    }
    s.verifier = std::make_shared<jose::JwsVerifier>(std::move(keys), std::move(allowed), std::move(typ));
    return std::make_shared<JwtAuthenticator>(std::move(services), std::move(s));
}

}  // namespace authpolicy::authn
