#include "core/authn/session_authenticator.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "core/common/bounded_json.h"
#include "core/common/error.h"
#include "core/crypto/constant_time.h"
#include "core/crypto/hex.h"
#include "core/crypto/random.h"
#include "core/crypto/salted_hmac.h"
#include "core/django/csrf.h"
#include "core/django/signing.h"
#include "core/http/cookies.h"
#include "core/http/text_encoding.h"

namespace authpolicy::authn {
namespace {

constexpr std::string_view kHashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash";
constexpr std::string_view kKeyAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kMaxSessionKey = 40;
constexpr int64_t kTouchInterval = 60;  // embedded store: last_seen is written at most once a minute

// _auth_user_id as AutoField.to_python reads it: an int or a string of decimal digits.
std::optional<int64_t> user_id_of(const nlohmann::json& v) {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (!v.is_string()) return std::nullopt;
    std::string_view s = v.get_ref<const std::string&>();
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    int64_t id = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return id;
}

struct Resolved {
    UserPtr user;
    double expires = 0;
};

std::optional<Resolved> resolve_django(const Services& services, const django::DjangoDatabase& store,
                                       std::string_view key, double now) {
    const auto row = store.load_session(key, now);
    if (!row) return std::nullopt;
    const auto& settings = store.settings();
    const auto text = django::decode_session_data(row->data, settings.signing_rules());
    if (!text) return std::nullopt;
    nlohmann::json session;
    try {
        session = parse_bounded_json(*text, django::kMaxDecompressed);
    } catch (const Error&) {
        return std::nullopt;
    }
    if (!session.is_object()) return std::nullopt;
    const auto id_it = session.find("_auth_user_id");
    const auto backend_it = session.find("_auth_user_backend");
    if (id_it == session.end() || backend_it == session.end() || !backend_it->is_string()) return std::nullopt;
    const auto& backends = settings.authentication_backends;
    if (std::find(backends.begin(), backends.end(), backend_it->get<std::string>()) == backends.end())
        return std::nullopt;
    const auto id = user_id_of(*id_it);
    if (!id) return std::nullopt;
    UserPtr user = services.find_user(*id);
    if (!user || !user->is_active) return std::nullopt;  // ModelBackend.get_user; DRF: inactive → None
    const auto hash_it = session.find("_auth_user_hash");
    if (hash_it == session.end() || !hash_it->is_string() || hash_it->get_ref<const std::string&>().empty())
        return std::nullopt;
    const std::string& stored = hash_it->get_ref<const std::string&>();
    bool verified = crypto::constant_time_equal(stored, django_session_auth_hash(user->password, settings.secrets[0]));
    if (!verified && settings.version < 40)  // 3.2: _legacy_get_session_auth_hash (SHA-1)
        verified =
            crypto::constant_time_equal(stored, django_session_auth_hash(user->password, settings.secrets[0], true));
    if (!verified && settings.version >= 50) {  // 5.0+: hashes made with a fallback key
        for (size_t i = 1; i < settings.secrets.size() && !verified; ++i)
            verified =
                crypto::constant_time_equal(stored, django_session_auth_hash(user->password, settings.secrets[i]));
    }
    if (!verified) return std::nullopt;
    return Resolved{std::move(user), row->expires};
}

std::string embedded_secret(const Services& services) {
    const auto& configured = services.session_settings().secret_key;
    return configured ? *configured : services.directory()->session_secret();
}

std::optional<Resolved> resolve_embedded(const Services& services, const crypto::Sha256& digest, double now) {
    directory::Directory& store = *services.directory();
    const auto row = store.find_session(digest);
    if (!row) return std::nullopt;
    const auto t = static_cast<int64_t>(now);
    const int64_t idle = services.session_settings().idle_timeout;
    if (t >= row->expires) return std::nullopt;
    if (idle > 0 && t - row->last_seen >= idle) return std::nullopt;
    UserPtr user = services.find_user(row->user_id);
    if (!user || !user->is_active) return std::nullopt;
    if (!crypto::constant_time_equal(row->auth_hash,
                                     django_session_auth_hash(user->password, embedded_secret(services))))
        return std::nullopt;  // the password changed since login
    double expires = static_cast<double>(row->expires);
    if (idle > 0) {
        if (t - row->last_seen >= std::min<int64_t>(kTouchInterval, std::max<int64_t>(idle / 10, 1)))
            store.touch_session(digest, t);
        expires = std::min(expires, static_cast<double>(t + idle));
    }
    return Resolved{std::move(user), expires};
}

const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// RFC 7231 IMF-fixdate, as Django's http_date.
std::string http_date(int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// Django's HttpResponse.set_cookie rendering (attributes in SimpleCookie's sorted order).
std::string set_cookie(const std::string& name, const std::string& value, const std::optional<std::string>& domain,
                       int64_t now, int64_t max_age, bool http_only, const std::string& path,
                       const std::string& samesite, bool secure) {
    std::string out = name + "=" + value;
    if (domain) out += "; Domain=" + *domain;
    out += "; expires=" + http_date(now + max_age);
    if (http_only) out += "; HttpOnly";
    out += "; Max-Age=" + std::to_string(max_age);
    out += "; Path=" + path;
    out += "; SameSite=" + samesite;
    if (secure) out += "; Secure";
    return out;
}

}  // namespace

std::string django_session_auth_hash(std::string_view password_hash, std::string_view secret, bool sha1) {
    return crypto::to_hex(crypto::salted_hmac(sha1 ? crypto::DigestAlgorithm::Sha1 : crypto::DigestAlgorithm::Sha256,
                                              kHashSalt, password_hash, secret));
}

UserPtr resolve_session(const Services& services, std::string_view key) {
    if (key.empty() || key.size() > kMaxSessionKey) return nullptr;
    const crypto::Sha256 digest = crypto::sha256(key);
    const double now = services.now();
    auto& cache = services.session_cache();
    if (auto hit = cache.get(digest, now)) {
        if (hit->expires && now < static_cast<double>(*hit->expires)) return hit->user;
        return nullptr;
    }
    const uint64_t generation = cache.generation();
    std::optional<Resolved> r = services.django() ? resolve_django(services, *services.django(), key, now)
                                                  : resolve_embedded(services, digest, now);
    if (!r) return nullptr;  // unknown keys are never cached
    cache.put(digest, CachedCredential{r->user, nullptr, static_cast<int64_t>(r->expires)}, now, generation);
    return r->user;
}

AuthOutcome SessionAuthenticator::authenticate(const http::Request& request) const {
    const auto& settings = services_->session_settings();
    const std::string* cookies = request.header("cookie");
    if (cookies == nullptr) return AuthOutcome::not_applicable();
    const std::optional<std::string> key = http::find_cookie(*cookies, settings.cookie_name);
    if (!key || key->empty()) return AuthOutcome::not_applicable();
    UserPtr user = resolve_session(*services_, *key);
    if (!user || !user->is_active) return AuthOutcome::not_applicable();
    if (auto reason = django::check_csrf(request, settings.csrf)) {
        AuthOutcome o = AuthOutcome::failure("CSRF Failed: " + *reason);
        o.status = 403;
        o.code = "permission_denied";
        return o;
    }
    return AuthOutcome::success(std::move(user), nullptr);
}

std::shared_ptr<const Authenticator> make_session_authenticator(std::shared_ptr<const Services> services,
                                                                const nlohmann::json& options,
                                                                const std::string& where) {
    if (!options.empty())
        config_fail(where + "." + http::shown_name(options.begin().key()),
                    "SessionAuthentication takes no options (session and CSRF settings are in \"SESSIONS\")");
    return std::make_shared<SessionAuthenticator>(std::move(services));
}

SessionLogin session_login(const Services& services, std::string_view username,
                           std::optional<std::string_view> previous_key) {
    if (services.django())
        throw Error(ErrorCode::Invalid,
                    "sessions are read from the Django database, which is never written: log in "
                    "through Django");
    UserPtr user = services.find_user(username);
    if (!user || !user->id) throw Error(ErrorCode::NotFound, "no such user");
    if (!user->is_active) throw Error(ErrorCode::Invalid, "the user is inactive");
    const auto& settings = services.session_settings();
    const auto now = static_cast<int64_t>(services.now());
    SessionLogin out;
    out.key = crypto::random_string(kKeyAlphabet, 32);
    directory::SessionRow row;
    row.user_id = *user->id;
    row.auth_hash = django_session_auth_hash(user->password, embedded_secret(services));
    row.created = row.last_seen = now;
    row.expires = now + settings.cookie_age;
    std::optional<crypto::Sha256> replaces;
    if (previous_key && !previous_key->empty() && previous_key->size() <= kMaxSessionKey)
        replaces = crypto::sha256(*previous_key);
    // The old key stops working at once: the directory publishes its removal.
    services.directory()->add_session(crypto::sha256(out.key), row, replaces);
    const std::string secret = django::new_csrf_secret();
    out.csrf_token = settings.csrf_cookie_masked ? django::mask_csrf_secret(secret, django::new_csrf_secret()) : secret;
    out.session_cookie = set_cookie(settings.cookie_name, out.key, settings.cookie_domain, now, settings.cookie_age,
                                    true, settings.cookie_path, settings.cookie_samesite, settings.cookie_secure);
    out.csrf_cookie = set_cookie(settings.csrf.cookie_name, out.csrf_token, settings.csrf.cookie_domain, now,
                                 settings.csrf_cookie_age, false, "/", "Lax", settings.cookie_secure);
    return out;
}

bool session_logout(const Services& services, std::string_view key) {
    if (services.django())
        throw Error(ErrorCode::Invalid, "sessions are read from the Django database, which is never written");
    if (key.empty() || key.size() > kMaxSessionKey) return false;
    return services.directory()->remove_session(crypto::sha256(key));
}

}  // namespace authpolicy::authn
