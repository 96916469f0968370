// The one place that maps C API codes to exceptions, and the stash that carries a Python
// exception raised in a callback across the library and out of the call that ran it.
//
// Protocol (pygit2's): a trampoline catches whatever the Python callable raised, stores it in
// this thread's stash and returns AUTHP_EUSER; the library unwinds and returns AUTHP_EUSER; the
// binding then re-raises the stored exception, so its type and traceback reach the caller.
// Exceptions never unwind through the library's frames. The stash is per thread because an
// engine is shared and its callbacks run on whichever thread called in.
#include "common.h"

namespace authpolicy_py {
namespace {

struct Stash {
    PyObject* type = nullptr;  // owned references (plain pointers: no destructor at thread exit)
    PyObject* value = nullptr;
    PyObject* traceback = nullptr;
};
thread_local Stash t_stash;

// Leaked on purpose: destroying Python objects after the interpreter is gone would crash.
py::object* g_errors_module = nullptr;
ErrorClasses* g_classes = nullptr;

[[noreturn]] void reraise_stash() {
    PyErr_Restore(t_stash.type, t_stash.value, t_stash.traceback);
    t_stash = Stash{};
    throw py::error_already_set();
}

}  // namespace

const ErrorClasses& error_classes() {
    return *g_classes;
}

void discard_stash() noexcept {
    Py_CLEAR(t_stash.type);
    Py_CLEAR(t_stash.value);
    Py_CLEAR(t_stash.traceback);
}

int stash_current_exception() noexcept {
    try {
        throw;
    } catch (py::error_already_set& e) {
        if (g_classes && e.matches(g_classes->passthrough)) return AUTHP_PASSTHROUGH;
        e.restore();
    } catch (py::builtin_exception& e) {  // py::type_error, py::value_error, cast errors
        e.set_error();
    } catch (const std::bad_alloc&) {
        PyErr_NoMemory();
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception in an authpolicy callback");
    }
    discard_stash();
    PyErr_Fetch(&t_stash.type, &t_stash.value, &t_stash.traceback);
    return AUTHP_EUSER;
}

[[noreturn]] void raise_error_with_decision(int code, py::object decision) {
    if (code == AUTHP_EUSER && t_stash.type) reraise_stash();
    discard_stash();
    // Read the message first: it is valid only until the next failing call on this thread.
    const char* last = authp_error_last();
    const std::string message = last && *last ? last : authp_strerror(code);
    py::object exc = g_errors_module->attr("_error_for_code")(code, utf8_str(message.data(), message.size()));
    if (!decision.is_none()) exc.attr("decision") = decision;
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    throw py::error_already_set();
}

[[noreturn]] void raise_misuse(const std::string& message) {
    py::object exc = g_errors_module->attr("_error_for_code")(static_cast<int>(AUTHP_EMISUSE), message);
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
    throw py::error_already_set();
}

[[noreturn]] void raise_error(int code) {
    raise_error_with_decision(code, py::none());
}

void init_errors(py::module_& m) {
    // Pure Python, so the classes are ordinary, picklable and documented in one place.
    g_errors_module = new py::object(py::module_::import("authpolicy.errors"));
    g_classes = new ErrorClasses{g_errors_module->attr("AuthenticationFailed"), g_errors_module->attr("Passthrough")};
    m.def(
        "strerror", [](int code) { return std::string(authp_strerror(code)); }, py::arg("code"),
        "Static text for a C API error code (authp_strerror).");
}

}  // namespace authpolicy_py
