#include "core/django/ecosystem/knox_authenticator.h"

#include <nlohmann/json.hpp>

#include "core/crypto/constant_time.h"
#include "core/crypto/digest.h"
#include "core/crypto/hex.h"
#include "core/django/ecosystem/failure.h"
#include "core/http/credentials_split.h"
#include "core/http/text_encoding.h"

namespace authpolicy::django::ecosystem {
namespace {

using authn::AuthOutcome;
constexpr const char* kInvalid = "Invalid token.";
constexpr size_t kMaxToken = 1024;

}  // namespace

std::string_view utf8_prefix(std::string_view text, size_t n) {
    size_t i = 0;
    for (size_t cp = 0; i < text.size() && cp < n; ++cp) {
        ++i;
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) ++i;
    }
    return text.substr(0, i);
}

KnoxAuthenticator::KnoxAuthenticator(std::shared_ptr<const Services> services, KnoxSettings settings)
    : services_(std::move(services)),
      settings_(std::move(settings)),
      cache_(services_->cache_settings().ttl_seconds, services_->cache_settings().max_entries) {}

AuthOutcome KnoxAuthenticator::authenticate(const http::Request& request) const {
    const std::string* header = request.header("authorization");
    if (header == nullptr) return AuthOutcome::not_applicable();
    const http::SplitHeader split = http::split_credentials(*header);  // bytes.split()
    if (split.count == 0 || !http::equals_ignore_case(split.parts[0], settings_.auth_header_prefix))
        return AuthOutcome::not_applicable();
    if (split.count == 1) return AuthOutcome::failure("Invalid token header. No credentials provided.");
    if (split.count > 2) return AuthOutcome::failure("Invalid token header. Token string should not contain spaces.");
    const std::string_view token = split.parts[1];
    if (!http::is_valid_utf8(token)) return server_error();  // token.decode("utf-8") raises
    if (token.size() > kMaxToken) return AuthOutcome::failure(kInvalid);

    const double now = services_->now();
    const crypto::Sha256 digest = crypto::sha256(token);
    const uint64_t generation = services_->token_cache().generation();
    std::optional<Entry> entry = cache_.get(digest, now);
    if (entry && entry->directory_generation != generation) entry.reset();
    if (!entry) {
        const django::DjangoDatabase* store = services_->django();
        if (store == nullptr) return AuthOutcome::failure(kInvalid);
        const std::string hex = crypto::to_hex(crypto::digest(crypto::DigestAlgorithm::Sha512, token));
        for (const auto& row : store->find_knox_tokens(utf8_prefix(token, kTokenKeyLength))) {
            if (row.expiry && *row.expiry < now) continue;  // knox deletes it and moves on
            if (!crypto::constant_time_equal(hex, row.digest)) continue;
            Entry fresh;
            fresh.user = row.user;
            fresh.expiry = row.expiry;
            nlohmann::ordered_json auth{{"type", "knox"}};  // no token_key: it is part of the secret
            auth["expiry"] = row.expiry ? nlohmann::ordered_json(*row.expiry) : nullptr;
            fresh.auth = std::make_shared<const std::string>(auth.dump());
            fresh.directory_generation = generation;
            cache_.put(digest, fresh, now, cache_.generation());
            entry = std::move(fresh);
            break;
        }
        if (!entry) return AuthOutcome::failure(kInvalid);
    }
    if (entry->expiry && *entry->expiry < now) return AuthOutcome::failure(kInvalid);
    if (!entry->user->is_active) return AuthOutcome::failure("User inactive or deleted.");
    return AuthOutcome::success(entry->user, entry->auth);
}

}  // namespace authpolicy::django::ecosystem
