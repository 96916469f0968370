// Text in and out: borrowed views of str/bytes arguments (no copies on the hot path), and
// decoding of what the library hands back. JSON goes through Python's own json module.
#include "common.h"

namespace authpolicy_py {
namespace {

const char* type_name(py::handle value) {
    return Py_TYPE(value.ptr())->tp_name;
}

[[noreturn]] void wrong_type(py::handle value, const char* what) {
    throw py::type_error(std::string(what) + " must be str or bytes, not " + type_name(value));
}

Text utf8_of(py::handle value, const char* what) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(value.ptr(), &n);
    if (p == nullptr) {
        // Lone surrogates: say which argument instead of a bare UnicodeEncodeError.
        PyErr_Clear();
        throw py::value_error(std::string(what) + " is not encodable as UTF-8");
    }
    return {p, static_cast<size_t>(n)};
}

struct JsonFunctions {
    py::object loads, dumps;
};
const JsonFunctions& json() {
    // Leaked on purpose (see errors.cc); the GIL serialises the first call.
    static const JsonFunctions* fns = [] {
        py::module_ mod = py::module_::import("json");
        return new JsonFunctions{mod.attr("loads"), mod.attr("dumps")};
    }();
    return *fns;
}

}  // namespace

Text text_arg(py::handle value, const char* what) {
    if (PyUnicode_Check(value.ptr())) return utf8_of(value, what);
    if (PyBytes_Check(value.ptr()))
        return {PyBytes_AS_STRING(value.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(value.ptr()))};
    wrong_type(value, what);
}

Text header_text(py::handle value, const char* what) {
    PyObject* o = value.ptr();
    if (PyUnicode_Check(o)) {
        // A one-byte-kind str *is* its ISO-8859-1 encoding: borrow it as is.
        if (PyUnicode_KIND(o) == PyUnicode_1BYTE_KIND)
            return {reinterpret_cast<const char*>(PyUnicode_1BYTE_DATA(o)),
                    static_cast<size_t>(PyUnicode_GET_LENGTH(o))};
        return utf8_of(value, what);
    }
    if (PyBytes_Check(o)) return {PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o))};
    wrong_type(value, what);
}

py::str utf8_str(const char* p, size_t n) {
    PyObject* s = PyUnicode_DecodeUTF8(p, static_cast<Py_ssize_t>(n), "surrogateescape");
    if (s == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(s);
}

py::str utf8_str(const char* p) {
    return utf8_str(p, std::char_traits<char>::length(p));
}

py::str latin1_str(const char* p, size_t n) {
    PyObject* s = PyUnicode_DecodeLatin1(p, static_cast<Py_ssize_t>(n), nullptr);
    if (s == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(s);
}

py::object optional_utf8(const char* p) {
    if (p == nullptr) return py::none();
    return utf8_str(p);
}

py::object json_loads(const char* text, size_t n) {
    return json().loads(utf8_str(text, n));
}

py::object json_loads(const char* text) {
    return json_loads(text, std::char_traits<char>::length(text));
}

std::string json_dumps(py::handle value) {
    py::object text = json().dumps(value, py::arg("ensure_ascii") = false, py::arg("allow_nan") = false,
                                   py::arg("separators") = py::make_tuple(",", ":"));
    const Text t = utf8_of(text, "JSON text");
    return std::string(t.data, t.size);
}

}  // namespace authpolicy_py
