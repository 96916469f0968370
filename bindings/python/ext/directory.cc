// The built-in SQLite directory (users and tokens of the engine's DATABASE) and Django-format
// password hashes. Hashing is PBKDF2 and slow on purpose: the GIL is released around it.
#include "common.h"

namespace authpolicy_py {
namespace {

template <class F>
int without_gil(F&& call) {
    py::gil_scoped_release nogil;
    return call();
}

py::object owned_json(char* text) {
    OwnedText owned(text);
    return json_loads(owned.get());
}

class Users {
  public:
    explicit Users(EnginePtr engine) : engine_(std::move(engine)) {}

    int64_t add(py::handle username, py::handle password, bool is_staff, bool is_superuser, bool is_active) const {
        const Text name = text_arg(username, "username");
        const Text pw = password.is_none() ? Text{} : text_arg(password, "password");
        unsigned flags = 0;
        if (is_staff) flags |= AUTHP_USER_STAFF;
        if (is_superuser) flags |= AUTHP_USER_SUPERUSER;
        if (!is_active) flags |= AUTHP_USER_INACTIVE;
        int64_t id = 0;
        check(without_gil([&] {
            return authp_user_add(&id, engine_->handle, name.data, name.size, password.is_none() ? nullptr : pw.data,
                                  pw.size, flags);
        }));
        return id;
    }

    void set_password(py::handle username, py::handle password) const {
        const Text name = text_arg(username, "username");
        const Text pw = password.is_none() ? Text{} : text_arg(password, "password");
        check(without_gil([&] {
            return authp_user_set_password(engine_->handle, name.data, name.size,
                                           password.is_none() ? nullptr : pw.data, pw.size);
        }));
    }

    void set_active(py::handle username, bool active) const {
        const Text name = text_arg(username, "username");
        check(without_gil([&] { return authp_user_set_active(engine_->handle, name.data, name.size, active); }));
    }

    void set_roles(py::handle username, bool is_staff, bool is_superuser) const {
        const Text name = text_arg(username, "username");
        check(without_gil(
            [&] { return authp_user_set_roles(engine_->handle, name.data, name.size, is_staff, is_superuser); }));
    }

    py::object list() const {
        char* out = nullptr;
        const int rc = without_gil([&] { return authp_user_list_json(&out, engine_->handle); });
        check(rc);
        return owned_json(out);
    }

  private:
    EnginePtr engine_;
};

class Tokens {
  public:
    explicit Tokens(EnginePtr engine) : engine_(std::move(engine)) {}

    py::str create(py::handle username, py::handle name, py::handle expires_in) const {
        const Text user = text_arg(username, "username");
        const Text label = name.is_none() ? Text{} : text_arg(name, "name");
        int64_t seconds = 0;
        if (!expires_in.is_none()) {
            if (!PyLong_Check(expires_in.ptr()) || PyBool_Check(expires_in.ptr()))
                throw py::type_error(std::string("expires_in must be an int (seconds) or None, not ") +
                                     Py_TYPE(expires_in.ptr())->tp_name);
            seconds = expires_in.cast<int64_t>();
        }
        char* key = nullptr;
        const int rc = without_gil([&] {
            return authp_token_create(&key, engine_->handle, user.data, user.size,
                                      name.is_none() ? nullptr : label.data, label.size, seconds);
        });
        OwnedText owned(key);
        check(rc);
        return utf8_str(owned.get());
    }

    void revoke(py::handle key) const {
        const Text k = text_arg(key, "key");
        check(without_gil([&] { return authp_token_revoke(engine_->handle, k.data, k.size); }));
    }

    py::object list(py::handle username) const {
        const Text user = username.is_none() ? Text{} : text_arg(username, "username");
        char* out = nullptr;
        const int rc = without_gil([&] {
            return authp_token_list_json(&out, engine_->handle, username.is_none() ? nullptr : user.data, user.size);
        });
        check(rc);
        return owned_json(out);
    }

  private:
    EnginePtr engine_;
};

py::str hash_password(py::handle password, unsigned iterations) {
    const Text pw = text_arg(password, "password");
    char* out = nullptr;
    const int rc = without_gil([&] { return authp_password_hash(&out, pw.data, pw.size, iterations); });
    OwnedText owned(out);
    check(rc);
    return utf8_str(owned.get());
}

std::pair<bool, bool> check_password(py::handle password, py::handle encoded, unsigned min_iterations) {
    const Text pw = text_arg(password, "password");
    const Text hash = text_arg(encoded, "encoded");
    int matches = 0, needs_rehash = 0;
    check(without_gil([&] {
        return authp_password_verify(&matches, &needs_rehash, pw.data, pw.size, hash.data, hash.size, min_iterations);
    }));
    return {matches != 0, needs_rehash != 0};
}

}  // namespace

py::object make_users(const EnginePtr& engine) {
    return py::cast(Users(engine));
}

py::object make_tokens(const EnginePtr& engine) {
    return py::cast(Tokens(engine));
}

void bind_directory(py::module_& m) {
    py::class_<Users>(m, "Users", "The users of the engine's built-in SQLite directory (engine.users).")
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
        .def("list", &Users::list, "Every user as a dict (never password hashes).");

    py::class_<Tokens>(m, "Tokens", "The tokens of the engine's built-in SQLite directory (engine.tokens).")
        .def("create", &Tokens::create, py::arg("username"), py::kw_only(), py::arg("name") = py::none(),
             py::arg("expires_in") = py::none(),
             "Creates a token for a user and returns its key (40 hex characters), the only time it is shown. "
             "expires_in: seconds, None or 0 for never. Raises NotFoundError for an unknown user.")
        .def("revoke", &Tokens::revoke, py::arg("key"), "Revokes a token; NotFoundError if there is none.")
        .def("list", &Tokens::list, py::arg("username") = py::none(),
             "Tokens as dicts (id, username, name, created, expires; never keys), of one user or of all.");

    m.def("hash_password", &hash_password, py::arg("password"), py::kw_only(), py::arg("iterations") = 0u,
          "A Django-format pbkdf2_sha256 hash with a fresh salt; iterations 0 means 1,000,000.");
    m.def(
        "verify_password",
        [](py::handle password, py::handle encoded, unsigned min_iterations) {
            return check_password(password, encoded, min_iterations).first;
        },
        py::arg("password"), py::arg("encoded"), py::kw_only(), py::arg("min_iterations") = 0u,
        "True if the password matches the Django-format hash (constant time). An unknown or malformed "
        "format is simply False.");
    m.def("check_password", &check_password, py::arg("password"), py::arg("encoded"), py::kw_only(),
          py::arg("min_iterations") = 0u,
          "(matches, needs_rehash): needs_rehash when the hash uses another algorithm, fewer than "
          "min_iterations (0 = 1,000,000) or a short salt.");
}

}  // namespace authpolicy_py
