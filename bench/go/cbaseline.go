// Package bench measures the Go binding's Decide against the C API on the same decisions.
package bench

/*
#cgo CFLAGS: -I${SRCDIR}/../../capi/include
#cgo LDFLAGS: -L${SRCDIR}/../../build/capi -Wl,-rpath,${SRCDIR}/../../build/capi -lauthpolicy
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <authpolicy.h>

// The C API loop the binding is compared with: request_reset + set method/path/view/header +
// evaluate + status + decision_free, n times. Returns nanoseconds per iteration, or -1.
static double c_loop(authp_engine *e, int n, const char *view, const char *authz) {
    authp_request *r;
    if (authp_request_new(&r, e) != AUTHP_OK) return -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        authp_request_reset(r);
        authp_request_set_method(r, "GET", 3);
        authp_request_set_path(r, "/", 1);
        if (view) authp_request_set_view(r, view, strlen(view));
        if (authz) authp_request_add_header(r, "Authorization", 13, authz, strlen(authz));
        authp_decision *d;
        if (authp_engine_evaluate(&d, e, r) != AUTHP_OK) { authp_request_free(r); return -1; }
        if (authp_decision_status(d) == 0) n++;
        authp_decision_free(d);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    authp_request_free(r);
    return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n;
}

static authp_engine *c_engine(const char *json) {
    authp_config *c; authp_engine *e = NULL;
    if (authp_config_new(&c) != AUTHP_OK) return NULL;
    if (authp_config_load_json(c, json, strlen(json), NULL) == AUTHP_OK && authp_engine_new(&e, c) != AUTHP_OK) e = NULL;
    authp_config_free(c);
    return e;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// CEngine is an engine driven directly through the C API (the baseline).
type CEngine struct{ e *C.authp_engine }

// NewCEngine builds it from JSON.
func NewCEngine(json string) (*CEngine, error) {
	cs := C.CString(json)
	defer C.free(unsafe.Pointer(cs))
	e := C.c_engine(cs)
	if e == nil {
		return nil, errors.New("c_engine failed")
	}
	return &CEngine{e}, nil
}

// Close frees it.
func (c *CEngine) Close() { C.authp_engine_free(c.e) }

// Handle is the engine, for creating users and tokens through the C API.
func (c *CEngine) Handle() unsafe.Pointer { return unsafe.Pointer(c.e) }

// Loop runs n decisions in C and returns ns per decision.
func (c *CEngine) Loop(n int, view, authz string) float64 {
	var cv, ca *C.char
	if view != "" {
		cv = C.CString(view)
		defer C.free(unsafe.Pointer(cv))
	}
	if authz != "" {
		ca = C.CString(authz)
		defer C.free(unsafe.Pointer(ca))
	}
	return float64(C.c_loop(c.e, C.int(n), cv, ca))
}

// TokenFor creates a user and a token through the C API.
func (c *CEngine) TokenFor(user string) (string, error) {
	cu := C.CString(user)
	defer C.free(unsafe.Pointer(cu))
	if rc := C.authp_user_add(nil, c.e, cu, C.size_t(len(user)), nil, 0, 0); rc != 0 {
		return "", errors.New("user_add failed")
	}
	var key *C.char
	if rc := C.authp_token_create(&key, c.e, cu, C.size_t(len(user)), nil, 0, 0); rc != 0 {
		return "", errors.New("token_create failed")
	}
	defer C.authp_free(unsafe.Pointer(key))
	return C.GoString(key), nil
}
