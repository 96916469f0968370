#include "core/directory/postgres/pg_directory.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/crypto/hex.h"
#include "core/crypto/random.h"
#include "core/directory/postgres/pg_schema.h"
#include "core/directory/postgres/pg_user_row.h"

namespace authpolicy::directory::postgres {
namespace {

#define AUTHP_USER_COLUMNS "u.id, u.username, u.password, u.is_active, u.is_staff, u.is_superuser, u.attributes"

// The reads of a cold decision, built once: a string per call costs more than the lookup of its
// prepared statement.
const std::string kFindToken = "SELECT t.id, t.name, t.created, t.expires, " AUTHP_USER_COLUMNS
                               " FROM authp_token t JOIN authp_user u ON u.id = t.user_id WHERE t.digest = $1::bytea";
const std::string kFindUserByName = "SELECT " AUTHP_USER_COLUMNS " FROM authp_user u WHERE u.username = $1::text";
const std::string kFindUserById = "SELECT " AUTHP_USER_COLUMNS " FROM authp_user u WHERE u.id = $1::bigint";
const std::string kFindSession =
    "SELECT user_id, auth_hash, created, last_seen, expires FROM authp_session WHERE digest = $1::bytea";
const std::string kFindOAuthToken =
    "SELECT t.id, t.client_id, t.scope, t.created, t.expires, " AUTHP_USER_COLUMNS
    " FROM authp_oauth_token t JOIN authp_user u ON u.id = t.user_id WHERE t.digest = $1::bytea";
const std::string kFindApiKey =
    "SELECT k.id, k.selector, k.prefix, encode(k.verifier, 'hex'), k.name, k.scopes, k.created, k.expires, "
    "k.revoked, " AUTHP_USER_COLUMNS
    " FROM authp_api_key k JOIN authp_user u ON u.id = k.user_id WHERE k.selector = $1::text";
#undef AUTHP_USER_COLUMNS

std::string hex(const crypto::Sha256& d) {
    return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string flag(bool b) {
    return b ? "true" : "false";
}

PgParam optional_int(std::optional<int64_t> v) {
    return v ? PgParam(std::to_string(*v)) : std::nullopt;
}

PgParam optional_text(std::optional<std::string_view> v) {
    return v ? PgParam(std::string(*v)) : std::nullopt;
}

// In the caller's transaction: delivered to listeners when (and only if) it commits.
void notify(PgConnection& c, const std::string& payload) {
    c.exec("SELECT pg_notify('authp_revocation', $1::text)", {payload});
}

int64_t id_of(PgConnection& c, std::string_view username) {
    PgResult r = c.exec("SELECT id FROM authp_user WHERE username = $1::text", {std::string(username)});
    if (r.rows() == 0) throw Error(ErrorCode::NotFound, "no such user");
    return r.int64(0, 0);
}

std::string dump(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::ordered_json optional_json(const PgResult& r, int row, int col) {
    return r.is_null(row, col) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.int64(row, col));
}

crypto::Sha256 digest_from_hex(const std::string& text) {
    crypto::Sha256 d{};
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    if (text.size() != d.size() * 2) throw Error(ErrorCode::Store, "authp_api_key holds a malformed verifier");
    for (size_t i = 0; i < d.size(); ++i) {
        const int hi = nibble(text[2 * i]);
        const int lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) throw Error(ErrorCode::Store, "authp_api_key holds a malformed verifier");
        d[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return d;
}

// A PostgreSQL array literal of quoted elements.
std::string text_array(const std::vector<ApiKeyUse>& uses, bool times) {
    std::string out = "{";
    for (size_t i = 0; i < uses.size(); ++i) {
        if (i > 0) out += ',';
        if (times) {
            out += std::to_string(uses[i].when);
            continue;
        }
        out += '"';
        for (char c : uses[i].selector) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace

PgDirectory::PgDirectory(PgOptions options) : options_(std::move(options)), pool_(std::make_unique<PgPool>(options_)) {}

PgDirectory::~PgDirectory() {
    listener_.reset();  // joins before the pool goes
}

PgPool& PgDirectory::use() const {
    migration_.ensure(*pool_);
    return *pool_;
}

UserPtr PgDirectory::find_user(std::string_view username) const {
    return use().read([&](PgConnection& c) -> UserPtr {
        PgResult r = c.exec(kFindUserByName, {std::string(username)});
        return r.rows() > 0 ? user_from_row(r, 0, 0) : nullptr;
    });
}

UserPtr PgDirectory::find_user(int64_t id) const {
    return use().read([&](PgConnection& c) -> UserPtr {
        PgResult r = c.exec(kFindUserById, {std::to_string(id)});
        return r.rows() > 0 ? user_from_row(r, 0, 0) : nullptr;
    });
}

std::optional<TokenRecord> PgDirectory::find_token(const crypto::Sha256& digest) const {
    return use().read([&](PgConnection& c) -> std::optional<TokenRecord> {
        PgResult r = c.exec(kFindToken, digest);
        if (r.rows() == 0) return std::nullopt;
        TokenRecord t;
        t.id = r.int64(0, 0);
        t.name = r.text(0, 1);
        t.created = r.int64(0, 2);
        t.expires = r.optional_int64(0, 3);
        t.user = user_from_row(r, 0, 4);
        return t;
    });
}

std::optional<ApiKeyRecord> PgDirectory::find_api_key(std::string_view selector) const {
    return use().read([&](PgConnection& c) -> std::optional<ApiKeyRecord> {
        PgResult r = c.exec(kFindApiKey, {std::string(selector)});
        if (r.rows() == 0) return std::nullopt;
        ApiKeyRecord k;
        k.id = r.int64(0, 0);
        k.selector = r.text(0, 1);
        k.prefix = r.text(0, 2);
        k.verifier = digest_from_hex(r.text(0, 3));
        k.name = r.text(0, 4);
        k.scopes = r.text(0, 5);
        k.created = r.int64(0, 6);
        k.expires = r.optional_int64(0, 7);
        k.revoked = r.optional_int64(0, 8);
        k.user = user_from_row(r, 0, 9);
        return k;
    });
}

std::optional<SessionRow> PgDirectory::find_session(const crypto::Sha256& digest) const {
    return use().read([&](PgConnection& c) -> std::optional<SessionRow> {
        PgResult r = c.exec(kFindSession, digest);
        if (r.rows() == 0) return std::nullopt;
        return SessionRow{r.int64(0, 0), r.text(0, 1), r.int64(0, 2), r.int64(0, 3), r.int64(0, 4)};
    });
}

std::optional<OAuthTokenRecord> PgDirectory::find_oauth_token(const crypto::Sha256& digest) const {
    return use().read([&](PgConnection& c) -> std::optional<OAuthTokenRecord> {
        PgResult r = c.exec(kFindOAuthToken, digest);
        if (r.rows() == 0) return std::nullopt;
        OAuthTokenRecord t;
        t.id = r.int64(0, 0);
        t.client_id = r.text(0, 1);
        t.scope = r.text(0, 2);
        t.created = r.int64(0, 3);
        t.expires = r.optional_int64(0, 4);
        t.user = user_from_row(r, 0, 5);
        return t;
    });
}

std::string PgDirectory::session_secret() const {
    std::lock_guard lock(secret_mutex_);
    if (!secret_.empty()) return secret_;
    const std::string fresh = crypto::random_hex(32);
    // The first process to insert wins; every other one reads the winner's secret.
    secret_ = use().write([&](PgConnection& c) {
        c.exec("INSERT INTO authp_secret (name, value) VALUES ('session', $1::text) ON CONFLICT (name) DO NOTHING",
               {fresh});
        PgResult r = c.exec("SELECT value FROM authp_secret WHERE name = 'session'");
        if (r.rows() == 0) c.fail("the session secret vanished");
        return r.text(0, 0);
    });
    return secret_;
}

int64_t PgDirectory::add_user(const NewUser& user, int64_t now) {
    return use().write([&](PgConnection& c) {
        try {
            PgResult r = c.exec(
                "INSERT INTO authp_user (username, password, is_active, is_staff, is_superuser, date_joined) "
                "VALUES ($1::text, $2::text, $3::boolean, $4::boolean, $5::boolean, $6::bigint) RETURNING id",
                {std::string(user.username), user.password_hash, flag(user.is_active), flag(user.is_staff),
                 flag(user.is_superuser), std::to_string(now)});
            return r.int64(0, 0);
        } catch (const Error& e) {
            if (e.code() == ErrorCode::Exists)
                throw Error(ErrorCode::Exists, "a user with that username already exists");
            throw;
        }
    });
}

// An UPDATE/DELETE … RETURNING id on one user: NotFound when absent, else tells the listeners.
int64_t PgDirectory::update_user(const char* sql, std::vector<PgParam> params) {
    const int64_t id = use().write([&](PgConnection& c) {
        PgResult r = c.exec(sql, params);
        if (r.rows() == 0) throw Error(ErrorCode::NotFound, "no such user");
        const int64_t changed = r.int64(0, 0);
        notify(c, "u:" + std::to_string(changed));
        return changed;
    });
    publish({Revocation::Kind::User, {}, id});
    return id;
}

void PgDirectory::set_password_hash(std::string_view username, std::string_view encoded) {
    update_user("UPDATE authp_user SET password = $1::text WHERE username = $2::text RETURNING id",
                {std::string(encoded), std::string(username)});
}

// Re-activation takes nothing away, but a cached inactive user must go as well.
void PgDirectory::set_active(std::string_view username, bool active) {
    update_user("UPDATE authp_user SET is_active = $1::boolean WHERE username = $2::text RETURNING id",
                {flag(active), std::string(username)});
}

void PgDirectory::set_roles(std::string_view username, bool is_staff, bool is_superuser) {
    update_user(
        "UPDATE authp_user SET is_staff = $1::boolean, is_superuser = $2::boolean WHERE username = $3::text "
        "RETURNING id",
        {flag(is_staff), flag(is_superuser), std::string(username)});
}

// Tokens, OAuth tokens and sessions go with the user (ON DELETE CASCADE); "u:<id>" covers them.
void PgDirectory::delete_user(std::string_view username) {
    update_user("DELETE FROM authp_user WHERE username = $1::text RETURNING id", {std::string(username)});
}

std::string PgDirectory::list_users_json() const {
    return use().read([&](PgConnection& c) {
        PgResult r =
            c.exec("SELECT id, username, is_active, is_staff, is_superuser, date_joined FROM authp_user ORDER BY id");
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back({{"id", r.int64(i, 0)},
                           {"username", r.text(i, 1)},
                           {"is_active", r.boolean(i, 2)},
                           {"is_staff", r.boolean(i, 3)},
                           {"is_superuser", r.boolean(i, 4)},
                           {"date_joined", r.int64(i, 5)}});
        }
        return dump(out);
    });
}

int64_t PgDirectory::add_token(const crypto::Sha256& digest, std::string_view username, std::string_view name,
                               int64_t created, std::optional<int64_t> expires) {
    return use().write([&](PgConnection& c) {
        const int64_t user_id = id_of(c, username);
        PgResult r = c.exec(
            "INSERT INTO authp_token (digest, user_id, name, created, expires) "
            "VALUES ($1::bytea, $2::bigint, $3::text, $4::bigint, $5::bigint) RETURNING id",
            {bytea_param(digest), std::to_string(user_id), std::string(name), std::to_string(created),
             optional_int(expires)});
        return r.int64(0, 0);
    });
}

bool PgDirectory::revoke_token(const crypto::Sha256& digest) {
    const bool removed = use().write([&](PgConnection& c) {
        PgResult r = c.exec("DELETE FROM authp_token WHERE digest = $1::bytea", digest);
        if (r.affected() == 0) return false;
        notify(c, "t:" + hex(digest));
        return true;
    });
    if (removed) publish({Revocation::Kind::Token, digest, 0});
    return removed;
}

std::string PgDirectory::list_tokens_json(std::optional<std::string_view> username) const {
    return use().read([&](PgConnection& c) {
        PgResult r = c.exec(
            "SELECT t.id, u.username, t.name, t.created, t.expires FROM authp_token t "
            "JOIN authp_user u ON u.id = t.user_id WHERE $1::text IS NULL OR u.username = $1::text ORDER BY t.id",
            {optional_text(username)});
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back({{"id", r.int64(i, 0)},
                           {"username", r.text(i, 1)},
                           {"name", r.text(i, 2)},
                           {"created", r.int64(i, 3)},
                           {"expires", optional_json(r, i, 4)}});
        }
        if (username && out.empty()) id_of(c, *username);  // no tokens, or no such user
        return dump(out);
    });
}

int64_t PgDirectory::add_api_key(const NewApiKey& key) {
    return use().write([&](PgConnection& c) {
        const int64_t user_id = id_of(c, key.username);
        PgResult r = c.exec(
            "INSERT INTO authp_api_key (selector, prefix, verifier, user_id, name, scopes, created, expires) "
            "VALUES ($1::text, $2::text, $3::bytea, $4::bigint, $5::text, $6::text, $7::bigint, $8::bigint) "
            "RETURNING id",
            {std::string(key.selector), std::string(key.prefix), bytea_param(key.verifier), std::to_string(user_id),
             std::string(key.name), std::string(key.scopes), std::to_string(key.created), optional_int(key.expires)});
        return r.int64(0, 0);
    });
}

// The NOTIFY carries the verifier as a token digest ("t:"): the caches key API keys by it, and
// a verifier, like a token digest, cannot be turned back into a key.
bool PgDirectory::revoke_api_key(std::string_view selector, int64_t now) {
    const std::optional<crypto::Sha256> verifier = use().write([&](PgConnection& c) -> std::optional<crypto::Sha256> {
        PgResult r = c.exec(
            "UPDATE authp_api_key SET revoked = $1::bigint WHERE selector = $2::text AND revoked IS NULL "
            "RETURNING encode(verifier, 'hex')",
            {std::to_string(now), std::string(selector)});
        if (r.rows() == 0) return std::nullopt;
        const crypto::Sha256 v = digest_from_hex(r.text(0, 0));
        notify(c, "t:" + hex(v));
        return v;
    });
    if (verifier) publish({Revocation::Kind::Token, *verifier, 0});
    return verifier.has_value();
}

std::string PgDirectory::list_api_keys_json(std::optional<std::string_view> username) const {
    return use().read([&](PgConnection& c) {
        PgResult r = c.exec(
            "SELECT k.id, k.selector, k.prefix, u.username, k.name, k.scopes, k.created, k.expires, k.last_used, "
            "k.revoked FROM authp_api_key k JOIN authp_user u ON u.id = k.user_id "
            "WHERE $1::text IS NULL OR u.username = $1::text ORDER BY k.id",
            {optional_text(username)});
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back({{"id", r.int64(i, 0)},
                           {"selector", r.text(i, 1)},
                           {"prefix", r.text(i, 2)},
                           {"username", r.text(i, 3)},
                           {"name", r.text(i, 4)},
                           {"scopes", r.text(i, 5)},
                           {"created", r.int64(i, 6)},
                           {"expires", optional_json(r, i, 7)},
                           {"last_used", optional_json(r, i, 8)},
                           {"revoked", optional_json(r, i, 9)}});
        }
        if (username && out.empty()) id_of(c, *username);  // no keys, or no such user
        return dump(out);
    });
}

void PgDirectory::record_api_keys_used(const std::vector<ApiKeyUse>& uses) {
    if (uses.empty()) return;
    use().write([&](PgConnection& c) {
        c.exec(
            "UPDATE authp_api_key k SET last_used = v.t FROM unnest($1::text[], $2::bigint[]) AS v(s, t) "
            "WHERE k.selector = v.s AND (k.last_used IS NULL OR k.last_used < v.t)",
            {text_array(uses, false), text_array(uses, true)});
        return 0;
    });
}

void PgDirectory::add_session(const crypto::Sha256& digest, const SessionRow& row,
                              const std::optional<crypto::Sha256>& replaces) {
    use().write([&](PgConnection& c) {
        if (replaces) {
            PgResult d = c.exec("DELETE FROM authp_session WHERE digest = $1::bytea", *replaces);
            if (d.affected() > 0) notify(c, "s:" + hex(*replaces));
        }
        c.exec(
            "INSERT INTO authp_session (digest, user_id, auth_hash, created, last_seen, expires) "
            "VALUES ($1::bytea, $2::bigint, $3::text, $4::bigint, $5::bigint, $6::bigint)",
            {bytea_param(digest), std::to_string(row.user_id), row.auth_hash, std::to_string(row.created),
             std::to_string(row.last_seen), std::to_string(row.expires)});
    });
    if (replaces) publish({Revocation::Kind::Session, *replaces, 0});
}

bool PgDirectory::remove_session(const crypto::Sha256& digest) {
    const bool removed = use().write([&](PgConnection& c) {
        PgResult r = c.exec("DELETE FROM authp_session WHERE digest = $1::bytea", digest);
        if (r.affected() == 0) return false;
        notify(c, "s:" + hex(digest));
        return true;
    });
    if (removed) publish({Revocation::Kind::Session, digest, 0});
    return removed;
}

// One notice per removed session, sent by the same statement that deletes them.
int64_t PgDirectory::remove_user_sessions(int64_t user_id) {
    const int64_t n = use().write([&](PgConnection& c) {
        PgResult r = c.exec(
            "WITH d AS (DELETE FROM authp_session WHERE user_id = $1::bigint RETURNING digest) "
            "SELECT pg_notify('authp_revocation', 's:' || encode(digest, 'hex')) FROM d",
            {std::to_string(user_id)});
        return static_cast<int64_t>(r.rows());
    });
    publish({Revocation::Kind::User, {}, user_id});
    return n;
}

void PgDirectory::touch_session(const crypto::Sha256& digest, int64_t now) {
    use().write([&](PgConnection& c) {
        c.exec("UPDATE authp_session SET last_seen = $1::bigint WHERE digest = $2::bytea AND last_seen < $1::bigint",
               {std::to_string(now), bytea_param(digest)});
    });
}

// Expired sessions are refused by their expiry already: no notice.
int64_t PgDirectory::purge_expired_sessions(int64_t now) {
    return use().write([&](PgConnection& c) {
        return c.exec("DELETE FROM authp_session WHERE expires <= $1::bigint", {std::to_string(now)}).affected();
    });
}

int64_t PgDirectory::add_oauth_token(const crypto::Sha256& digest, std::string_view username,
                                     std::string_view client_id, std::string_view scope, int64_t created,
                                     std::optional<int64_t> expires) {
    return use().write([&](PgConnection& c) {
        const int64_t user_id = id_of(c, username);
        PgResult r = c.exec(
            "INSERT INTO authp_oauth_token (digest, user_id, client_id, scope, created, expires) "
            "VALUES ($1::bytea, $2::bigint, $3::text, $4::text, $5::bigint, $6::bigint) RETURNING id",
            {bytea_param(digest), std::to_string(user_id), std::string(client_id), std::string(scope),
             std::to_string(created), optional_int(expires)});
        return r.int64(0, 0);
    });
}

bool PgDirectory::revoke_oauth_token(const crypto::Sha256& digest) {
    const bool removed = use().write([&](PgConnection& c) {
        PgResult r = c.exec("DELETE FROM authp_oauth_token WHERE digest = $1::bytea", digest);
        if (r.affected() == 0) return false;
        notify(c, "o:" + hex(digest));
        return true;
    });
    if (removed) publish({Revocation::Kind::OAuthToken, digest, 0});
    return removed;
}

std::string PgDirectory::list_oauth_tokens_json(std::optional<std::string_view> username) const {
    return use().read([&](PgConnection& c) {
        PgResult r = c.exec(
            "SELECT t.id, u.username, t.client_id, t.scope, t.created, t.expires FROM authp_oauth_token t "
            "JOIN authp_user u ON u.id = t.user_id WHERE $1::text IS NULL OR u.username = $1::text ORDER BY t.id",
            {optional_text(username)});
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (int i = 0; i < r.rows(); ++i) {
            out.push_back({{"id", r.int64(i, 0)},
                           {"username", r.text(i, 1)},
                           {"client_id", r.text(i, 2)},
                           {"scope", r.text(i, 3)},
                           {"created", r.int64(i, 4)},
                           {"expires", optional_json(r, i, 5)}});
        }
        if (username && out.empty()) id_of(c, *username);  // no tokens, or no such user
        return dump(out);
    });
}

// Every process on the database learns of a revocation from its listener; this process also
// publishes its own writes at once (above), so its engines never wait for the round trip.
void PgDirectory::start_watching() {
    std::lock_guard lock(listener_mutex_);
    if (listener_) return;
    const std::string& conninfo = options_.listen_conninfo.empty() ? options_.conninfo : options_.listen_conninfo;
    listener_ = std::make_unique<PgListener>(conninfo, redact_conninfo(conninfo), options_.connect_timeout,
                                             options_.statement_timeout, [this](const Revocation& r) { publish(r); });
    live_listener_.store(listener_.get(), std::memory_order_release);
}

// Read without migrating: `authpolicy db status` must be able to say that migrations are pending.
Directory::SchemaStatus PgDirectory::schema() const {
    const int current = pool_->read([](PgConnection& c) { return pg_schema_version(c); });
    return {current, kPgSchemaVersion};
}

void PgDirectory::migrate() {
    use();
}

bool PgDirectory::revocations_live() const {
    const PgListener* l = live_listener_.load(std::memory_order_acquire);
    return l != nullptr && l->live();
}

}  // namespace authpolicy::directory::postgres
