#include "core/django/user_model.h"

#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/http/text_encoding.h"

namespace authpolicy::django {
namespace {

using json = nlohmann::json;

std::string identifier_at(const json& v, const std::string& at) {
    if (!v.is_string() || !valid_identifier(v.get<std::string>()))
        config_fail(at, "expected an SQL identifier: letters, digits and '_', at most 63 bytes");
    return v.get<std::string>();
}

}  // namespace

bool valid_identifier(const std::string& name) {
    if (name.empty() || name.size() > 63) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string quote_identifier(const std::string& name) {
    if (!valid_identifier(name)) throw Error(ErrorCode::Misuse, "not a validated SQL identifier");
    return "\"" + name + "\"";
}

std::string UserModel::quoted_table() const {
    return quote_identifier(table);
}

std::string UserModel::select_list(const std::string& alias, const std::string& true_literal,
                                   const std::string& false_literal) const {
    const auto column = [&](const std::optional<std::string>& field, const std::string& absent) {
        return field ? alias + "." + quote_identifier(*field) : absent;
    };
    return alias + ".\"id\", " + alias + "." + quote_identifier(username_field) + ", " + alias + ".\"password\", " +
           column(is_active, true_literal) + ", " + column(is_staff, false_literal) + ", " +
           column(is_superuser, false_literal);
}

UserModel parse_user_model(const json* value, const std::string& where) {
    UserModel m;
    if (value == nullptr || value->is_null()) return m;
    if (!value->is_object()) config_fail(where, "expected an object (TABLE, USERNAME_FIELD, FIELDS)");
    for (const auto& [key, v] : value->items()) {
        const std::string at = where + "." + http::shown_name(key);
        if (key == "TABLE") {
            m.table = identifier_at(v, at);
        } else if (key == "USERNAME_FIELD") {
            m.username_field = identifier_at(v, at);
        } else if (key == "FIELDS") {
            if (!v.is_object()) config_fail(at, "expected an object (is_active, is_staff, is_superuser)");
            for (const auto& [field, column] : v.items()) {
                const std::string field_at = at + "." + http::shown_name(field);
                std::optional<std::string>* slot = field == "is_active"      ? &m.is_active
                                                   : field == "is_staff"     ? &m.is_staff
                                                   : field == "is_superuser" ? &m.is_superuser
                                                                             : nullptr;
                if (slot == nullptr)
                    config_fail(field_at, "unknown field (FIELDS takes is_active, is_staff, is_superuser)");
                if (column.is_null()) {
                    slot->reset();
                } else {
                    *slot = identifier_at(column, field_at);
                }
            }
        } else {
            config_fail(at, "unknown key (USER_MODEL takes TABLE, USERNAME_FIELD, FIELDS)");
        }
    }
    return m;
}

}  // namespace authpolicy::django
