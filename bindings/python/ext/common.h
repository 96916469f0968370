// What the extension's files share: handle owners, text conversion, error mapping and the
// per-thread stash that carries a Python exception across the C API (pygit2's protocol).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authpolicy.h"

namespace py = pybind11;

namespace authpolicy_py {

// ---- errors.cc -------------------------------------------------------------------------------

// Raises the exception class for a C API code, with authp_error_last() as its message.
// AUTHP_EUSER re-raises the exception a callback stashed on this thread (type and traceback kept).
[[noreturn]] void raise_error(int code);
// Like raise_error, and the exception carries `decision` (the safe denial evaluation returned).
[[noreturn]] void raise_error_with_decision(int code, py::object decision);
// A MisuseError (the API was used out of order) with this message.
[[noreturn]] void raise_misuse(const std::string& message);
inline void check(int rc) {
    if (rc < 0) raise_error(rc);
}

// Inside a trampoline's catch (...) with the GIL held: moves the exception in flight (a Python
// error, a pybind11 cast error or a C++ exception) into this thread's stash and returns
// AUTHP_EUSER, or AUTHP_PASSTHROUGH when the callback raised authpolicy.Passthrough.
int stash_current_exception() noexcept;
// Drops a stashed exception (a call returned something other than AUTHP_EUSER).
void discard_stash() noexcept;

// authpolicy.errors classes, looked up once at import.
struct ErrorClasses {
    py::object authentication_failed;  // raised by custom authenticators: a 401, not an error
    py::object passthrough;            // raised by a user lookup: ask the built-in directory
};
const ErrorClasses& error_classes();
void init_errors(py::module_& m);

// ---- text.cc ---------------------------------------------------------------------------------

// A borrowed (pointer, length) view of a str or bytes argument; valid while the object lives.
struct Text {
    const char* data = nullptr;
    size_t size = 0;
};
// str as UTF-8, bytes as is; anything else is a TypeError naming `what`.
Text text_arg(py::handle value, const char* what);
// For header names and values: str as ISO-8859-1 when every character fits (what WSGI and DRF
// do), otherwise UTF-8; bytes as is.
Text header_text(py::handle value, const char* what);
// Decodes library output: UTF-8 (surrogateescape, so nothing is ever lost) or ISO-8859-1.
py::str utf8_str(const char* p, size_t n);
py::str utf8_str(const char* p);
py::str latin1_str(const char* p, size_t n);
py::object optional_utf8(const char* p);  // None for NULL

py::object json_loads(const char* text, size_t n);
py::object json_loads(const char* text);
// Compact JSON; raises TypeError/ValueError for what json.dumps refuses (also NaN).
std::string json_dumps(py::handle value);

// ---- handles ---------------------------------------------------------------------------------

struct FreeOwned {
    void operator()(char* p) const noexcept { authp_free(p); }
};
using OwnedText = std::unique_ptr<char, FreeOwned>;

struct FreeDecision {
    void operator()(authp_decision* d) const noexcept { authp_decision_free(d); }
};
using DecisionPtr = std::unique_ptr<authp_decision, FreeDecision>;

struct FreeRequest {
    void operator()(authp_request* r) const noexcept { authp_request_free(r); }
};
using RequestPtr = std::unique_ptr<authp_request, FreeRequest>;

// An engine handle shared by the Engine object and everything that must not outlive it
// (lazy requests, the users/tokens views), with a few reset requests that decide() reuses
// (authp_request_reset) instead of allocating one per call. The spares are only touched with the
// GIL held, and freed before the engine, as the C API requires.
struct EngineCore {
    authp_engine* handle = nullptr;
    std::vector<authp_request*> spare;
    EngineCore() = default;
    EngineCore(const EngineCore&) = delete;
    EngineCore& operator=(const EngineCore&) = delete;
    ~EngineCore();
};
using EnginePtr = std::shared_ptr<EngineCore>;

// The request a callback may read: valid only while the library runs that callback, or while
// the owning lazy Request lives. Python objects that view it share the cell and see NULL after.
struct RequestCell {
    const authp_request* req = nullptr;
};
using RequestCellPtr = std::shared_ptr<RequestCell>;

// ---- decision.cc -----------------------------------------------------------------------------

// A copy of an authp_user (which is only borrowed from its decision or request).
struct User {
    std::optional<int64_t> id;
    std::string username;
    bool is_authenticated = false;
    bool is_active = false;
    bool is_staff = false;
    bool is_superuser = false;
    std::string attributes_json = "{}";
};
User copy_user(const authp_user* u);
py::object user_or_none(const authp_user* u);
py::object wrap_decision(DecisionPtr d);
// After authp_engine_evaluate: the Decision, or the exception for rc (a stashed callback
// exception for AUTHP_EUSER; an error carrying the safe denial for AUTHP_ESTORE, …).
py::object decision_or_raise(int rc, authp_decision* d);
void bind_decision(py::module_& m);

// ---- request.cc ------------------------------------------------------------------------------

// Arguments of decide() and request(), converted once.
struct RequestArgs {
    py::handle method, path, headers, view, remote_addr, secure, remote_user, client_certificate;
};
// Fills a fresh request from Python arguments (GIL held; the library copies everything).
void fill_request(authp_request* req, const RequestArgs& args);
// A view of a request for custom authenticators (invalidated when the callback returns).
py::object make_request_view(const RequestCellPtr& cell);
py::object make_lazy_request(const EnginePtr& engine, const RequestArgs& args);
void bind_request(py::module_& m);

// ---- callbacks.cc ----------------------------------------------------------------------------

// Registers the Python callables on a config (each owned by the config and then the engines).
void set_user_lookup(authp_config* cfg, py::object fn);
void set_password_verifier(authp_config* cfg, py::object fn);
void set_clock(authp_config* cfg, py::object fn);
void set_logger(authp_config* cfg, py::object fn);
void add_authenticator(authp_config* cfg, const std::string& name, py::object instance, bool with_challenge);

// ---- engine.cc, directory.cc, passwords.cc ---------------------------------------------------

// engine.directory: a Directory owning a handle on the engine's directory.
py::object make_engine_directory(const EnginePtr& engine);
// engine.users, engine.tokens: views that take the engine's directory afresh for each call.
py::object make_users(const EnginePtr& engine);
py::object make_tokens(const EnginePtr& engine);
void bind_engine(py::module_& m);
void bind_directory(py::module_& m);
void bind_passwords(py::module_& m);

}  // namespace authpolicy_py
