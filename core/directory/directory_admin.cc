#include "core/directory/directory_admin.h"

#include <cmath>

#include <openssl/crypto.h>

#include "core/authn/oauth2_authenticator.h"
#include "core/common/error.h"
#include "core/crypto/random.h"
#include "core/http/text_encoding.h"
#include "core/identity/username_rule.h"

namespace authpolicy::directory {
namespace {

constexpr size_t kMaxTokenName = 200;
constexpr size_t kMaxClientId = 200;
constexpr size_t kMaxScope = 1000;
constexpr int64_t kMaxExpiresIn = int64_t{100} * 365 * 86400;

std::string_view checked_password(std::string_view password) {
    if (password.size() > passwords::kMaxPasswordBytes)
        throw Error(ErrorCode::Invalid, "password longer than 4096 bytes");
    return password;
}

std::string_view checked_text(std::string_view v, size_t max, const char* what) {
    if (v.size() > max || !http::is_valid_utf8(v))
        throw Error(ErrorCode::Invalid,
                    std::string(what) + " must be at most " + std::to_string(max) + " bytes of UTF-8");
    return v;
}

std::optional<int64_t> expiry(int64_t now, int64_t expires_in) {
    if (expires_in < 0 || expires_in > kMaxExpiresIn)
        throw Error(ErrorCode::Invalid, "expires_in must be between 0 (never) and 100 years");
    if (expires_in == 0) return std::nullopt;
    return now + expires_in;
}

// RFC 6749 §3.3: scope tokens are %x21 / %x23-5B / %x5D-7E, separated by single spaces.
std::string normalised_scope(std::string_view scope) {
    std::string out;
    size_t i = 0;
    while (i < scope.size()) {
        while (i < scope.size() && scope[i] == ' ') ++i;
        size_t j = i;
        while (j < scope.size() && scope[j] != ' ') {
            const auto c = static_cast<unsigned char>(scope[j]);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
                throw Error(ErrorCode::Invalid, "a scope may only hold printable ASCII without quotes or backslashes");
            ++j;
        }
        if (j > i) out += (out.empty() ? "" : " ") + std::string(scope.substr(i, j - i));
        i = j;
    }
    return out;
}

// Hands a freshly minted secret to the caller and wipes every other copy, even on failure.
template <class Store>
std::string mint(std::string secret, Store&& store) {
    try {
        store(secret);
    } catch (...) {
        OPENSSL_cleanse(secret.data(), secret.size());
        throw;
    }
    return secret;
}

}  // namespace

std::string_view checked_existing_username(std::string_view u) {
    if (u.empty() || u.size() > identity::kMaxUsernameBytes)
        throw Error(ErrorCode::Invalid, "username must be 1 to 150 bytes");
    if (!http::is_valid_utf8(u)) throw Error(ErrorCode::Invalid, "username is not valid UTF-8");
    for (unsigned char c : u) {
        // Whitespace and control characters make names ambiguous; ':' cannot travel in Basic (RFC 7617).
        if (c <= 0x20 || c == 0x7f || c == ':')
            throw Error(ErrorCode::Invalid, "username may not contain spaces, control characters or ':'");
    }
    return u;
}

DirectoryAdmin::DirectoryAdmin(std::shared_ptr<Directory> directory, unsigned password_iterations,
                               std::function<double()> now)
    : directory_(std::move(directory)), hashers_(password_iterations), now_(std::move(now)) {}

int64_t DirectoryAdmin::now() const {
    const double t = now_();
    if (!std::isfinite(t)) throw Error(ErrorCode::Callback, "the clock returned a time that is not a finite number");
    return static_cast<int64_t>(t);
}

int64_t DirectoryAdmin::add_user(std::string_view username, std::optional<std::string_view> password, UserRoles roles) {
    const std::string name = identity::normalize_new_username(username);
    NewUser u;
    u.username = name;
    u.password_hash = password ? hashers_.make(checked_password(*password)) : passwords::make_unusable_password();
    u.is_active = roles.is_active;
    u.is_staff = roles.is_staff;
    u.is_superuser = roles.is_superuser;
    return directory_->add_user(u, now());
}

void DirectoryAdmin::set_password(std::string_view username, std::optional<std::string_view> password) {
    const std::string_view name = checked_existing_username(username);
    const std::string encoded =
        password ? hashers_.make(checked_password(*password)) : passwords::make_unusable_password();
    directory_->set_password_hash(name, encoded);
}

void DirectoryAdmin::set_active(std::string_view username, bool active) {
    directory_->set_active(checked_existing_username(username), active);
}

void DirectoryAdmin::set_roles(std::string_view username, bool is_staff, bool is_superuser) {
    directory_->set_roles(checked_existing_username(username), is_staff, is_superuser);
}

void DirectoryAdmin::delete_user(std::string_view username) {
    directory_->delete_user(checked_existing_username(username));
}

std::string DirectoryAdmin::create_token(std::string_view username, std::string_view name, int64_t expires_in) {
    const std::string_view label = checked_text(name, kMaxTokenName, "token name");
    const std::string_view owner = checked_existing_username(username);
    const int64_t t = now();
    const std::optional<int64_t> expires = expiry(t, expires_in);
    return mint(crypto::random_hex(20),
                [&](const std::string& key) { directory_->add_token(crypto::sha256(key), owner, label, t, expires); });
}

void DirectoryAdmin::revoke_token(std::string_view key) {
    if (!directory_->revoke_token(crypto::sha256(key))) throw Error(ErrorCode::NotFound, "no such token");
}

std::string DirectoryAdmin::list_tokens_json(std::optional<std::string_view> username) const {
    return directory_->list_tokens_json(username);
}

std::string DirectoryAdmin::create_oauth_token(std::string_view username, std::string_view client_id,
                                               std::string_view scope, int64_t expires_in) {
    const std::string_view owner = checked_existing_username(username);
    const std::string_view client = checked_text(client_id, kMaxClientId, "client_id");
    const std::string scopes = normalised_scope(checked_text(scope, kMaxScope, "scope"));
    const int64_t t = now();
    const std::optional<int64_t> expires = expiry(t, expires_in);
    return mint(authn::new_oauth_token(), [&](const std::string& token) {
        directory_->add_oauth_token(crypto::sha256(token), owner, client, scopes, t, expires);
    });
}

void DirectoryAdmin::revoke_oauth_token(std::string_view token) {
    if (!directory_->revoke_oauth_token(crypto::sha256(token))) throw Error(ErrorCode::NotFound, "no such token");
}

std::string DirectoryAdmin::list_oauth_tokens_json(std::optional<std::string_view> username) const {
    return directory_->list_oauth_tokens_json(username);
}

std::string DirectoryAdmin::create_api_key(const apikey::Pepper& pepper, std::string_view username,
                                           std::string_view name, std::string_view scopes, int64_t expires_in,
                                           apikey::Environment env) {
    const std::string_view label = checked_text(name, kMaxTokenName, "API key name");
    const std::string_view owner = checked_existing_username(username);
    const std::string normalised = normalised_scope(checked_text(scopes, kMaxScope, "scopes"));
    const int64_t t = now();
    const std::optional<int64_t> expires = expiry(t, expires_in);
    // Selectors are 71 random bits: a collision is all but impossible, and is retried once.
    for (int attempt = 0;; ++attempt) {
        try {
            return mint(apikey::generate_key(env), [&](const std::string& key) {
                const apikey::ParsedKey parsed = *apikey::parse_key(key);
                NewApiKey row;
                row.selector = parsed.selector;
                row.prefix = parsed.prefix;
                row.verifier = pepper.verifier(parsed.selector, parsed.secret);
                row.username = owner;
                row.name = label;
                row.scopes = normalised;
                row.created = t;
                row.expires = expires;
                directory_->add_api_key(row);
            });
        } catch (const Error& e) {
            if (e.code() != ErrorCode::Exists || attempt > 0) throw;
        }
    }
}

void DirectoryAdmin::revoke_api_key(std::string_view selector_or_key) {
    std::string_view selector = selector_or_key;
    if (const auto parsed = apikey::parse_key(selector_or_key)) {
        selector = parsed->selector;
    } else if (!apikey::is_selector(selector_or_key)) {
        // Never quoted: the argument may be a mistyped key.
        throw Error(ErrorCode::Invalid, "not an API key or the 12-character selector of one");
    }
    if (!directory_->revoke_api_key(selector, now()))
        throw Error(ErrorCode::NotFound, "no such API key (or it is already revoked)");
}

std::string DirectoryAdmin::list_api_keys_json(std::optional<std::string_view> username) const {
    return directory_->list_api_keys_json(username ? std::optional(checked_existing_username(*username))
                                                   : std::nullopt);
}

int64_t DirectoryAdmin::logout_user(std::string_view username) {
    const UserPtr user = directory_->find_user(checked_existing_username(username));
    if (!user || !user->id) throw Error(ErrorCode::NotFound, "no such user");
    return directory_->remove_user_sessions(*user->id);
}

int64_t DirectoryAdmin::purge_expired_sessions() {
    return directory_->purge_expired_sessions(now());
}

}  // namespace authpolicy::directory
