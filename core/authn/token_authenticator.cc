#include "core/authn/token_authenticator.h"

#include <nlohmann/json.hpp>

#include "core/authn/keyword_credential.h"
#include "core/http/text_encoding.h"

namespace authpolicy::authn {
namespace {

constexpr const char* kNoCredentials = "Invalid token header. No credentials provided.";
constexpr const char* kSpaces = "Invalid token header. Token string should not contain spaces.";
constexpr const char* kBadCharacters = "Invalid token header. Token string should not contain invalid characters.";
constexpr const char* kInvalid = "Invalid token.";
constexpr const char* kExpired = "Token has expired.";
constexpr const char* kInactive = "User inactive or deleted.";

// {"type":"token","name":…}: only the name needs the JSON library (escaping); building the
// object around it costs a cold decision more than the rest of the host path does.
AuthValue token_auth_value(const std::string& name) {
    std::string out = R"({"type":"token","name":)";
    out += nlohmann::json(name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '}';
    return std::make_shared<const std::string>(std::move(out));
}

}  // namespace

TokenAuthenticator::TokenAuthenticator(std::shared_ptr<const Services> services, std::vector<std::string> keywords)
    : services_(std::move(services)), keywords_(std::move(keywords)) {}

AuthOutcome TokenAuthenticator::authenticate(const http::Request& request) const {
    const KeywordCredential presented = keyword_credential(request, keywords_);
    switch (presented.kind) {
        case KeywordCredential::Kind::NotMine: return AuthOutcome::not_applicable();
        case KeywordCredential::Kind::NoCredentials: return AuthOutcome::failure(kNoCredentials);
        case KeywordCredential::Kind::Spaces: return AuthOutcome::failure(kSpaces);
        case KeywordCredential::Kind::Present: break;
    }
    const std::string_view key = presented.value;
    if (!http::is_valid_utf8(key)) return AuthOutcome::failure(kBadCharacters);
    if (key.size() > kMaxKeyLength) return AuthOutcome::failure(kInvalid);

    const crypto::Sha256 digest = crypto::sha256(key);
    const double now = services_->now();
    auto& cache = services_->token_cache();
    std::optional<CachedCredential> credential = cache.get(digest, now);
    if (!credential) {
        const uint64_t generation = cache.generation();
        auto record = services_->find_token(key, digest);
        if (!record) return AuthOutcome::failure(kInvalid);  // unknown keys are never cached
        credential = CachedCredential{record->user, token_auth_value(record->name), record->expires};
        cache.put(digest, *credential, now, generation);
    }
    // Checked on every hit: a cached token never outlives its expiry.
    if (credential->expires && now >= static_cast<double>(*credential->expires)) return AuthOutcome::failure(kExpired);
    if (!credential->user->is_active) return AuthOutcome::failure(kInactive);
    return AuthOutcome::success(credential->user, credential->auth);
}

}  // namespace authpolicy::authn
