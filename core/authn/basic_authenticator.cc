#include "core/authn/basic_authenticator.h"

#include <openssl/crypto.h>

#include "core/crypto/base64.h"
#include "core/http/credentials_split.h"
#include "core/http/text_encoding.h"
#include "core/throttle/throttle.h"

namespace authpolicy::authn {
namespace {

constexpr const char* kNoCredentials = "Invalid basic header. No credentials provided.";
constexpr const char* kSpaces = "Invalid basic header. Credentials string should not contain spaces.";
constexpr const char* kBadBase64 = "Invalid basic header. Credentials not correctly base64 encoded.";
constexpr const char* kInvalid = "Invalid username/password.";

// Zeroes the decoded credentials when they go out of scope.
struct Scrubbed {
    std::string text;
    ~Scrubbed() { OPENSSL_cleanse(text.data(), text.size()); }
};

}  // namespace

BasicAuthenticator::BasicAuthenticator(std::shared_ptr<const Services> services, std::string realm,
                                       std::shared_ptr<const LoginFailureGuard> guard)
    : services_(std::move(services)), challenge_("Basic realm=\"" + realm + "\""), guard_(std::move(guard)) {}

AuthOutcome BasicAuthenticator::authenticate(const http::Request& request) const {
    const std::string* header = request.header("authorization");
    if (header == nullptr) return AuthOutcome::not_applicable();
    const http::SplitHeader split = http::split_credentials(*header);
    if (split.count == 0 || !http::equals_ignore_case(split.parts[0], "basic")) return AuthOutcome::not_applicable();
    if (split.count == 1) return AuthOutcome::failure(kNoCredentials);
    if (split.count > 2) return AuthOutcome::failure(kSpaces);

    auto decoded = crypto::base64_decode_lenient(split.parts[1]);
    if (!decoded) return AuthOutcome::failure(kBadBase64);
    Scrubbed raw{std::move(*decoded)};
    // DRF decodes UTF-8 and falls back to latin-1, which never fails.
    Scrubbed text{http::is_valid_utf8(raw.text) ? raw.text : http::latin1_to_utf8(raw.text)};
    const size_t colon = text.text.find(':');
    if (colon == std::string::npos) return AuthOutcome::failure(kBadBase64);
    return authenticate_credentials(std::string_view(text.text).substr(0, colon),
                                    std::string_view(text.text).substr(colon + 1), request);
}

AuthOutcome BasicAuthenticator::authenticate_credentials(std::string_view userid, std::string_view password,
                                                         const http::Request& request) const {
    const double now = services_->now();
    auto& cache = services_->basic_cache();
    crypto::Sha256 key{};
    uint64_t generation = 0;
    if (cache.enabled()) {
        key = services_->basic_cache_key(userid, password);
        // A hit proves the password: nothing is being guessed, so LOGIN_FAILURES is not consulted.
        if (auto hit = cache.get(key, now)) return AuthOutcome::success(hit->user, nullptr);
        generation = cache.generation();
    }
    std::optional<LoginAttempt> attempt;
    if (guard_) {
        attempt = guard_->attempt(userid, request);
        if (const auto wait = guard_->refused_for(*attempt, now)) {
            // Refused before the hasher runs: guessing costs the attacker, not our CPU.
            AuthOutcome o = AuthOutcome::failure(throttle::throttled_detail(static_cast<double>(*wait)));
            o.status = 429;
            o.code = "throttled";
            o.retry_after = *wait;
            return o;
        }
    }
    AuthOutcome outcome = check_password(userid, password);
    if (attempt) {
        if (outcome.kind == AuthOutcome::Kind::Authenticated)
            guard_->succeeded(*attempt);
        else
            guard_->failed(*attempt, userid, now);
    }
    if (outcome.kind == AuthOutcome::Kind::Authenticated && cache.enabled())
        cache.put(key, CachedCredential{outcome.user, nullptr, std::nullopt}, services_->now(), generation);
    return outcome;
}

AuthOutcome BasicAuthenticator::check_password(std::string_view userid, std::string_view password) const {
    // Django's ModelBackend: an unknown user still costs one hash; an inactive user fails
    // after the password check with the same message.
    UserPtr user = services_->find_user(userid);
    if (!user) {
        services_->run_dummy_password_check(password);
        return AuthOutcome::failure(kInvalid);
    }
    if (!services_->check_password(*user, password) || !user->is_active) return AuthOutcome::failure(kInvalid);
    // The cache entry is stamped after the KDF (by the caller), so it lives the whole TTL.
    return AuthOutcome::success(std::move(user), nullptr);
}

}  // namespace authpolicy::authn
