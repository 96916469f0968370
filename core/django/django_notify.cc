#include "core/django/django_notify.h"

#include "core/common/error.h"
#include "core/directory/postgres/pg_pool.h"
#include "core/django/user_model.h"

namespace authpolicy::django {

// A user change notifies only when something a decision reads changed (Django updates
// last_login on every login: that must not empty every engine's cache of the user).
std::string notify_sql(const DjangoSettings& settings, bool install) {
    const UserModel& m = settings.user_model;
    const std::string table = m.quoted_table();
    if (!install) {
        return "DROP TRIGGER IF EXISTS authp_revocation ON " + table +
               ";\nDROP TRIGGER IF EXISTS authp_revocation_update ON " + table +
               ";\n"
               "DROP TRIGGER IF EXISTS authp_revocation ON authtoken_token;\n"
               "DROP TRIGGER IF EXISTS authp_revocation ON django_session;\n"
               "DROP FUNCTION IF EXISTS authp_django_revocation();\n";
    }
    std::string changed = "OLD." + quote_identifier(m.username_field) + " IS DISTINCT FROM NEW." +
                          quote_identifier(m.username_field) + " OR OLD.\"password\" IS DISTINCT FROM NEW.\"password\"";
    for (const auto* field : {&m.is_active, &m.is_staff, &m.is_superuser}) {
        if (!*field) continue;
        const std::string f = quote_identifier(**field);
        changed += " OR OLD." + f + " IS DISTINCT FROM NEW." + f;
    }
    return R"sql(CREATE OR REPLACE FUNCTION authp_django_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'authtoken_token' THEN
        PERFORM pg_notify('authp_revocation', 't:' || encode(sha256(convert_to(OLD.key, 'UTF8')), 'hex'));
    ELSIF TG_TABLE_NAME = 'django_session' THEN
        PERFORM pg_notify('authp_revocation', 's:' || encode(sha256(convert_to(OLD.session_key, 'UTF8')), 'hex'));
    ELSE
        PERFORM pg_notify('authp_revocation', 'u:' || OLD.id);
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS authp_revocation ON )sql" +
           table + ";\nCREATE TRIGGER authp_revocation AFTER DELETE ON " + table +
           " FOR EACH ROW EXECUTE FUNCTION authp_django_revocation();\n"
           "DROP TRIGGER IF EXISTS authp_revocation_update ON " +
           table + ";\nCREATE TRIGGER authp_revocation_update AFTER UPDATE ON " + table + " FOR EACH ROW WHEN (" +
           changed +
           ") EXECUTE FUNCTION authp_django_revocation();\n"
           "DROP TRIGGER IF EXISTS authp_revocation ON authtoken_token;\n"
           "CREATE TRIGGER authp_revocation AFTER DELETE OR UPDATE ON authtoken_token"
           " FOR EACH ROW EXECUTE FUNCTION authp_django_revocation();\n"
           "DROP TRIGGER IF EXISTS authp_revocation ON django_session;\n"
           "CREATE TRIGGER authp_revocation AFTER DELETE OR UPDATE ON django_session"
           " FOR EACH ROW EXECUTE FUNCTION authp_django_revocation();\n";
}

void install_notify(const DjangoSettings& settings, bool install) {
    if (!settings.postgres)
        throw Error(ErrorCode::Invalid,
                    "DJANGO.DATABASE is not PostgreSQL: SQLite cannot notify other processes (the bound is "
                    "CACHE.TTL)");
    const std::string sql = notify_sql(settings, install);
    directory::postgres::PgPool pool(*settings.postgres);
    pool.write([&](directory::postgres::PgConnection& c) { c.exec_script(sql); });
}

}  // namespace authpolicy::django
