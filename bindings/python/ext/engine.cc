// authp_config and authp_engine: building an engine from a policy plus Python callbacks,
// and decide(), the hot path (the GIL is released while the library evaluates).
#include <mutex>

#include "common.h"

namespace authpolicy_py {

EngineCore::~EngineCore() {
    for (authp_request* r : spare) authp_request_free(r);  // requests go before their engine
    authp_engine_free(handle);  // runs the payload destructors, which take the GIL themselves
}

namespace {

constexpr size_t kMaxSpareRequests = 16;

// A request for one decide() call: a spare one if there is, back to the spares afterwards.
class PooledRequest {
  public:
    explicit PooledRequest(EngineCore& core) : core_(core) {
        if (!core_.spare.empty()) {
            req_ = core_.spare.back();
            core_.spare.pop_back();
        } else {
            check(authp_request_new(&req_, core_.handle));
        }
    }
    ~PooledRequest() {  // with the GIL held (decide() has taken it back)
        if (core_.spare.size() < kMaxSpareRequests) {
            authp_request_reset(req_);
            core_.spare.push_back(req_);
        } else {
            authp_request_free(req_);
        }
    }
    PooledRequest(const PooledRequest&) = delete;
    PooledRequest& operator=(const PooledRequest&) = delete;
    authp_request* get() const { return req_; }

  private:
    EngineCore& core_;
    authp_request* req_ = nullptr;
};

struct FreeConfig {
    void operator()(authp_config* c) const noexcept { authp_config_free(c); }
};

class Engine {
  public:
    Engine(const std::string& config, bool is_file, py::object base_dir, py::object user_lookup,
           py::object password_verifier, py::object clock, py::object logger, py::dict authenticators) {
        authp_config* raw = nullptr;
        check(authp_config_new(&raw));
        std::unique_ptr<authp_config, FreeConfig> cfg(raw);
        if (is_file) {
            check(authp_config_load_file(cfg.get(), config.c_str()));
        } else {
            std::string dir;
            if (!base_dir.is_none()) dir = base_dir.cast<std::string>();
            check(authp_config_load_json(cfg.get(), config.data(), config.size(),
                                         base_dir.is_none() ? nullptr : dir.c_str()));
        }
        if (!user_lookup.is_none()) set_user_lookup(cfg.get(), std::move(user_lookup));
        if (!password_verifier.is_none()) set_password_verifier(cfg.get(), std::move(password_verifier));
        if (!clock.is_none()) set_clock(cfg.get(), std::move(clock));
        set_logger(cfg.get(), std::move(logger));
        for (auto [name, spec] : authenticators) {
            const py::tuple pair = spec.cast<py::tuple>();
            add_authenticator(cfg.get(), name.cast<std::string>(), pair[0], pair[1].cast<bool>());
        }
        authp_engine* engine = nullptr;
        check(authp_engine_new(&engine, cfg.get()));
        core_ = std::make_shared<EngineCore>();
        core_->handle = engine;
        cfg_ = std::move(cfg);  // kept: a reload loads into it, so the callbacks stay the same
    }

    // authp_engine_reload with the same callbacks. The GIL is released while the new policy is
    // built and the old one drains (a decision in flight may need the GIL for a callback).
    void reload(const std::string& config, bool is_file, py::object base_dir) {
        std::string dir;
        if (!base_dir.is_none()) dir = base_dir.cast<std::string>();
        int rc;
        {
            py::gil_scoped_release nogil;
            std::lock_guard lock(reload_mutex_);
            rc = is_file ? authp_config_load_file(cfg_.get(), config.c_str())
                         : authp_config_load_json(cfg_.get(), config.data(), config.size(),
                                                  dir.empty() ? nullptr : dir.c_str());
            if (rc == AUTHP_OK) rc = authp_engine_reload(core_->handle, cfg_.get());
        }
        check(rc);
    }

    py::object decide(py::handle method, py::handle path, py::handle headers, py::handle view, py::handle remote_addr,
                      py::handle secure, py::handle remote_user, py::handle client_certificate) const {
        PooledRequest req(*core_);
        fill_request(req.get(),
                     RequestArgs{method, path, headers, view, remote_addr, secure, remote_user, client_certificate});
        authp_decision* d = nullptr;
        int rc;
        {
            py::gil_scoped_release nogil;
            rc = authp_engine_evaluate(&d, core_->handle, req.get());
        }
        return decision_or_raise(rc, d);
    }

    py::object request(py::handle method, py::handle path, py::handle headers, py::handle view, py::handle remote_addr,
                       py::handle secure, py::handle remote_user, py::handle client_certificate) const {
        return make_lazy_request(
            core_, RequestArgs{method, path, headers, view, remote_addr, secure, remote_user, client_certificate});
    }

    bool has_view(const std::string& name) const {
        return authp_engine_has_view(core_->handle, name.data(), name.size()) != 0;
    }
    void invalidate_caches() const { authp_engine_invalidate_caches(core_->handle); }
    py::object users() const { return make_users(core_); }
    py::object tokens() const { return make_tokens(core_); }
    py::object directory() const { return make_engine_directory(core_); }

  private:
    EnginePtr core_;
    std::unique_ptr<authp_config, FreeConfig> cfg_;
    std::mutex reload_mutex_;
};

}  // namespace

void bind_engine(py::module_& m) {
    py::class_<Engine>(m, "Engine", R"doc(
The native engine (authp_engine): an immutable policy, safe to share between threads.

Use authpolicy.Engine, which accepts a dict, JSON text or a file and checks the callbacks.)doc")
        .def(py::init<const std::string&, bool, py::object, py::object, py::object, py::object, py::object, py::dict>(),
             py::arg("config"), py::arg("is_file"), py::arg("base_dir"), py::arg("user_lookup"),
             py::arg("password_verifier"), py::arg("clock"), py::arg("logger"), py::arg("authenticators"))
        .def("decide", &Engine::decide, py::arg("method") = "GET", py::arg("path") = "/", py::kw_only(),
             py::arg("headers") = py::none(), py::arg("view") = py::none(), py::arg("remote_addr") = py::none(),
             py::arg("secure") = false, py::arg("remote_user") = py::none(), py::arg("client_certificate") = py::none(),
             R"doc(
Evaluates one request and returns a Decision (a denial is a value, not an exception).

headers: a mapping or an iterable of (name, value) pairs; str values travel as ISO-8859-1
(as WSGI and DRF do; characters beyond U+00FF as UTF-8), bytes as they are. view: the name of
a view in the configuration's VIEWS, or None for the default policy. remote_user: the server's
REMOTE_USER variable (RemoteUserAuthentication). client_certificate: the DER bytes of the
client certificate your TLS layer verified (mutual TLS), for certificate-bound tokens
(RFC 8705, cnf.x5t#S256); never one taken from a request header. Raises NotFoundError for an unknown view; an
exception raised by a callback propagates unchanged; StoreError/CallbackError carry the safe
503 denial in their ``decision`` attribute.)doc")
        .def("request", &Engine::request, py::arg("method") = "GET", py::arg("path") = "/", py::kw_only(),
             py::arg("headers") = py::none(), py::arg("view") = py::none(), py::arg("remote_addr") = py::none(),
             py::arg("secure") = false, py::arg("remote_user") = py::none(), py::arg("client_certificate") = py::none(),
             "A Request whose user and auth authenticate lazily (on first read, once); same arguments as decide().")
        .def("_reload", &Engine::reload, py::arg("config"), py::arg("is_file"), py::arg("base_dir"))
        .def("has_view", &Engine::has_view, py::arg("name"), "True if the configuration has a view of that name.")
        .def("invalidate_caches", &Engine::invalidate_caches,
             "Drops every cached credential (call it after changing users outside the library).")
        .def_property_readonly("users", &Engine::users, "The built-in directory's users (the engine's DATABASE).")
        .def_property_readonly("tokens", &Engine::tokens, "The built-in directory's tokens (the engine's DATABASE).")
        .def_property_readonly("directory", &Engine::directory,
                               "A new Directory on the engine's DATABASE (users, tokens, OAuth tokens, sessions); "
                               "its writes reach this engine's caches at once. It owns its handle: close it (or use "
                               "it in a with block); it stays valid after the engine is gone.");
}

}  // namespace authpolicy_py
