// The Django database on SQLite: the project's file opened with mode=ro; a small set of
// connections, one per concurrent reader.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/directory/sqlite/sqlite_connection.h"
#include "core/django/django_database.h"

namespace authpolicy::django {

class SqliteDjangoDatabase final : public DjangoDatabase {
  public:
    SqliteDjangoDatabase(DjangoSettings settings, int busy_timeout_ms);

    UserPtr find_user(std::string_view username) const override;
    UserPtr find_user(int64_t id) const override;
    UserPtr find_token_user(std::string_view key) const override;
    std::optional<SessionRow> load_session(std::string_view key, double now) const override;
    std::optional<DotToken> find_dot_access_token(std::string_view token) const override;
    std::optional<ApiKey> find_api_key(std::string_view prefix) const override;
    std::vector<KnoxToken> find_knox_tokens(std::string_view token_key) const override;
    void require_table(const char* table) const override;

  private:
    template <class F>
    auto read(F&& fn) const;

    std::string uri_;
    int busy_timeout_ms_;
    // The statements naming the user model, made once: Connection caches statements by the
    // address of their text.
    struct Sql {
        std::string check, user_by_name, user_by_id, token, dot, knox;
    } sql_;
    struct Slot {
        std::mutex mutex;
        std::unique_ptr<directory::sqlite::Connection> connection;
    };
    mutable std::vector<std::unique_ptr<Slot>> slots_;
};

// "2024-01-02 03:04:05.678901" (Django's SQLite datetime text) → Unix seconds; nullopt if malformed.
std::optional<double> parse_django_datetime(std::string_view text, bool utc);

}  // namespace authpolicy::django
