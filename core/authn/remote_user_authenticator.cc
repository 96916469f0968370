#include "core/authn/remote_user_authenticator.h"

#include <algorithm>

#include "core/common/error.h"
#include "core/identity/username_rule.h"
#include "core/passwords/password_hasher.h"

namespace authpolicy::authn {

RemoteUserAuthenticator::RemoteUserAuthenticator(std::shared_ptr<Services> services, std::optional<std::string> header,
                                                 bool create_unknown_user)
    : services_(std::move(services)), header_(std::move(header)), create_unknown_user_(create_unknown_user) {
    if (header_)
        std::transform(header_->begin(), header_->end(), header_->begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
}

AuthOutcome RemoteUserAuthenticator::authenticate(const http::Request& request) const {
    std::string_view remote_user;
    if (header_) {
        const std::string* value = request.header(*header_);
        if (value != nullptr) remote_user = *value;
    } else {
        remote_user = request.remote_user();
    }
    if (remote_user.empty()) return AuthOutcome::not_applicable();  // RemoteUserBackend: empty → None
    UserPtr user = services_->find_user(remote_user);
    if (!user && create_unknown_user_) {
        // Only a name the directory would accept as it is (already NFKC, within the rule):
        // creating "admin" for "ａｄｍｉｎ", or a name with terminal escapes, is refused (anonymous).
        try {
            if (identity::normalize_new_username(remote_user) != remote_user) return AuthOutcome::not_applicable();
        } catch (const Error& e) {
            if (e.code() != ErrorCode::Invalid) throw;
            return AuthOutcome::not_applicable();
        }
        // Django's RemoteUserBackend creates unknown users (with an unusable password).
        try {
            directory::NewUser fresh{remote_user, passwords::make_unusable_password()};
            services_->directory()->add_user(fresh, static_cast<int64_t>(services_->now()));
        } catch (const Error& e) {
            if (e.code() != ErrorCode::Exists) throw;  // created meanwhile by another request
        }
        user = services_->find_user(remote_user);
    }
    if (!user || !user->is_active) return AuthOutcome::not_applicable();
    return AuthOutcome::success(std::move(user), nullptr);
}

}  // namespace authpolicy::authn
