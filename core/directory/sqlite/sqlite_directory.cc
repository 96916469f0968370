#include "core/directory/sqlite/sqlite_directory.h"

namespace authpolicy::directory::sqlite {

SqliteDirectory::SqliteDirectory(std::shared_ptr<SqliteDatabase> db)
    : db_(std::move(db)), users_(db_), tokens_(db_), sessions_(db_), oauth_(db_), api_keys_(db_) {}

void SqliteDirectory::set_password_hash(std::string_view username, std::string_view encoded) {
    tell({Revocation::Kind::User, {}, users_.set_password_hash(username, encoded)});
}

void SqliteDirectory::set_active(std::string_view username, bool active) {
    tell({Revocation::Kind::User, {}, users_.set_active(username, active)});
}

void SqliteDirectory::set_roles(std::string_view username, bool is_staff, bool is_superuser) {
    tell({Revocation::Kind::User, {}, users_.set_roles(username, is_staff, is_superuser)});
}

void SqliteDirectory::delete_user(std::string_view username) {
    tell({Revocation::Kind::User, {}, users_.remove(username)});
}

bool SqliteDirectory::revoke_token(const crypto::Sha256& digest) {
    const bool removed = tokens_.revoke(digest);
    if (removed) tell({Revocation::Kind::Token, digest, 0});
    return removed;
}

void SqliteDirectory::add_session(const crypto::Sha256& digest, const SessionRow& row,
                                  const std::optional<crypto::Sha256>& replaces) {
    sessions_.add(digest, row, replaces);
    if (replaces) tell({Revocation::Kind::Session, *replaces, 0});
}

bool SqliteDirectory::remove_session(const crypto::Sha256& digest) {
    const bool removed = sessions_.remove(digest);
    if (removed) tell({Revocation::Kind::Session, digest, 0});
    return removed;
}

int64_t SqliteDirectory::remove_user_sessions(int64_t user_id) {
    const int64_t n = sessions_.remove_user(user_id);
    tell({Revocation::Kind::User, {}, user_id});
    return n;
}

bool SqliteDirectory::revoke_oauth_token(const crypto::Sha256& digest) {
    const bool removed = oauth_.revoke(digest);
    if (removed) tell({Revocation::Kind::OAuthToken, digest, 0});
    return removed;
}

bool SqliteDirectory::revoke_api_key(std::string_view selector, int64_t now) {
    const std::optional<crypto::Sha256> verifier = api_keys_.revoke(selector, now);
    if (verifier) tell({Revocation::Kind::Token, *verifier, 0});
    return verifier.has_value();
}

}  // namespace authpolicy::directory::sqlite
