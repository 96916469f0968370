// authp_request: filling one from Python arguments, the read-only view custom authenticators
// get, and the lazy Request (user and auth authenticate on first read, once).
#include <mutex>

#include "common.h"

namespace authpolicy_py {
namespace {

void add_header(authp_request* req, py::handle name, py::handle value) {
    const Text n = header_text(name, "a header name");
    const Text v = header_text(value, "a header value");
    check(authp_request_add_header(req, n.data, n.size, v.data, v.size));
}

void add_headers(authp_request* req, py::handle headers) {
    PyObject* h = headers.ptr();
    if (headers.is_none()) return;
    if (PyDict_Check(h)) {  // the common case, without building an items view
        PyObject* key = nullptr;
        PyObject* value = nullptr;
        Py_ssize_t pos = 0;
        while (PyDict_Next(h, &pos, &key, &value)) add_header(req, key, value);
        return;
    }
    if (PyUnicode_Check(h) || PyBytes_Check(h))
        throw py::type_error("headers must be a mapping or an iterable of (name, value) pairs, not a string");
    // Other mappings (werkzeug's Headers, Starlette's, email messages): .items() keeps repeats.
    py::object pairs =
        py::hasattr(headers, "items") ? headers.attr("items")() : py::reinterpret_borrow<py::object>(headers);
    py::iterator it;
    try {
        it = py::iter(pairs);
    } catch (py::error_already_set&) {
        throw py::type_error(std::string("headers must be a mapping or an iterable of (name, value) pairs, not ") +
                             Py_TYPE(h)->tp_name);
    }
    for (py::handle item : it) {
        if (!PyTuple_Check(item.ptr()) && !PyList_Check(item.ptr()))
            throw py::type_error("headers must be a mapping or an iterable of (name, value) pairs");
        py::sequence pair = py::reinterpret_borrow<py::sequence>(item);
        if (pair.size() != 2) throw py::type_error("a header must be a (name, value) pair");
        add_header(req, pair[0], pair[1]);
    }
}

template <class Setter>
void set_text(authp_request* req, py::handle value, const char* what, Setter setter) {
    if (value.is_none()) return;
    const Text t = text_arg(value, what);
    check(setter(req, t.data, t.size));
}

py::str text_of(const char* p, size_t n) {
    return utf8_str(p, n);
}

// The header lookups of a request (case-insensitive), readable while its cell is valid.
class Headers {
  public:
    explicit Headers(RequestCellPtr cell) : cell_(std::move(cell)) {}

    std::optional<std::string_view> find(const std::string& name) const {
        const char* value = nullptr;
        size_t n = 0;
        const int rc = authp_request_header(request(), name.data(), name.size(), &value, &n);
        if (rc == AUTHP_ENOTFOUND) return std::nullopt;
        check(rc);
        return std::string_view(value, n);
    }
    py::object get(const std::string& name, py::object fallback) const {
        auto v = find(name);
        return v ? py::object(latin1_str(v->data(), v->size())) : fallback;
    }
    py::object get_bytes(const std::string& name, py::object fallback) const {
        auto v = find(name);
        return v ? py::object(py::bytes(v->data(), v->size())) : fallback;
    }
    py::str getitem(const std::string& name) const {
        auto v = find(name);
        if (!v) throw py::key_error(name);
        return latin1_str(v->data(), v->size());
    }
    bool contains(py::handle name) const {
        if (!PyUnicode_Check(name.ptr())) return false;
        return find(name.cast<std::string>()).has_value();
    }

  private:
    const authp_request* request() const {
        if (!cell_->req)
            raise_misuse("this request is gone: a custom authenticator may read its request only while it runs");
        return cell_->req;
    }
    RequestCellPtr cell_;
};

// What custom authenticators read: the authp_request_* accessors over a borrowed request.
class RequestView {
  public:
    explicit RequestView(RequestCellPtr cell) : cell_(std::move(cell)) {}

    const authp_request* request() const {
        if (!cell_->req)
            raise_misuse("this request is gone: a custom authenticator may read its request only while it runs");
        return cell_->req;
    }
    template <const char* (*Getter)(const authp_request*, size_t*)>
    py::str text() const {
        size_t n = 0;
        const char* p = Getter(request(), &n);
        return text_of(p, n);
    }
    py::object view() const {
        size_t n = 0;
        const char* p = authp_request_view(request(), &n);
        if (n == 0) return py::none();
        return text_of(p, n);
    }
    py::object optional(const char* (*getter)(const authp_request*, size_t*)) const {
        size_t n = 0;
        const char* p = getter(request(), &n);
        if (n == 0) return py::none();
        return text_of(p, n);
    }
    bool secure() const { return authp_request_is_secure(request()) != 0; }
    Headers headers() const { return Headers(cell_); }
    const RequestCellPtr& cell() const { return cell_; }

  private:
    RequestCellPtr cell_;
};

std::string status_name(authp_auth_status s) {
    switch (s) {
        case AUTHP_AUTH_AUTHENTICATED: return "authenticated";
        case AUTHP_AUTH_ANONYMOUS: return "anonymous";
        case AUTHP_AUTH_FAILED: return "failed";
        default: return "not_run";
    }
}

// A request whose authentication runs lazily, at most once (DRF's request.user / request.auth).
// An authp_request belongs to one thread at a time: calls take a lock, after releasing the GIL
// (callbacks take the GIL back); the lock is recursive so a callback that reads this very
// request gets the library's own "misuse" answer instead of a deadlock.
class Request {
  public:
    Request(EnginePtr engine, const RequestArgs& args)
        : engine_(std::move(engine)), cell_(std::make_shared<RequestCell>()) {
        authp_request* r = nullptr;
        check(authp_request_new(&r, engine_->handle));
        req_.reset(r);
        fill_request(r, args);
        cell_->req = r;
    }
    ~Request() { cell_->req = nullptr; }
    Request(const Request&) = delete;
    Request& operator=(const Request&) = delete;

    py::object user() {
        std::optional<User> copy;
        const int rc = locked([&] {
            const authp_user* u = nullptr;
            const int r = authp_request_user(&u, req_.get());
            if (r == AUTHP_OK && u) copy = copy_user(u);
            return r;
        });
        finish(rc);
        return copy ? py::cast(std::move(*copy)) : py::none();
    }

    py::object auth() {
        std::optional<std::string> json;
        const int rc = locked([&] {
            const char* text = nullptr;
            const int r = authp_request_auth_json(&text, req_.get());
            if (r == AUTHP_OK && text) json = text;
            return r;
        });
        finish(rc);
        if (!json) return py::none();
        if (!auth_ || auth_text_ != *json) {
            auth_ = json_loads(json->data(), json->size());
            auth_text_ = *json;
        }
        return *auth_;
    }

    std::string authenticate() {
        const int rc = locked([&] { return authp_request_authenticate(req_.get()); });
        finish(rc);
        return status();
    }
    std::string status() const { return status_name(authp_request_auth_status(req_.get())); }
    py::object authenticator() const { return optional_utf8(authp_request_authenticator(req_.get())); }
    py::object failure() const { return optional_utf8(authp_request_auth_failure(req_.get())); }

    py::object challenge() {
        char* out = nullptr;
        const int rc = locked([&] { return authp_request_challenge(&out, req_.get()); });
        OwnedText owned(out);
        finish(rc);
        return owned ? py::object(latin1_str(owned.get(), std::char_traits<char>::length(owned.get()))) : py::none();
    }

    py::object decide() {
        authp_decision* d = nullptr;
        const int rc = locked([&] { return authp_engine_evaluate(&d, engine_->handle, req_.get()); });
        return decision_or_raise(rc, d);
    }

    RequestView view() const { return RequestView(cell_); }

  private:
    template <class F>
    int locked(F&& call) {
        py::gil_scoped_release nogil;
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        return call();
    }
    static void finish(int rc) {
        if (rc == AUTHP_OK) {
            discard_stash();
            return;
        }
        raise_error(rc);
    }

    EnginePtr engine_;  // the request must not outlive its engine
    RequestPtr req_;
    RequestCellPtr cell_;
    std::recursive_mutex mutex_;
    std::optional<py::object> auth_;
    std::string auth_text_;
};

// The DER certificate the host's TLS layer verified: bytes, bytearray or memoryview (never str,
// which has no single byte form).
void set_client_certificate(authp_request* req, py::handle der) {
    if (der.is_none()) return;
    if (!PyObject_CheckBuffer(der.ptr()) || PyUnicode_Check(der.ptr()))
        throw py::type_error(std::string("client_certificate must be bytes (the DER certificate) or None, not ") +
                             Py_TYPE(der.ptr())->tp_name);
    Py_buffer view;
    if (PyObject_GetBuffer(der.ptr(), &view, PyBUF_SIMPLE) != 0) throw py::error_already_set();
    const int rc = authp_request_set_client_certificate(req, static_cast<const unsigned char*>(view.buf),
                                                        static_cast<size_t>(view.len));
    PyBuffer_Release(&view);
    check(rc);
}

}  // namespace

void fill_request(authp_request* req, const RequestArgs& a) {
    if (a.method.is_none()) {
        check(authp_request_set_method(req, "GET", 3));
    } else {
        set_text(req, a.method, "method", authp_request_set_method);
    }
    if (a.path.is_none()) {
        check(authp_request_set_path(req, "/", 1));
    } else {
        set_text(req, a.path, "path", authp_request_set_path);
    }
    set_text(req, a.view, "view", authp_request_set_view);
    set_text(req, a.remote_addr, "remote_addr", authp_request_set_remote_addr);
    set_text(req, a.remote_user, "remote_user", authp_request_set_remote_user);
    if (!a.secure.is_none()) {
        const int truth = PyObject_IsTrue(a.secure.ptr());
        if (truth < 0) throw py::error_already_set();
        check(authp_request_set_secure(req, truth));
    }
    add_headers(req, a.headers);
    set_client_certificate(req, a.client_certificate);
}

py::object make_request_view(const RequestCellPtr& cell) {
    return py::cast(RequestView(cell));
}

py::object make_lazy_request(const EnginePtr& engine, const RequestArgs& args) {
    return py::cast(std::make_unique<Request>(engine, args));
}

void bind_request(py::module_& m) {
    py::class_<Headers>(m, "Headers", "Case-insensitive, read-only access to a request's headers.")
        .def("get", &Headers::get, py::arg("name"), py::arg("default") = py::none(),
             "The value (str, ISO-8859-1 as in WSGI), or default. Repeated headers come joined with ', '.")
        .def("get_bytes", &Headers::get_bytes, py::arg("name"), py::arg("default") = py::none(),
             "The raw value as bytes, or default.")
        .def("__getitem__", &Headers::getitem)
        .def("__contains__", &Headers::contains);

    py::class_<RequestView>(m, "RequestView", R"doc(
The request a custom authenticator reads (through the C API's authp_request_* accessors).

Valid only while authenticate() or authenticate_header() runs; reading it later raises MisuseError.)doc")
        .def_property_readonly("method", &RequestView::text<authp_request_method>)
        .def_property_readonly("path", &RequestView::text<authp_request_path>)
        .def_property_readonly("view", &RequestView::view, "The view name, or None for the default policy.")
        .def_property_readonly("remote_addr",
                               [](const RequestView& r) { return r.optional(authp_request_remote_addr); })
        .def_property_readonly(
            "remote_user", [](const RequestView& r) { return r.optional(authp_request_remote_user); },
            "The server's REMOTE_USER variable, or None.")
        .def_property_readonly("secure", &RequestView::secure, "True for HTTPS.")
        .def_property_readonly("headers", &RequestView::headers, "Case-insensitive headers: headers.get('X-Api-Key').")
        .def("__repr__", [](const RequestView& r) {
            if (!r.cell()->req) return std::string("<RequestView (gone)>");
            size_t n = 0, m2 = 0;
            const char* method = authp_request_method(r.request(), &n);
            const char* path = authp_request_path(r.request(), &m2);
            return "<RequestView " + std::string(method, n) + " " + std::string(path, m2) + ">";
        });

    py::class_<Request>(m, "Request", R"doc(
A request with DRF's lazy authentication: reading ``user`` or ``auth`` runs the view's
authenticators the first time, and never again. ``decide()`` evaluates the policy and reuses
whatever authentication already ran.)doc")
        .def_property_readonly("user", &Request::user,
                               "The User (authenticating first if needed); None when UNAUTHENTICATED_USER is null.")
        .def_property_readonly("auth", &Request::auth, "The auth value (authenticating first if needed).")
        .def_property_readonly("authenticator", &Request::authenticator,
                               "The authentication class that succeeded, or None. Does not authenticate.")
        .def_property_readonly("auth_status", &Request::status,
                               "'not_run', 'authenticated', 'anonymous' or 'failed'. Does not authenticate.")
        .def_property_readonly("auth_failure", &Request::failure,
                               "The detail of a failed authentication, or None. Does not authenticate.")
        .def_property_readonly("challenge", &Request::challenge,
                               "The WWW-Authenticate value of this request's view (its first authenticator's), "
                               "or None when failures are answered 403. Does not authenticate.")
        .def("authenticate", &Request::authenticate, "Runs authentication if it has not run yet; returns auth_status.")
        .def("decide", &Request::decide, "Evaluates the view's policy for this request; returns a Decision.")
        .def_property_readonly("method", [](const Request& r) { return r.view().text<authp_request_method>(); })
        .def_property_readonly("path", [](const Request& r) { return r.view().text<authp_request_path>(); })
        .def_property_readonly("view", [](const Request& r) { return r.view().view(); })
        .def_property_readonly("remote_addr",
                               [](const Request& r) { return r.view().optional(authp_request_remote_addr); })
        .def_property_readonly("remote_user",
                               [](const Request& r) { return r.view().optional(authp_request_remote_user); })
        .def_property_readonly("secure", [](const Request& r) { return r.view().secure(); })
        .def_property_readonly("headers", [](const Request& r) { return r.view().headers(); })
        .def("__repr__", [](const Request& r) {
            return "<Request " + std::string(py::str(r.view().text<authp_request_method>())) + " " +
                   std::string(py::str(r.view().text<authp_request_path>())) + " auth=" + r.status() + ">";
        });
}

}  // namespace authpolicy_py
