package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

import "unsafe"

// HashPassword returns a Django-format pbkdf2_sha256 hash with a fresh salt (iterations 0:
// 1,000,000).
func HashPassword(password string, iterations uint) (string, error) {
	var out *C.char
	err := call(func() C.int {
		return C.authp_password_hash(&out, cstr(password), C.size_t(len(password)), C.uint(iterations))
	})
	if out != nil {
		defer C.authp_free(unsafe.Pointer(out))
	}
	if err != nil {
		return "", err
	}
	return C.GoString(out), nil
}

// CheckPassword verifies a password against a Django-format hash in constant time;
// needsRehash when the hash uses another algorithm, fewer than minIterations (0: 1,000,000)
// or a short salt. An unknown or malformed format does not match.
func CheckPassword(password, encoded string, minIterations uint) (matches, needsRehash bool, err error) {
	var m, r C.int
	err = call(func() C.int {
		return C.authp_password_verify(&m, &r, cstr(password), C.size_t(len(password)), cstr(encoded),
			C.size_t(len(encoded)), C.uint(minIterations))
	})
	return m != 0, r != 0, err
}

// VerifyPassword reports whether the password matches the hash.
func VerifyPassword(password, encoded string) bool {
	ok, _, err := CheckPassword(password, encoded, 0)
	return ok && err == nil
}
