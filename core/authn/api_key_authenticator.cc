#include "core/authn/api_key_authenticator.h"

#include <nlohmann/json.hpp>

#include "core/apikey/api_key_format.h"
#include "core/apikey/last_used_recorder.h"
#include "core/authn/keyword_credential.h"
#include "core/authn/scoped_auth.h"
#include "core/crypto/constant_time.h"
#include "core/http/text_encoding.h"

namespace authpolicy::authn {
namespace {

// TokenAuthentication's messages, with "token" read as "API key" where DRF names the credential.
constexpr const char* kNoCredentials = "Invalid API key header. No credentials provided.";
constexpr const char* kSpaces = "Invalid API key header. API key string should not contain spaces.";
constexpr const char* kInvalid = "Invalid API key.";
constexpr const char* kInactive = "User inactive or deleted.";

AuthValue api_key_auth_value(const directory::ApiKeyRecord& r) {
    std::vector<std::string> scopes = split_scope_string(r.scopes);
    nlohmann::ordered_json j{{"type", "api_key"}, {"selector", r.selector}, {"prefix", r.prefix},
                             {"name", r.name},    {"scope", r.scopes},      {"scopes", scopes}};
    return make_scoped_auth(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), std::move(scopes));
}

}  // namespace

ApiKeyAuthenticator::ApiKeyAuthenticator(std::shared_ptr<const Services> services,
                                         std::shared_ptr<const apikey::Pepper> pepper,
                                         std::vector<std::string> keywords)
    : services_(std::move(services)), pepper_(std::move(pepper)), keywords_(std::move(keywords)) {}

AuthOutcome ApiKeyAuthenticator::authenticate(const http::Request& request) const {
    const KeywordCredential presented = keyword_credential(request, keywords_);
    switch (presented.kind) {
        case KeywordCredential::Kind::NotMine: return AuthOutcome::not_applicable();
        case KeywordCredential::Kind::NoCredentials: return AuthOutcome::failure(kNoCredentials);
        case KeywordCredential::Kind::Spaces: return AuthOutcome::failure(kSpaces);
        case KeywordCredential::Kind::Present: break;
    }

    // Prefix, length, alphabet and checksum: a mistyped or made-up key ends here, before any
    // lookup, so guessing costs the store nothing.
    const std::optional<apikey::ParsedKey> key = apikey::parse_key(presented.value);
    if (!key) return AuthOutcome::failure(kInvalid);

    // The cache is keyed by the verifier, HMAC(pepper, selector ‖ secret), computed on every
    // request. A hit therefore proves the presented secret is the one stored: a key with a
    // known selector but a wrong secret has another verifier and can never hit. Keying by the
    // selector alone would let any secret pass once the right one had been cached. Entries are
    // stored only after the constant-time comparison with the row's verifier, and a revocation
    // (which carries the verifier) drops exactly this entry, on every server.
    const crypto::Sha256 verifier = pepper_->verifier(key->selector, key->secret);
    const double now = services_->now();
    auto& cache = services_->token_cache();
    std::optional<CachedCredential> credential = cache.get(verifier, now);
    if (!credential) {
        const uint64_t generation = cache.generation();
        const std::optional<directory::ApiKeyRecord> record = services_->directory()->find_api_key(key->selector);
        if (!record || record->revoked || record->prefix != key->prefix ||
            !crypto::constant_time_equal(
                std::string_view(reinterpret_cast<const char*>(record->verifier.data()), record->verifier.size()),
                std::string_view(reinterpret_cast<const char*>(verifier.data()), verifier.size())))
            return AuthOutcome::failure(kInvalid);  // unknown, revoked or wrong keys are never cached
        credential = CachedCredential{record->user, api_key_auth_value(*record), record->expires};
        cache.put(verifier, *credential, now, generation);
    }
    // Checked on every hit: a cached key never outlives its expiry. Expired, revoked and unknown
    // keys get one answer, so a response does not tell which keys exist.
    if (credential->expires && now >= static_cast<double>(*credential->expires)) return AuthOutcome::failure(kInvalid);
    if (!credential->user->is_active) return AuthOutcome::failure(kInactive);
    if (apikey::LastUsedRecorder* usage = services_->api_key_usage())
        usage->record(key->selector, static_cast<int64_t>(now));
    return AuthOutcome::success(credential->user, credential->auth);
}

}  // namespace authpolicy::authn
