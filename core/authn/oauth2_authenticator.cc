#include "core/authn/oauth2_authenticator.h"

#include <openssl/crypto.h>

#include <cmath>
#include <cstdlib>

#include "core/authn/bearer.h"
#include "core/authn/scoped_auth.h"
#include "core/common/error.h"
#include "core/crypto/random.h"
#include "core/http/text_encoding.h"
#include "core/identity/username_rule.h"
#include "core/jose/base64url.h"
#include "core/jose/strict_json.h"
#include "core/keys/fetch_options.h"
#include "core/keys/introspection_client.h"

namespace authpolicy::authn {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxIntrospectionJson = 64 * 1024;

std::vector<std::string> split_scope(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) out.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

AuthValue oauth2_auth(std::string_view client_id, std::vector<std::string> scopes, std::optional<double> expires) {
    std::string text = R"({"type":"oauth2","client_id":)";
    text += json(client_id).dump(-1, ' ', false, json::error_handler_t::replace);
    text += R"(,"scopes":)";
    text += json(scopes).dump(-1, ' ', false, json::error_handler_t::replace);
    text += R"(,"expires":)";
    text += expires ? json(static_cast<int64_t>(*expires)).dump() : "null";
    text += '}';
    return make_scoped_auth(std::move(text), std::move(scopes));
}

[[noreturn]] void bad_response(const std::string& what) {
    throw Error(ErrorCode::Callback, "token introspection gave " + what);
}

}  // namespace

std::string new_oauth_token() {
    uint8_t bytes[32];
    crypto::random_bytes(bytes, sizeof bytes);
    std::string token = jose::base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
    OPENSSL_cleanse(bytes, sizeof bytes);
    return token;
}

OAuth2Authenticator::OAuth2Authenticator(std::shared_ptr<const Services> services, OAuth2Settings settings,
                                         IntrospectFn introspect)
    : services_(std::move(services)),
      settings_(std::move(settings)),
      introspect_(std::move(introspect)),
      sender_(settings_.sender, settings_.realm, services_->dpop_replay_store()),
      cache_(settings_.introspection ? settings_.introspection_cache_ttl : services_->cache_settings().ttl_seconds,
             services_->cache_settings().max_entries) {}

AuthOutcome OAuth2Authenticator::authenticate(const http::Request& request) const {
    const PresentedToken presented = sender_.read(request);
    if (presented.kind == PresentedToken::Kind::Absent) return AuthOutcome::not_applicable();
    if (presented.kind == PresentedToken::Kind::Malformed) return invalid_request(presented.problem);
    if (auto refused = sender_.refuse_scheme(presented)) return std::move(*refused);
    return sender_.adapt(authenticate_token(request, presented), presented);
}

AuthOutcome OAuth2Authenticator::authenticate_token(const http::Request& request,
                                                    const PresentedToken& presented) const {
    const std::string_view token = presented.token;
    if (token.size() > kMaxTokenLength) return invalid_token(settings_.realm, "The token is invalid.");

    const double now = services_->now();
    const crypto::Sha256 digest = crypto::sha256(token);
    const uint64_t generation = services_->token_cache().generation();
    std::optional<Entry> entry = cache_.get(digest, now);
    if (entry && entry->directory_generation != generation) entry.reset();
    if (!entry) {
        Entry fresh;
        AuthOutcome failed =
            settings_.introspection ? from_introspection(token, now, fresh) : from_store(digest, now, fresh);
        if (failed.kind == AuthOutcome::Kind::Failed) return failed;
        fresh.directory_generation = generation;
        // Only active tokens are cached; the expiry below is checked on every hit.
        cache_.put(digest, fresh, now, cache_.generation());
        entry = std::move(fresh);
    }
    if (entry->expires && now >= *entry->expires) return invalid_token(settings_.realm, "The token has expired.");
    if (entry->not_before && now < *entry->not_before)
        return invalid_token(settings_.realm, "The token is not valid yet.");
    // The token is valid; whether this sender may use it (DPoP proof, bound certificate).
    AuthOutcome refused = sender_.check(request, presented, entry->cnf, now);
    if (refused.kind == AuthOutcome::Kind::Failed) return refused;
    if (!entry->user->is_active) return invalid_token(settings_.realm, "The user is inactive or deleted.");
    return AuthOutcome::success(entry->user, entry->auth);
}

AuthOutcome OAuth2Authenticator::from_store(const crypto::Sha256& digest, double, Entry& entry) const {
    auto record = services_->directory()->find_oauth_token(digest);
    if (!record) return invalid_token(settings_.realm, "The token is invalid.");
    entry.user = record->user;
    if (record->expires) entry.expires = static_cast<double>(*record->expires);
    entry.auth = oauth2_auth(record->client_id, split_scope(record->scope), entry.expires);
    return AuthOutcome::not_applicable();
}

AuthOutcome OAuth2Authenticator::from_introspection(std::string_view token, double now, Entry& entry) const {
    if (!introspect_)
        throw Error(ErrorCode::Callback, "OAuth2Authentication uses introspection but no callback is registered");
    const std::string text = introspect_(token);
    // The JOSE parser: duplicate members ({"active":false,"active":true}) are refused, not last-wins.
    if (text.size() > kMaxIntrospectionJson) bad_response("a response that is not valid JSON");
    std::optional<json> parsed = jose::parse_strict_object(text);
    if (!parsed) bad_response("a response that is not one JSON object without duplicate members");
    const json& r = *parsed;
    // RFC 7662 §2.2: only the JSON boolean true means active ("true", 1 and absence do not).
    auto active = r.find("active");
    if (active == r.end() || !active->is_boolean() || !active->get<bool>())
        return invalid_token(settings_.realm, "The token is not active.");
    const auto time_of = [&](const char* name, std::optional<double>& out) {
        auto it = r.find(name);
        if (it == r.end() || it->is_null()) return;
        if (!it->is_number() || !std::isfinite(it->get<double>())) bad_response(std::string("a non-numeric ") + name);
        out = it->get<double>();
    };
    time_of("exp", entry.expires);
    time_of("nbf", entry.not_before);
    if (entry.expires && now >= *entry.expires) return invalid_token(settings_.realm, "The token has expired.");
    if (const char* e = read_confirmation(r, entry.cnf)) return invalid_token(settings_.realm, e);
    std::string scope, client_id, username;
    const auto string_of = [&](const char* name, std::string& out) {
        auto it = r.find(name);
        if (it == r.end() || it->is_null()) return;
        if (!it->is_string()) bad_response(std::string("a non-string ") + name);
        out = it->get<std::string>();
    };
    string_of("scope", scope);
    string_of("client_id", client_id);
    string_of("sub", username);
    string_of("username", username);  // preferred over sub when both are present
    if (username.empty() || username.size() > 150 || !identity::is_readable_username(username))
        return invalid_token(settings_.realm, "The token does not name a user.");
    if (settings_.lookup_user) {
        entry.user = services_->find_user(username);
        if (!entry.user) return invalid_token(settings_.realm, "The token user was not found.");
    } else {
        auto u = std::make_shared<User>();
        u->username = username;
        entry.user = std::move(u);
    }
    entry.auth = oauth2_auth(client_id, split_scope(scope), entry.expires);
    return AuthOutcome::not_applicable();
}

std::shared_ptr<const Authenticator> make_oauth2_authenticator(std::shared_ptr<const Services> services,
                                                               const json& options, const std::string& where,
                                                               IntrospectFn introspect, keys::KeyRegistry*,
                                                               const std::string& base_dir) {
    OAuth2Settings s;
    // RFC 7662 over HTTP (docs/oauth2.md): the endpoint, the client's credentials, fetch options.
    keys::IntrospectionSettings http;
    keys::KeySetSettings fetch;
    std::string secret_env;
    bool http_options = false;
    for (const auto& item : options.items()) {
        // Named, not structured bindings: C++17 lambdas cannot capture those (clang refuses).
        const std::string& key = item.key();
        const json& value = item.value();
        const std::string at = where + "." + http::shown_name(key);
        const auto text = [&]() -> std::string {
            if (!value.is_string() || value.get_ref<const std::string&>().empty())
                config_fail(at, "expected a non-empty string");
            return value.get<std::string>();
        };
        if (key == "introspection_endpoint") {
            http.endpoint = text();
        } else if (key == "issuer") {
            http.issuer = text();
        } else if (key == "client_id") {
            http.client_id = text();
        } else if (key == "client_secret") {
            http.client_secret = text();
        } else if (key == "client_secret_env") {
            secret_env = text();
        } else if (key == "client_auth_method") {
            if (value != "client_secret_basic" && value != "client_secret_post")
                config_fail(at, "expected \"client_secret_basic\" or \"client_secret_post\"");
            http.client_secret_post = value == "client_secret_post";
        } else if (key == "token_type_hint") {
            http.token_type_hint = text();
        } else if (take_sender_option(key, value, at, s.sender)) {
            continue;
        } else if (key.rfind("jwks_", 0) != 0 && key != "stale_if_error" && key != "unknown_kid_cooldown" &&
                   keys::take_fetch_option(key, value, at, base_dir, fetch)) {
            http_options = true;
        } else if (key == "source") {
            if (!value.is_string() || (value != "database" && value != "introspection"))
                config_fail(at, "expected \"database\" or \"introspection\"");
            s.introspection = value == "introspection";
        } else if (key == "lookup_user") {
            if (!value.is_boolean()) config_fail(at, "expected true or false");
            s.lookup_user = value.get<bool>();
        } else if (key == "introspection_cache_ttl") {
            if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 86400)
                config_fail(at, "expected a number of seconds between 0 and 86400");
            s.introspection_cache_ttl = value.get<double>();
        } else if (key == "realm") {
            if (!value.is_string() || value.get_ref<const std::string&>().empty())
                config_fail(at, "expected a non-empty string");
            s.realm = value.get<std::string>();
            for (unsigned char c : s.realm) {
                if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
                    config_fail(at, "expected printable ASCII without quotes or backslashes");
            }
        } else {
            config_fail(at,
                        "unknown option for OAuth2Authentication (source, lookup_user, introspection_cache_ttl, realm, "
                        "introspection_endpoint, issuer, client_id, client_secret, client_secret_env, "
                        "client_auth_method, token_type_hint, allow_insecure_http, ca_file, proxy, connect_timeout, "
                        "fetch_timeout, max_response_bytes, fetch_at_start, " +
                            std::string(kSenderOptionNames) + ")");
        }
    }
    check_sender_options(options, s.sender, where, services->dpop_replay_store() != nullptr);
    const bool over_http = !http.endpoint.empty() || !http.issuer.empty();
    if (over_http) {
        if (!s.introspection)
            config_fail(where + ".source", "an introspection endpoint needs \"source\": \"introspection\"");
        if (!http.endpoint.empty() && !http.issuer.empty())
            config_fail(where + ".issuer", "give introspection_endpoint or issuer (discovery), not both");
        keys::check_url(http.endpoint.empty() ? http.issuer : http.endpoint,
                        where + (http.endpoint.empty() ? ".issuer" : ".introspection_endpoint"), fetch);
        if (http.client_id.empty()) config_fail(where + ".client_id", "introspection over HTTP needs client_id");
        if (!secret_env.empty()) {
            if (!http.client_secret.empty())
                config_fail(where + ".client_secret_env", "give client_secret or client_secret_env, not both");
            const char* v = std::getenv(secret_env.c_str());
            if (v == nullptr || *v == '\0')
                config_fail(where + ".client_secret_env",
                            "the environment variable '" + secret_env.substr(0, 64) + "' is not set or empty");
            http.client_secret = v;
        }
        if (http.client_secret.empty())
            config_fail(where + ".client_secret", "introspection over HTTP needs client_secret or client_secret_env");
        http.http = fetch.http;
        auto client = std::make_shared<const keys::IntrospectionClient>(std::move(http), fetch.fetch_at_start);
        introspect = [client](std::string_view token) { return client->introspect(token); };
    } else if (http_options || !http.client_id.empty() || !http.client_secret.empty() || !secret_env.empty() ||
               !http.token_type_hint.empty() || options.contains("client_auth_method")) {
        config_fail(where, "client and fetch options need introspection_endpoint or issuer");
    }
    if (s.introspection && !introspect)
        config_fail(where + ".source",
                    "\"introspection\" needs a host introspection callback "
                    "(authp_config_set_introspection) registered before the engine is built");
    if (!s.introspection && options.contains("lookup_user"))
        config_fail(where + ".lookup_user", "only introspected tokens may skip the user lookup");
    return std::make_shared<OAuth2Authenticator>(std::move(services), std::move(s), std::move(introspect));
}

}  // namespace authpolicy::authn
