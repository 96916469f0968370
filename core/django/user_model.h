// DJANGO.USER_MODEL (docs/django.md): the table and columns of the project's AUTH_USER_MODEL.
// Every name is validated once (letters, digits, '_', at most 63 bytes) and only ever reaches SQL
// as a quoted identifier; nothing else is interpolated into a statement.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace authpolicy::django {

struct UserModel {
    std::string table = "auth_user";
    std::string username_field = "username";  // USERNAME_FIELD: what Basic logins and User::username name
    // nullopt: the model has no such field (AbstractBaseUser): is_active then counts as true,
    // is_staff and is_superuser as false.
    std::optional<std::string> is_active = "is_active";
    std::optional<std::string> is_staff = "is_staff";
    std::optional<std::string> is_superuser = "is_superuser";

    // `alias`."id", `alias`.<username>, `alias`."password", then is_active, is_staff, is_superuser
    // (an absent field as the literal true_literal / false_literal: "1"/"0" on SQLite).
    std::string select_list(const std::string& alias, const std::string& true_literal,
                            const std::string& false_literal) const;
    // The table as a quoted identifier.
    std::string quoted_table() const;
};

// `value` is DJANGO.USER_MODEL (null or absent: Django's auth_user). Throws
// Error(Config, "configuration error at $.DJANGO.USER_MODEL…: …") for a bad value or unknown key.
UserModel parse_user_model(const nlohmann::json* value, const std::string& where);

// An SQL identifier ("accounts_user" → "\"accounts_user\""); `name` must be valid (above).
std::string quote_identifier(const std::string& name);
// Letters (ASCII), digits and '_', 1 to 63 bytes (PostgreSQL's NAMEDATALEN - 1).
bool valid_identifier(const std::string& name);

}  // namespace authpolicy::django
