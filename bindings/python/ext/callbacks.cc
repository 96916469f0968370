// Trampolines: C callbacks that take the GIL back, call the Python callable held in their
// payload, convert its answer for the library, and turn whatever it raised into AUTHP_EUSER
// (the exception waits in the thread's stash until the call that ran it re-raises it).
#include <chrono>

#include "common.h"

namespace authpolicy_py {
namespace {

// A payload: Python objects kept alive by the config and then by the engines built from it.
struct Callable {
    py::object fn;
};
struct Authenticator {
    py::object instance;
    py::object authenticate;  // bound method
    py::object header;        // bound method, or None when the class has no challenge
};

template <class T>
void free_payload(void* payload) noexcept {
    if (!Py_IsInitialized()) return;  // the interpreter is gone: leak rather than crash
    py::gil_scoped_acquire gil;
    delete static_cast<T*>(payload);
}

// A field of a mapping (dict, any Mapping) or an attribute of an object; absent gives None.
py::object field(py::handle src, bool mapping, const char* name) {
    if (mapping) {
        if (PyDict_Check(src.ptr())) {
            PyObject* v = PyDict_GetItemString(src.ptr(), name);
            return v ? py::reinterpret_borrow<py::object>(v) : py::none();
        }
        return src.attr("get")(name);
    }
    return py::getattr(src, name, py::none());
}

bool is_mapping(py::handle src) {
    if (PyDict_Check(src.ptr())) return true;
    static const py::object* abc_mapping =
        new py::object(py::module_::import("collections.abc").attr("Mapping"));  // leaked (see errors.cc)
    return py::isinstance(src, *abc_mapping);
}

std::string type_of(py::handle v) {
    return Py_TYPE(v.ptr())->tp_name;
}

std::optional<bool> flag(py::handle src, bool mapping, const char* name, const char* who) {
    py::object v = field(src, mapping, name);
    if (v.is_none()) return std::nullopt;
    if (!PyBool_Check(v.ptr()) && !PyLong_Check(v.ptr()))
        throw py::type_error(std::string(who) + ": '" + name + "' must be a bool, not " + type_of(v));
    return PyObject_IsTrue(v.ptr()) == 1;
}

std::optional<int64_t> user_id(py::handle src, bool mapping, const char* who) {
    py::object v = field(src, mapping, "id");
    if (v.is_none()) return std::nullopt;
    if (!PyLong_Check(v.ptr()) || PyBool_Check(v.ptr()))
        throw py::type_error(std::string(who) + ": 'id' must be an int or None, not " + type_of(v));
    return v.cast<int64_t>();
}

py::str username_of(py::handle src, bool mapping, const char* who) {
    py::object v = field(src, mapping, "username");
    if (!PyUnicode_Check(v.ptr()))
        throw py::type_error(std::string(who) + ": 'username' must be a str, not " + type_of(v));
    return py::reinterpret_borrow<py::str>(v);
}

[[noreturn]] void not_a_user(py::handle v, const char* who) {
    throw py::type_error(std::string(who) + " must return a mapping or an object with a username (or None), not " +
                         type_of(v));
}

// ---- user lookup -------------------------------------------------------------------------

void fill_builder(authp_user_builder* b, py::handle found) {
    static const char* const who = "user_lookup";
    const bool mapping = is_mapping(found);
    if (!mapping && !py::hasattr(found, "username")) not_a_user(found, who);
    const Text name = text_arg(username_of(found, mapping, who), "username");
    check(authp_user_builder_set_username(b, name.data, name.size));
    if (auto id = user_id(found, mapping, who)) check(authp_user_builder_set_id(b, *id));
    check(authp_user_builder_set_flags(b, flag(found, mapping, "is_active", who).value_or(true),
                                       flag(found, mapping, "is_staff", who).value_or(false),
                                       flag(found, mapping, "is_superuser", who).value_or(false)));
    py::object password = field(found, mapping, "password");
    if (!password.is_none()) {
        if (!PyUnicode_Check(password.ptr()))
            throw py::type_error(std::string(who) + ": 'password' must be a Django-format hash (str) or None, not " +
                                 type_of(password));
        const Text hash = text_arg(password, "password");
        check(authp_user_builder_set_password_hash(b, hash.data, hash.size));
    }
    py::object attributes = field(found, mapping, "attributes");
    if (!attributes.is_none()) {
        const std::string json = json_dumps(attributes);
        check(authp_user_builder_set_attributes_json(b, json.data(), json.size()));
    }
}

int user_lookup_trampoline(authp_user_builder* out, authp_lookup_kind kind, const char* username, size_t len,
                           int64_t id, void* payload) {
    py::gil_scoped_acquire gil;
    try {
        const py::object& fn = static_cast<Callable*>(payload)->fn;
        py::object found = kind == AUTHP_LOOKUP_BY_USERNAME ? fn(py::arg("username") = utf8_str(username, len))
                                                            : fn(py::arg("id") = id);
        if (found.is_none()) return AUTHP_ENOTFOUND;
        fill_builder(out, found);
        return AUTHP_OK;
    } catch (...) {
        return stash_current_exception();
    }
}

// ---- password verifier -------------------------------------------------------------------

int password_verify_trampoline(int* matches, const authp_user* user, const char* password, size_t len, void* payload) {
    py::gil_scoped_acquire gil;
    try {
        py::object verdict = static_cast<Callable*>(payload)->fn(user_or_none(user), utf8_str(password, len));
        if (verdict.is_none()) return AUTHP_PASSTHROUGH;
        *matches = PyObject_IsTrue(verdict.ptr()) == 1;
        return AUTHP_OK;
    } catch (...) {
        return stash_current_exception();
    }
}

// ---- clock and logger: no error channel, so failures are reported as unraisable ----------

double clock_trampoline(void* payload) {
    py::gil_scoped_acquire gil;
    try {
        return static_cast<Callable*>(payload)->fn().cast<double>();
    } catch (py::error_already_set& e) {
        e.discard_as_unraisable("authpolicy clock");
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_TypeError, (std::string("authpolicy clock: ") + e.what()).c_str());
        PyErr_WriteUnraisable(nullptr);
    }
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

void log_trampoline(authp_log_level level, const char* message, size_t len, void* payload) {
    static const char* const names[] = {"error", "warning", "info"};
    py::gil_scoped_acquire gil;
    try {
        const int i = level >= AUTHP_LOG_ERROR && level <= AUTHP_LOG_INFO ? static_cast<int>(level) : 0;
        static_cast<Callable*>(payload)->fn(names[i], utf8_str(message, len));
    } catch (py::error_already_set& e) {
        e.discard_as_unraisable("authpolicy logger");
    } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, "authpolicy logger failed");
        PyErr_WriteUnraisable(nullptr);
    }
}

// ---- custom authenticators ---------------------------------------------------------------

// The request object handed to Python; it stops working when the callback returns.
class ScopedView {
  public:
    explicit ScopedView(const authp_request* req) : cell_(std::make_shared<RequestCell>()) {
        cell_->req = req;
        object_ = make_request_view(cell_);
    }
    ~ScopedView() { cell_->req = nullptr; }
    const py::object& object() const { return object_; }

  private:
    RequestCellPtr cell_;
    py::object object_;
};

std::string user_json(py::handle user) {
    static const char* const who = "authenticate()";
    const bool mapping = is_mapping(user);
    if (!mapping && !py::hasattr(user, "username")) not_a_user(user, who);
    py::dict out;
    out["username"] = username_of(user, mapping, who);
    if (auto id = user_id(user, mapping, who)) out["id"] = *id;
    for (const char* name : {"is_active", "is_staff", "is_superuser"}) {
        if (auto v = flag(user, mapping, name, who)) out[name] = *v;
    }
    py::object attributes = field(user, mapping, "attributes");
    if (!attributes.is_none()) out["attributes"] = attributes;
    return json_dumps(out);
}

int authenticate_trampoline(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    py::gil_scoped_acquire gil;
    try {
        auto* a = static_cast<Authenticator*>(payload);
        py::object result;
        {
            ScopedView view(req);
            try {
                result = a->authenticate(view.object());
            } catch (py::error_already_set& e) {
                if (!e.matches(error_classes().authentication_failed)) throw;
                py::object detail = py::getattr(e.value(), "detail", py::none());
                if (!detail.is_none()) {
                    const Text t = text_arg(py::str(detail), "detail");
                    check(authp_authn_set_detail(ctx, t.data, t.size));
                }
                return AUTHP_EAUTHFAILED;
            }
        }
        if (result.is_none()) return AUTHP_PASSTHROUGH;
        if (!PyTuple_Check(result.ptr()) || PyTuple_GET_SIZE(result.ptr()) != 2)
            throw py::type_error("authenticate() must return a (user, auth) tuple or None, not " + type_of(result));
        const py::tuple pair = py::reinterpret_borrow<py::tuple>(result);
        const std::string user = user_json(pair[0]);
        check(authp_authn_set_user_json(ctx, user.data(), user.size()));
        if (!pair[1].is_none()) {
            const std::string auth = json_dumps(pair[1]);
            check(authp_authn_set_auth_json(ctx, auth.data(), auth.size()));
        }
        return AUTHP_OK;
    } catch (...) {
        return stash_current_exception();
    }
}

int challenge_trampoline(authp_authn_ctx* ctx, const authp_request* req, void* payload) {
    py::gil_scoped_acquire gil;
    try {
        auto* a = static_cast<Authenticator*>(payload);
        py::object value;
        {
            ScopedView view(req);
            value = a->header(view.object());
        }
        if (value.is_none()) return AUTHP_PASSTHROUGH;
        if (!PyUnicode_Check(value.ptr()))
            throw py::type_error("authenticate_header() must return a str or None, not " + type_of(value));
        const Text t = header_text(value, "authenticate_header()");
        check(authp_authn_set_challenge(ctx, t.data, t.size));
        return AUTHP_OK;
    } catch (...) {
        return stash_current_exception();
    }
}

}  // namespace

void set_user_lookup(authp_config* cfg, py::object fn) {
    // The config owns the payload from here on, whatever the return code.
    check(
        authp_config_set_user_lookup(cfg, user_lookup_trampoline, new Callable{std::move(fn)}, free_payload<Callable>));
}

void set_password_verifier(authp_config* cfg, py::object fn) {
    check(authp_config_set_password_verifier(cfg, password_verify_trampoline, new Callable{std::move(fn)},
                                             free_payload<Callable>));
}

void set_clock(authp_config* cfg, py::object fn) {
    check(authp_config_set_clock(cfg, clock_trampoline, new Callable{std::move(fn)}, free_payload<Callable>));
}

void set_logger(authp_config* cfg, py::object fn) {
    if (fn.is_none()) {
        check(authp_config_set_logger(cfg, nullptr, nullptr, nullptr));  // discard
        return;
    }
    check(authp_config_set_logger(cfg, log_trampoline, new Callable{std::move(fn)}, free_payload<Callable>));
}

void add_authenticator(authp_config* cfg, const std::string& name, py::object instance, bool with_challenge) {
    authp_authenticator vtable = AUTHP_AUTHENTICATOR_INIT;
    check(authp_authenticator_init(&vtable, AUTHP_AUTHENTICATOR_VERSION));
    auto payload = std::make_unique<Authenticator>();
    payload->authenticate = instance.attr("authenticate");
    // Without an authenticate_header() of its own the class has no challenge (DRF: 403, not 401).
    payload->header = with_challenge ? py::object(instance.attr("authenticate_header")) : py::none();
    payload->instance = std::move(instance);
    vtable.authenticate = authenticate_trampoline;
    vtable.challenge = with_challenge ? challenge_trampoline : nullptr;
    const int rc =
        authp_config_add_authenticator(cfg, name.c_str(), &vtable, payload.get(), free_payload<Authenticator>);
    check(rc);  // only a successful registration takes ownership
    payload.release();
}

}  // namespace authpolicy_py
