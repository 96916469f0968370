// The directory (authp_directory): users, API tokens, OAuth tokens and sessions of a DATABASE,
// from an engine (engine.directory, engine.users, engine.tokens) or opened from a configuration
// without an engine (Directory.open). Every call releases the GIL: writes hash passwords
// (PBKDF2, slow on purpose) and wait on the database.
#include "common.h"

namespace authpolicy_py {
namespace {

template <class F>
int without_gil(F&& call) {
    py::gil_scoped_release nogil;
    return call();
}

py::object json_of(const OwnedText& text) {
    return json_loads(text.get());
}

struct FreeConfig {
    void operator()(authp_config* c) const noexcept { authp_config_free(c); }
};

// One authp_directory, freed when the last call using it returns: close() only drops the
// Directory's reference, so a call in flight on another thread keeps its handle.
struct DirectoryCore {
    authp_directory* handle = nullptr;
    explicit DirectoryCore(authp_directory* h) : handle(h) {}
    DirectoryCore(const DirectoryCore&) = delete;
    DirectoryCore& operator=(const DirectoryCore&) = delete;
    ~DirectoryCore() { authp_directory_free(handle); }
};
using DirectoryPtr = std::shared_ptr<DirectoryCore>;

// A Directory's handle, shared with its views (directory.users, …); empty after close().
struct DirectorySlot {
    DirectoryPtr dir;
};
using SlotPtr = std::shared_ptr<DirectorySlot>;

DirectoryPtr engine_directory(const EngineCore& engine) {
    authp_directory* raw = nullptr;
    check(without_gil([&] { return authp_engine_directory(&raw, engine.handle); }));
    return std::make_shared<DirectoryCore>(raw);
}

// Where a view's calls go: a Directory's handle, or (engine.users, engine.tokens) the engine's
// directory taken afresh for each call, so that those views follow a reload that changes
// DATABASE as they always have.
class Source {
  public:
    explicit Source(SlotPtr slot) : slot_(std::move(slot)) {}
    explicit Source(EnginePtr engine) : engine_(std::move(engine)) {}

    // With the GIL held. The reference keeps the handle alive for the call.
    DirectoryPtr acquire() const {
        if (engine_) return engine_directory(*engine_);
        if (!slot_->dir) raise_misuse("the directory is closed");
        return slot_->dir;
    }

    // Runs one C call with the GIL released; raises for a failure.
    template <class F>
    void run(F&& body) const {
        const DirectoryPtr dir = acquire();
        check(without_gil([&] { return body(dir->handle); }));
    }

    // The same for a call that hands back library-owned text (freed even when it fails).
    template <class F>
    OwnedText run_owned(F&& body) const {
        const DirectoryPtr dir = acquire();
        char* out = nullptr;
        const int rc = without_gil([&] { return body(&out, dir->handle); });
        OwnedText owned(out);
        check(rc);
        return owned;
    }

  private:
    SlotPtr slot_;
    EnginePtr engine_;
};

// Optional text: (nullptr, 0) for None, which the C API reads as "absent".
struct OptionalText {
    Text text;
    bool present = false;
    const char* data() const { return present ? text.data : nullptr; }
};
OptionalText optional_text(py::handle value, const char* what) {
    if (value.is_none()) return {};
    return {text_arg(value, what), true};
}

int64_t seconds_arg(py::handle expires_in) {
    if (expires_in.is_none()) return 0;
    if (!PyLong_Check(expires_in.ptr()) || PyBool_Check(expires_in.ptr()))
        throw py::type_error(std::string("expires_in must be an int (seconds) or None, not ") +
                             Py_TYPE(expires_in.ptr())->tp_name);
    return expires_in.cast<int64_t>();
}

class Users {
  public:
    explicit Users(Source source) : source_(std::move(source)) {}

    int64_t add(py::handle username, py::handle password, bool is_staff, bool is_superuser, bool is_active) const {
        const Text name = text_arg(username, "username");
        const OptionalText pw = optional_text(password, "password");
        unsigned flags = 0;
        if (is_staff) flags |= AUTHP_USER_STAFF;
        if (is_superuser) flags |= AUTHP_USER_SUPERUSER;
        if (!is_active) flags |= AUTHP_USER_INACTIVE;
        int64_t id = 0;
        source_.run([&](authp_directory* d) {
            return authp_directory_user_add(&id, d, name.data, name.size, pw.data(), pw.text.size, flags);
        });
        return id;
    }

    void set_password(py::handle username, py::handle password) const {
        const Text name = text_arg(username, "username");
        const OptionalText pw = optional_text(password, "password");
        source_.run([&](authp_directory* d) {
            return authp_directory_user_set_password(d, name.data, name.size, pw.data(), pw.text.size);
        });
    }

    void set_active(py::handle username, bool active) const {
        const Text name = text_arg(username, "username");
        source_.run(
            [&](authp_directory* d) { return authp_directory_user_set_active(d, name.data, name.size, active); });
    }

    void set_roles(py::handle username, bool is_staff, bool is_superuser) const {
        const Text name = text_arg(username, "username");
        source_.run([&](authp_directory* d) {
            return authp_directory_user_set_roles(d, name.data, name.size, is_staff, is_superuser);
        });
    }

    void remove(py::handle username) const {
        const Text name = text_arg(username, "username");
        source_.run([&](authp_directory* d) { return authp_directory_user_delete(d, name.data, name.size); });
    }

    py::object list() const {
        return json_of(
            source_.run_owned([](char** out, authp_directory* d) { return authp_directory_user_list_json(out, d); }));
    }

  private:
    Source source_;
};

class Tokens {
  public:
    explicit Tokens(Source source) : source_(std::move(source)) {}

    py::str create(py::handle username, py::handle name, py::handle expires_in) const {
        const Text user = text_arg(username, "username");
        const OptionalText label = optional_text(name, "name");
        const int64_t seconds = seconds_arg(expires_in);
        const OwnedText key = source_.run_owned([&](char** out, authp_directory* d) {
            return authp_directory_token_create(out, d, user.data, user.size, label.data(), label.text.size, seconds);
        });
        return utf8_str(key.get());
    }

    void revoke(py::handle key) const {
        const Text k = text_arg(key, "key");
        source_.run([&](authp_directory* d) { return authp_directory_token_revoke(d, k.data, k.size); });
    }

    py::object list(py::handle username) const {
        const OptionalText user = optional_text(username, "username");
        return json_of(source_.run_owned([&](char** out, authp_directory* d) {
            return authp_directory_token_list_json(out, d, user.data(), user.text.size);
        }));
    }

  private:
    Source source_;
};

class OAuthTokens {
  public:
    explicit OAuthTokens(Source source) : source_(std::move(source)) {}

    py::str create(py::handle username, py::handle client_id, py::handle scope, py::handle expires_in) const {
        const Text user = text_arg(username, "username");
        const OptionalText client = optional_text(client_id, "client_id");
        const OptionalText scopes = optional_text(scope, "scope");
        const int64_t seconds = seconds_arg(expires_in);
        const OwnedText token = source_.run_owned([&](char** out, authp_directory* d) {
            return authp_directory_oauth_token_create(out, d, user.data, user.size, client.data(), client.text.size,
                                                      scopes.data(), scopes.text.size, seconds);
        });
        return utf8_str(token.get());
    }

    void revoke(py::handle token) const {
        const Text t = text_arg(token, "token");
        source_.run([&](authp_directory* d) { return authp_directory_oauth_token_revoke(d, t.data, t.size); });
    }

    py::object list(py::handle username) const {
        const OptionalText user = optional_text(username, "username");
        return json_of(source_.run_owned([&](char** out, authp_directory* d) {
            return authp_directory_oauth_token_list_json(out, d, user.data(), user.text.size);
        }));
    }

  private:
    Source source_;
};

class Sessions {
  public:
    explicit Sessions(Source source) : source_(std::move(source)) {}

    int64_t logout_user(py::handle username) const {
        const Text name = text_arg(username, "username");
        int64_t count = 0;
        source_.run(
            [&](authp_directory* d) { return authp_directory_session_logout_user(&count, d, name.data, name.size); });
        return count;
    }

    int64_t purge() const {
        int64_t count = 0;
        source_.run([&](authp_directory* d) { return authp_directory_session_purge(&count, d); });
        return count;
    }

  private:
    Source source_;
};

class Directory {
  public:
    explicit Directory(DirectoryPtr dir) : slot_(std::make_shared<DirectorySlot>(DirectorySlot{std::move(dir)})) {}

    // From a configuration (dict, JSON text or file, as Engine takes it), without an engine.
    static Directory open(py::handle config, py::handle base_dir) {
        const py::tuple source = py::module_::import("authpolicy._engine").attr("_config_source")(config);
        const std::string text = source[0].cast<std::string>();
        const bool is_file = source[1].cast<bool>();
        std::string dir;
        if (!base_dir.is_none()) dir = py::module_::import("os").attr("fspath")(base_dir).cast<std::string>();
        authp_config* raw = nullptr;
        check(authp_config_new(&raw));
        const std::unique_ptr<authp_config, FreeConfig> cfg(raw);
        check(is_file ? authp_config_load_file(cfg.get(), text.c_str())
                      : authp_config_load_json(cfg.get(), text.data(), text.size(),
                                               base_dir.is_none() ? nullptr : dir.c_str()));
        authp_directory* handle = nullptr;
        // SQLite is created and migrated here.
        check(without_gil([&] { return authp_directory_open(&handle, cfg.get()); }));
        return Directory(std::make_shared<DirectoryCore>(handle));
    }

    Users users() const { return Users(Source(slot_)); }
    Tokens tokens() const { return Tokens(Source(slot_)); }
    OAuthTokens oauth_tokens() const { return OAuthTokens(Source(slot_)); }
    Sessions sessions() const { return Sessions(Source(slot_)); }

    std::pair<int, int> schema() const {
        int current = 0, latest = 0;
        Source(slot_).run([&](authp_directory* d) { return authp_directory_schema(&current, &latest, d); });
        return {current, latest};
    }
    void migrate() const {
        Source(slot_).run([](authp_directory* d) { return authp_directory_migrate(d); });
    }
    void django_notify(bool install) const {
        Source(slot_).run([&](authp_directory* d) { return authp_directory_django_notify(d, install); });
    }

    void close() const { slot_->dir.reset(); }
    bool closed() const { return !slot_->dir; }

  private:
    SlotPtr slot_;
};

}  // namespace

py::object make_engine_directory(const EnginePtr& engine) {
    return py::cast(Directory(engine_directory(*engine)));
}

py::object make_users(const EnginePtr& engine) {
    return py::cast(Users(Source(engine)));
}

py::object make_tokens(const EnginePtr& engine) {
    return py::cast(Tokens(Source(engine)));
}

void bind_directory(py::module_& m) {
    py::class_<Users>(m, "Users", "A directory's users (directory.users; engine.users).")
        .def("add", &Users::add, py::arg("username"), py::arg("password") = py::none(), py::kw_only(),
             py::arg("is_staff") = false, py::arg("is_superuser") = false, py::arg("is_active") = true,
             "Adds a user and returns its id. password None gives an unusable password. "
             "Raises ExistsError if the username is taken.")
        .def("set_password", &Users::set_password, py::arg("username"), py::arg("password"),
             "Sets (None: makes unusable) a user's password. Raises NotFoundError for an unknown user.")
        .def(
            "activate", [](const Users& u, py::handle name) { u.set_active(name, true); }, py::arg("username"))
        .def(
            "deactivate", [](const Users& u, py::handle name) { u.set_active(name, false); }, py::arg("username"))
        .def("set_roles", &Users::set_roles, py::arg("username"), py::kw_only(), py::arg("is_staff"),
             py::arg("is_superuser") = false, "Sets is_staff and is_superuser.")
        .def("delete", &Users::remove, py::arg("username"),
             "Deletes a user with its tokens, OAuth tokens and sessions. Raises NotFoundError for an unknown user.")
        .def("list", &Users::list, "Every user as a dict (never password hashes).");

    py::class_<Tokens>(m, "Tokens", "A directory's API tokens (directory.tokens; engine.tokens).")
        .def("create", &Tokens::create, py::arg("username"), py::kw_only(), py::arg("name") = py::none(),
             py::arg("expires_in") = py::none(),
             "Creates a token for a user and returns its key (40 hex characters), the only time it is shown. "
             "expires_in: seconds, None or 0 for never. Raises NotFoundError for an unknown user.")
        .def("revoke", &Tokens::revoke, py::arg("key"), "Revokes a token; NotFoundError if there is none.")
        .def("list", &Tokens::list, py::arg("username") = py::none(),
             "Tokens as dicts (id, username, name, created, expires; never keys), of one user or of all. "
             "NotFoundError for an unknown username.");

    py::class_<OAuthTokens>(m, "OAuthTokens", "A directory's OAuth 2.0 access tokens (directory.oauth_tokens).")
        .def("create", &OAuthTokens::create, py::arg("username"), py::kw_only(), py::arg("client_id") = py::none(),
             py::arg("scope") = py::none(), py::arg("expires_in") = py::none(),
             "Creates an access token (43 base64url characters) and returns it, the only time it is shown. "
             "scope: space-delimited ('read write'). expires_in: seconds, None or 0 for never. "
             "Raises NotFoundError for an unknown user, InvalidArgumentError for a malformed scope.")
        .def("revoke", &OAuthTokens::revoke, py::arg("token"),
             "Revokes an access token; NotFoundError if there is none.")
        .def("list", &OAuthTokens::list, py::arg("username") = py::none(),
             "Access tokens as dicts (id, username, client_id, scope, created, expires; never tokens), of one user "
             "or of all. NotFoundError for an unknown username.");

    py::class_<Sessions>(m, "Sessions", "A directory's sessions (SessionAuthentication; directory.sessions).")
        .def("logout_user", &Sessions::logout_user, py::arg("username"),
             "Ends every session of a user and returns how many. NotFoundError for an unknown user; "
             "InvalidArgumentError when sessions are Django's (DJANGO).")
        .def("purge", &Sessions::purge, "Deletes expired sessions and returns how many.");

    py::class_<Directory>(m, "Directory", R"doc(
The users, API tokens, OAuth tokens and sessions of a configuration's DATABASE (authp_directory).

``Directory.open(config)`` administers a database without building an engine (another process's
engines see revocations within their CACHE TTL, at once on PostgreSQL); ``engine.directory`` is
the engine's own, whose writes reach that engine's caches at once. Either owns its handle: it
stays usable until ``close()`` (or the end of a ``with`` block), also after its engine is gone.
Safe to share between threads.)doc")
        .def_static("open", &Directory::open, py::arg("config"), py::kw_only(), py::arg("base_dir") = py::none(),
                    "Opens the directory a configuration names (a dict, JSON text or a JSON file, as for Engine; "
                    "DATABASE, DATABASE_OPTIONS, PASSWORD_ITERATIONS …). SQLite is created and migrated at once. "
                    "base_dir: where a relative DATABASE of a dict or JSON text lives.")
        .def_property_readonly("users", &Directory::users)
        .def_property_readonly("tokens", &Directory::tokens)
        .def_property_readonly("oauth_tokens", &Directory::oauth_tokens)
        .def_property_readonly("sessions", &Directory::sessions)
        .def("schema", &Directory::schema,
             "(current, latest): the database's schema version and the newest this library knows.")
        .def("migrate", &Directory::migrate, "Brings the schema to the latest version (safe to run concurrently).")
        .def("django_notify", &Directory::django_notify, py::arg("install") = true,
             "Adds (install=True) or removes the triggers that make a Django database on PostgreSQL notify "
             "engines of its revocations. InvalidArgumentError without a DJANGO block or on SQLite.")
        .def("close", &Directory::close, "Frees the handle (idempotent); later calls raise MisuseError.")
        .def_property_readonly("closed", &Directory::closed)
        .def("__enter__", [](py::object self) { return self; })
        .def("__exit__", [](const Directory& d, py::args) { d.close(); })
        .def("__repr__", [](const Directory& d) {
            return std::string(d.closed() ? "<authpolicy.Directory closed>" : "<authpolicy.Directory>");
        });
}

}  // namespace authpolicy_py
