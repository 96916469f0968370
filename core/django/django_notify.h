// `authpolicy django install-notify`: the one thing the engine would ever write to a Django
// database, opt-in. Triggers on the user table, authtoken_token and django_session send the
// directory's own revocation notices (channel authp_revocation: "u:<id>", "t:<sha256 of the key>",
// "s:<sha256 of the session key>"), so a change Django makes reaches every engine at once
// instead of within CACHE.TTL. PostgreSQL only (SQLite cannot notify another process).
#pragma once

#include <string>

#include "core/django/django_settings.h"

namespace authpolicy::django {

// The statements that add (install) or drop (uninstall) the function and the three triggers,
// for the configured user model. Each is idempotent.
std::string notify_sql(const DjangoSettings& settings, bool install);

// Runs them in one transaction on DJANGO.DATABASE. Throws Error(Invalid) when the Django
// database is not PostgreSQL, Error(Store) when it cannot (no such table, no privilege).
void install_notify(const DjangoSettings& settings, bool install);

}  // namespace authpolicy::django
