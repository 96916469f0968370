#include "core/django/ecosystem/api_key_permission.h"

#include <mutex>

#include "core/cache/credential_cache.h"
#include "core/django/ecosystem/ecosystem_settings.h"
#include "core/engine/services.h"
#include "core/http/text_encoding.h"

namespace authpolicy::django::ecosystem {
namespace {

constexpr std::string_view kSeparator = "Api-Key ";
constexpr std::string_view kCacheDomain = "rest_framework_api_key\x1f";
constexpr size_t kMaxKey = 200;  // id is a CharField(max_length=100): prefix + "." + hash

struct Verified {
    std::optional<double> expiry;
};

class HasApiKey final : public authz::Permission {
  public:
    HasApiKey(std::optional<std::string> message, std::optional<std::string> code)
        : message_(std::move(message)), code_(std::move(code)) {}

    bool has_permission(authz::PermissionContext& ctx) const override {
        const http::Request* request = ctx.request();
        const Services* services = ctx.services();
        if (request == nullptr || services == nullptr || services->django() == nullptr) return false;
        std::string_view raw;
        const EcosystemSettings* eco = services->ecosystem();
        if (eco != nullptr && eco->api_key_header) {
            const std::string* h = request->header(*eco->api_key_header);
            if (h == nullptr) return false;
            raw = *h;
        } else {
            const std::string* h = request->header("authorization");
            if (h == nullptr || h->empty()) return false;
            auto key = api_key_from_authorization(*h);
            if (!key) return false;
            raw = *key;
        }
        if (raw.empty() || raw.size() > kMaxKey) return false;
        const std::string key = http::latin1_to_utf8(raw);  // the header is latin-1 text to Django

        const double now = services->now();
        auto& cache = cache_for(*services);
        const crypto::Sha256 cache_key = services->basic_cache_key(kCacheDomain, key);
        std::optional<Verified> hit = cache.get(cache_key, now);
        if (!hit) {
            const uint64_t generation = cache.generation();
            const std::string_view prefix = std::string_view(key).substr(0, key.find('.'));
            auto row = services->django()->find_api_key(prefix);
            if (!row || !passwords::is_usable(row->hashed_key)) return false;
            if (!services->hashers().verify(key, row->hashed_key).matches) return false;
            hit = Verified{row->expiry};
            cache.put(cache_key, *hit, services->now(), generation);
        }
        return !(hit->expiry && *hit->expiry < now);  // has_expired: expiry_date < now
    }
    const std::optional<std::string>& message() const override { return message_; }
    const std::optional<std::string>& code() const override { return code_; }

  private:
    // The cache follows the engine's CACHE settings, known only once the engine exists.
    cache::CredentialCache<Verified>& cache_for(const Services& services) const {
        std::call_once(cache_once_, [&] {
            cache_ = std::make_unique<cache::CredentialCache<Verified>>(services.cache_settings().ttl_seconds,
                                                                        services.cache_settings().max_entries);
        });
        return *cache_;
    }

    std::optional<std::string> message_;
    std::optional<std::string> code_;
    mutable std::once_flag cache_once_;
    mutable std::unique_ptr<cache::CredentialCache<Verified>> cache_;
};

}  // namespace

std::optional<std::string_view> api_key_from_authorization(std::string_view authorization) {
    // `_, key = authorization.split("Api-Key ")`: exactly two parts, whatever precedes the first.
    const size_t at = authorization.find(kSeparator);
    if (at == std::string_view::npos) return std::nullopt;
    const std::string_view key = authorization.substr(at + kSeparator.size());
    if (key.find(kSeparator) != std::string_view::npos) return std::nullopt;
    return key;
}

authz::PermissionPtr make_api_key_permission(std::string_view name, std::optional<std::string> message,
                                             std::optional<std::string> code) {
    if (name != "rest_framework_api_key.permissions.HasAPIKey") return nullptr;
    return std::make_shared<HasApiKey>(std::move(message), std::move(code));
}

}  // namespace authpolicy::django::ecosystem
