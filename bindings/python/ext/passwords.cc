// Django-format password hashes. Hashing is PBKDF2 and slow on purpose: the GIL is released
// around it.
#include "common.h"

namespace authpolicy_py {
namespace {

py::str hash_password(py::handle password, unsigned iterations) {
    const Text pw = text_arg(password, "password");
    char* out = nullptr;
    int rc;
    {
        py::gil_scoped_release nogil;
        rc = authp_password_hash(&out, pw.data, pw.size, iterations);
    }
    OwnedText owned(out);
    check(rc);
    return utf8_str(owned.get());
}

std::pair<bool, bool> check_password(py::handle password, py::handle encoded, unsigned min_iterations) {
    const Text pw = text_arg(password, "password");
    const Text hash = text_arg(encoded, "encoded");
    int matches = 0, needs_rehash = 0;
    int rc;
    {
        py::gil_scoped_release nogil;
        rc = authp_password_verify(&matches, &needs_rehash, pw.data, pw.size, hash.data, hash.size, min_iterations);
    }
    check(rc);
    return {matches != 0, needs_rehash != 0};
}

}  // namespace

void bind_passwords(py::module_& m) {
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
