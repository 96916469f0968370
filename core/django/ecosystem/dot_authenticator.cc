#include "core/django/ecosystem/dot_authenticator.h"

#include <nlohmann/json.hpp>

#include "core/authn/scoped_auth.h"
#include "core/django/ecosystem/python_compat.h"
#include "core/http/text_encoding.h"

namespace authpolicy::django::ecosystem {
namespace {

using authn::AuthOutcome;
constexpr std::string_view kAuthType = R"({"type":"oauth2_provider")";
constexpr size_t kMaxToken = 255;  // AccessToken.token is a CharField(max_length=255)

AuthOutcome refused(const char* description) {
    AuthOutcome o = AuthOutcome::not_applicable();
    o.failure_challenge =
        std::string(R"(Bearer realm="api",error="invalid_token",error_description=")") + description + "\"";
    return o;
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) return false;
    }
    return true;
}

// scope.split() of the stored (UTF-8) text: its ASCII whitespace; scope names are ASCII in
// practice (RFC 6749 §3.3), so Unicode spaces inside a name are not modelled.
std::vector<std::string> split_scope(const std::string& scope) {
    const auto space = [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); };
    std::vector<std::string> out;
    size_t i = 0;
    while (i < scope.size()) {
        while (i < scope.size() && space(static_cast<unsigned char>(scope[i]))) ++i;
        size_t j = i;
        while (j < scope.size() && !space(static_cast<unsigned char>(scope[j]))) ++j;
        if (j > i) out.push_back(scope.substr(i, j - i));
        i = j;
    }
    return out;
}

}  // namespace

bool is_dot_auth(const AuthValue& auth) {
    return auth && auth->compare(0, kAuthType.size(), kAuthType) == 0;
}

DotAuthenticator::DotAuthenticator(std::shared_ptr<const Services> services)
    : services_(std::move(services)),
      cache_(services_->cache_settings().ttl_seconds, services_->cache_settings().max_entries) {}

AuthOutcome DotAuthenticator::authenticate(const http::Request& request) const {
    // oauthlib's get_token_from_header: the header wins; only without it the request parameter.
    std::string_view raw;
    if (const std::string* header = request.header("authorization")) {
        const PySplit split = py_str_split_latin1(*header, 2);
        if (split.count == 2 && ascii_iequals(split.parts[0], "bearer")) raw = split.parts[1];
    } else if (const std::string* field = request.form_field("access_token")) {
        raw = *field;
    }
    if (raw.empty()) return AuthOutcome::not_applicable();  // validate_bearer_token(None): no error
    // Django hands DOT latin-1 text; the database compares its UTF-8 encoding.
    const std::string token = http::is_valid_utf8(raw) && request.header("authorization") == nullptr
                                  ? std::string(raw)
                                  : http::latin1_to_utf8(raw);

    const double now = services_->now();
    const crypto::Sha256 digest = crypto::sha256(token);
    const uint64_t generation = services_->token_cache().generation();
    std::optional<Entry> entry = cache_.get(digest, now);
    if (entry && entry->directory_generation != generation) entry.reset();
    if (!entry) {
        const django::DjangoDatabase* store = services_->django();
        std::optional<DjangoDatabase::DotToken> row;
        if (store != nullptr && token.size() <= kMaxToken) row = store->find_dot_access_token(token);
        if (!row) return refused("The access token is invalid.");
        Entry fresh;
        fresh.user = row->user;
        fresh.expires = row->expires;
        nlohmann::ordered_json auth{{"type", "oauth2_provider"}, {"id", row->id}};
        auth["application_id"] = row->application_id ? nlohmann::ordered_json(*row->application_id) : nullptr;
        auth["scope"] = row->scope;
        std::vector<std::string> scopes;
        scopes = split_scope(row->scope);
        auth["scopes"] = scopes;
        auth["expires"] = row->expires ? nlohmann::ordered_json(*row->expires) : nullptr;
        fresh.auth = authn::make_scoped_auth(auth.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                                             std::move(scopes));
        fresh.directory_generation = generation;
        cache_.put(digest, fresh, now, cache_.generation());
        entry = std::move(fresh);
    }
    if (!entry->expires || now >= *entry->expires) return refused("The access token has expired.");
    return AuthOutcome::success(entry->user, entry->auth);
}

}  // namespace authpolicy::django::ecosystem
