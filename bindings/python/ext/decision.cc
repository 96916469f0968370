// authp_decision and authp_user: Decision owns its handle and reads it on demand;
// User is a copy (a C user view is only borrowed from its decision or request).
#include "common.h"

namespace authpolicy_py {
namespace {

class Decision {
  public:
    explicit Decision(DecisionPtr d) : d_(std::move(d)) {}

    bool allowed() const { return authp_decision_allowed(d_.get()) != 0; }
    int status() const { return authp_decision_status(d_.get()); }
    py::object code() const { return optional_utf8(authp_decision_code(d_.get())); }
    py::object detail() const { return optional_utf8(authp_decision_detail(d_.get())); }
    py::object authenticator() const { return optional_utf8(authp_decision_authenticator(d_.get())); }
    py::object user() const { return user_or_none(authp_decision_user(d_.get())); }

    py::dict headers() {
        if (!headers_) {
            py::dict out;
            const size_t n = authp_decision_header_count(d_.get());
            for (size_t i = 0; i < n; ++i) {
                const char* name = nullptr;
                const char* value = nullptr;
                check(authp_decision_header(d_.get(), i, &name, &value));
                out[utf8_str(name)] = utf8_str(value);
            }
            headers_ = std::move(out);
        }
        return *headers_;
    }

    py::object auth() {
        if (!auth_) {
            const char* json = authp_decision_auth_json(d_.get());
            auth_ = json ? json_loads(json) : py::none();
        }
        return *auth_;
    }

    // The JSON body to send with a denial (authp_decision_body_json); None when allowed.
    py::object body() {
        if (!body_) {
            const char* text = nullptr;
            size_t n = 0;
            const int rc = authp_decision_body_json(&text, &n, d_.get());
            if (rc == AUTHP_ENOTFOUND) {
                body_ = py::none();
            } else {
                check(rc);
                body_ = json_loads(text);
            }
        }
        return *body_;
    }

    py::str to_json() const {
        size_t n = 0;
        const char* text = authp_decision_to_json(d_.get(), &n);
        return utf8_str(text ? text : "null", text ? n : 4);
    }
    py::object to_dict() const { return json_loads(authp_decision_to_json(d_.get(), nullptr)); }

    std::string repr() const {
        const char* code = authp_decision_code(d_.get());
        std::string s = "<Decision " + std::to_string(status());
        s += allowed() ? " allowed" : " denied";
        if (code) s += std::string(" ") + code;
        return s + ">";
    }

  private:
    DecisionPtr d_;
    std::optional<py::dict> headers_;
    std::optional<py::object> auth_;
    std::optional<py::object> body_;
};

py::object user_attributes(const User& u) {
    return json_loads(u.attributes_json.data(), u.attributes_json.size());
}

py::dict user_to_dict(const User& u) {
    py::dict d;
    d["id"] = u.id ? py::object(py::int_(*u.id)) : py::object(py::none());
    d["username"] = utf8_str(u.username.data(), u.username.size());
    d["is_authenticated"] = u.is_authenticated;
    d["is_active"] = u.is_active;
    d["is_staff"] = u.is_staff;
    d["is_superuser"] = u.is_superuser;
    d["attributes"] = user_attributes(u);
    return d;
}

std::string user_repr(const User& u) {
    if (!u.is_authenticated) return "<User anonymous>";
    std::string s = "<User '" + u.username + "'";
    if (u.id) s += " id=" + std::to_string(*u.id);
    if (u.is_superuser) s += " superuser";
    if (u.is_staff) s += " staff";
    if (!u.is_active) s += " inactive";
    return s + ">";
}

bool same_user(const User& a, const User& b) {
    return a.id == b.id && a.username == b.username && a.is_authenticated == b.is_authenticated &&
           a.is_active == b.is_active && a.is_staff == b.is_staff && a.is_superuser == b.is_superuser &&
           a.attributes_json == b.attributes_json;
}

}  // namespace

User copy_user(const authp_user* u) {
    User out;
    if (authp_user_has_id(u)) out.id = authp_user_id(u);
    size_t n = 0;
    const char* name = authp_user_username(u, &n);
    out.username.assign(name, n);
    out.is_authenticated = authp_user_is_authenticated(u) != 0;
    out.is_active = authp_user_is_active(u) != 0;
    out.is_staff = authp_user_is_staff(u) != 0;
    out.is_superuser = authp_user_is_superuser(u) != 0;
    out.attributes_json = authp_user_attributes_json(u);
    return out;
}

py::object user_or_none(const authp_user* u) {
    if (u == nullptr) return py::none();
    return py::cast(copy_user(u));
}

py::object wrap_decision(DecisionPtr d) {
    return py::cast(Decision(std::move(d)));
}

py::object decision_or_raise(int rc, authp_decision* d) {
    DecisionPtr owned(d);
    if (rc == AUTHP_OK && owned) {
        discard_stash();  // nothing should be there; never let it leak into a later call
        return wrap_decision(std::move(owned));
    }
    if (rc == AUTHP_OK) raise_misuse("evaluation returned no decision");
    if (rc == AUTHP_EUSER || !owned) {
        owned.reset();
        raise_error(rc);
    }
    // The safe denial rides on the exception; building it does not touch authp_error_last().
    raise_error_with_decision(rc, wrap_decision(std::move(owned)));
}

void bind_decision(py::module_& m) {
    py::class_<User>(m, "User", R"doc(
A user as the engine saw it (a copy; Django's auth_user fields plus free-form attributes).

An anonymous user (DRF's AnonymousUser) has ``id`` None, an empty ``username`` and
``is_authenticated`` False.)doc")
        .def_property_readonly(
            "id", [](const User& u) -> py::object { return u.id ? py::object(py::int_(*u.id)) : py::none(); },
            "The user's id, or None (anonymous users, custom users without one).")
        .def_property_readonly(
            "username", [](const User& u) { return utf8_str(u.username.data(), u.username.size()); },
            "The username; '' for the anonymous user.")
        .def_readonly("is_authenticated", &User::is_authenticated, "False only for the anonymous user.")
        .def_property_readonly(
            "is_anonymous", [](const User& u) { return !u.is_authenticated; }, "True for the anonymous user.")
        .def_readonly("is_active", &User::is_active)
        .def_readonly("is_staff", &User::is_staff)
        .def_readonly("is_superuser", &User::is_superuser)
        .def_property_readonly("attributes", &user_attributes,
                               "Extra attributes (a new dict on each read) from a user lookup or authenticator.")
        .def("to_dict", &user_to_dict, "The user as a dict (id, username, flags, attributes).")
        .def("__eq__", [](const User& a, const User& b) { return same_user(a, b); })
        .def("__eq__", [](const User&, py::handle) { return false; })
        .def("__repr__", &user_repr);

    py::class_<Decision>(m, "Decision", R"doc(
The outcome of one evaluation: allowed (200) or a denial (400, 401, 403, 429, 503).

A denial is a value, never an exception: send ``status``, ``headers`` (WWW-Authenticate,
Retry-After) and ``body`` (``{"detail": detail}`` or the Django package's richer body).)doc")
        .def_property_readonly("allowed", &Decision::allowed, "True when the request may proceed.")
        .def_property_readonly("status", &Decision::status, "200, 400, 401, 403, 429 or 503.")
        .def_property_readonly("code", &Decision::code,
                               "DRF's error code ('not_authenticated', 'authentication_failed', "
                               "'permission_denied', 'throttled', …); None when allowed.")
        .def_property_readonly("detail", &Decision::detail, "DRF's detail text; None when allowed.")
        .def_property_readonly("body", &Decision::body,
                               "The JSON body to send with a denial (a dict: {'detail': …}, or richer, e.g. "
                               "simplejwt's {'detail', 'code', 'messages'}); None when allowed.")
        .def_property_readonly("headers", &Decision::headers,
                               "Response headers the host must send: {'WWW-Authenticate': …, 'Retry-After': …}.")
        .def_property_readonly("user", &Decision::user,
                               "The User as of the decision; None when authentication did not run or "
                               "UNAUTHENTICATED_USER is null.")
        .def_property_readonly("auth", &Decision::auth,
                               "The auth value (any JSON value, e.g. {'type': 'token', 'name': …}); None for null.")
        .def_property_readonly("authenticator", &Decision::authenticator,
                               "Name of the authentication class that succeeded, or None.")
        .def("to_dict", &Decision::to_dict, "The decision as the CLI prints it (authp_decision_to_json), parsed.")
        .def("to_json", &Decision::to_json, "The decision as one line of JSON (authp_decision_to_json).")
        .def("__repr__", &Decision::repr);
}

}  // namespace authpolicy_py
