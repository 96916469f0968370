// The Django database on PostgreSQL (django.db.backends.postgresql), over a PgPool: SELECTs only,
// no migration, never a write. Datetimes are `timestamp with time zone`, read as epoch seconds
// (so USE_TZ does not matter here). Keys are range-searched with the pattern operators
// (~>=~, ~<~: byte order whatever the database's collation, and the `…_like` indexes Django
// makes for its CharField keys). A text parameter that PostgreSQL could not hold (a NUL byte,
// invalid UTF-8) finds nothing, as no stored value can equal it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/directory/postgres/pg_pool.h"
#include "core/django/django_database.h"

namespace authpolicy::django {

class PostgresDjangoDatabase final : public DjangoDatabase {
  public:
    explicit PostgresDjangoDatabase(DjangoSettings settings);

    UserPtr find_user(std::string_view username) const override;
    UserPtr find_user(int64_t id) const override;
    UserPtr find_token_user(std::string_view key) const override;
    std::optional<SessionRow> load_session(std::string_view key, double now) const override;
    std::optional<DotToken> find_dot_access_token(std::string_view token) const override;
    std::optional<ApiKey> find_api_key(std::string_view prefix) const override;
    std::vector<KnoxToken> find_knox_tokens(std::string_view token_key) const override;
    void require_table(const char* table) const override;

  private:
    mutable directory::postgres::PgPool pool_;
    struct Sql {
        std::string check, user_by_name, user_by_id, token, dot, knox;
    } sql_;
};

// The range [lo, hi) of UTF-8 strings (in code point order, which is byte order) that start with
// the first `n` bytes of `key` cut back to a whole character; nullopt when `key` is not UTF-8
// PostgreSQL can store (NUL, malformed) or no such upper bound exists.
std::optional<std::pair<std::string, std::string>> utf8_prefix_range(std::string_view key, size_t n);

}  // namespace authpolicy::django
