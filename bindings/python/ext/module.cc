// authpolicy._native: the pybind11 layer over the C API (authpolicy.h). The pure-Python
// package `authpolicy` re-exports it; nothing here includes the C++ core.
#include "common.h"

PYBIND11_MODULE(_native, m) {
    namespace ap = authpolicy_py;
    m.doc() = "libauthpolicy's C API for Python (use the authpolicy package).";
    if (authp_abi_version() != AUTHP_ABI_VERSION)
        throw py::import_error(
            "authpolicy: the library's ABI version does not match the one this module was built for");
    ap::init_errors(m);
    ap::bind_decision(m);
    ap::bind_request(m);
    ap::bind_engine(m);
    ap::bind_directory(m);
    ap::bind_passwords(m);
    m.attr("__version__") = authp_version_string();
    m.attr("ABI_VERSION") = authp_abi_version();
    int major = 0, minor = 0, patch = 0;
    authp_version(&major, &minor, &patch);
    m.attr("VERSION_INFO") = py::make_tuple(major, minor, patch);
}
