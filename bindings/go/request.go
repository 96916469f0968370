package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

import (
	"context"
	"encoding/json"
	"runtime"
	"unsafe"
)

// RequestView is the request as a custom Authenticator sees it, read through the C API's
// authp_request_* accessors. It is valid only during the callback; using it afterwards panics
// with ErrMisuse.
type RequestView struct {
	req *C.authp_request
	ctx context.Context
}

func (v *RequestView) live() *C.authp_request {
	if v.req == nil {
		panic(&Error{Code: CodeMisuse, Message: "the request view is only valid during the authenticator call"})
	}
	return v.req
}

// Context is the context given to Decide.
func (v *RequestView) Context() context.Context { return v.ctx }

// Method of the request.
func (v *RequestView) Method() string {
	var n C.size_t
	p := C.authp_request_method(v.live(), &n)
	return goBytes(p, n)
}

// Path of the request.
func (v *RequestView) Path() string {
	var n C.size_t
	p := C.authp_request_path(v.live(), &n)
	return goBytes(p, n)
}

// View is the view name ("" for the default policy).
func (v *RequestView) View() string {
	var n C.size_t
	p := C.authp_request_view(v.live(), &n)
	return goBytes(p, n)
}

// RemoteAddr of the client.
func (v *RequestView) RemoteAddr() string {
	var n C.size_t
	p := C.authp_request_remote_addr(v.live(), &n)
	return goBytes(p, n)
}

// RemoteUser is the server's REMOTE_USER.
func (v *RequestView) RemoteUser() string {
	var n C.size_t
	p := C.authp_request_remote_user(v.live(), &n)
	return goBytes(p, n)
}

// Secure reports whether the request came over TLS.
func (v *RequestView) Secure() bool { return C.authp_request_is_secure(v.live()) != 0 }

// Header returns a header's value (case-insensitive name; repeated headers joined with ", ").
func (v *RequestView) Header(name string) (string, bool) {
	var value *C.char
	var n C.size_t
	if C.authp_request_header(v.live(), cstr(name), C.size_t(len(name)), &value, &n) != 0 {
		return "", false
	}
	return goBytes(value, n), true
}

// AuthStatus of a lazy request.
type AuthStatus int

// Authentication states.
const (
	AuthNotRun        AuthStatus = 0
	AuthAuthenticated AuthStatus = 1
	AuthAnonymous     AuthStatus = 2
	AuthFailed        AuthStatus = 3
)

func (s AuthStatus) String() string {
	switch s {
	case AuthNotRun:
		return "not_run"
	case AuthAuthenticated:
		return "authenticated"
	case AuthAnonymous:
		return "anonymous"
	default:
		return "failed"
	}
}

// LazyRequest is DRF's request: User and Auth authenticate on first read, at most once.
// Not safe for concurrent use.
type LazyRequest struct {
	e   *Engine
	req *C.authp_request
	ctx context.Context
}

// free releases the handle; the caller holds e.liveMu.
func (r *LazyRequest) free() {
	if r.req != nil {
		C.authp_request_free(r.req)
		r.req = nil
	}
}

// Close frees the request (idempotent).
func (r *LazyRequest) Close() error {
	r.e.liveMu.Lock()
	defer r.e.liveMu.Unlock()
	runtime.SetFinalizer(r, nil)
	if r.req != nil {
		delete(r.e.live, r)
		r.free()
	}
	return nil
}

func (r *LazyRequest) do(which C.int, user **C.authp_user, text **C.char, owned **C.char) error {
	r.e.mu.RLock()
	defer r.e.mu.RUnlock()
	if r.req == nil || r.e.handle == nil {
		return &Error{Code: CodeMisuse, Message: "the request (or its engine) is closed"}
	}
	state, h, done := newCall(r.ctx, true)
	defer done()
	var msg *C.char
	rc := C.goauthp_request_call(which, r.req, h, user, text, owned, &msg)
	m := takeMsg(msg)
	if rc == 0 {
		return nil
	}
	if ErrorCode(rc) == CodeUser && state.err != nil {
		return state.err
	}
	return &Error{Code: ErrorCode(rc), Message: m}
}

// User authenticates first if needed; nil when UNAUTHENTICATED_USER is null.
func (r *LazyRequest) User() (*User, error) {
	var u *C.authp_user
	if err := r.do(0, &u, nil, nil); err != nil {
		return nil, err
	}
	return readUser(u), nil
}

// Auth authenticates first if needed; nil for a null auth.
func (r *LazyRequest) Auth() (json.RawMessage, error) {
	var t *C.char
	if err := r.do(1, nil, &t, nil); err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	return json.RawMessage(C.GoString(t)), nil
}

// Authenticate runs the view's authenticators now if they have not run yet.
func (r *LazyRequest) Authenticate() error { return r.do(2, nil, nil, nil) }

// Challenge is the view's WWW-Authenticate value ("" for none); it does not authenticate.
func (r *LazyRequest) Challenge() (string, error) {
	var owned *C.char
	err := r.do(3, nil, nil, &owned)
	if owned != nil {
		defer C.authp_free(unsafe.Pointer(owned))
	}
	if err != nil || owned == nil {
		return "", err
	}
	return C.GoString(owned), nil
}

func (r *LazyRequest) read(f func(*C.authp_request)) bool {
	r.e.mu.RLock()
	defer r.e.mu.RUnlock()
	if r.req == nil || r.e.handle == nil {
		return false
	}
	f(r.req)
	return true
}

// AuthStatus does not authenticate.
func (r *LazyRequest) AuthStatus() AuthStatus {
	s := AuthNotRun
	r.read(func(q *C.authp_request) { s = AuthStatus(C.authp_request_auth_status(q)) })
	return s
}

// Authenticator is the class that succeeded, or "" (does not authenticate).
func (r *LazyRequest) Authenticator() string {
	var s string
	r.read(func(q *C.authp_request) {
		if c := C.authp_request_authenticator(q); c != nil {
			s = C.GoString(c)
		}
	})
	return s
}

// AuthFailure is the detail of an authentication failure, or "" (does not authenticate).
func (r *LazyRequest) AuthFailure() string {
	var s string
	r.read(func(q *C.authp_request) {
		if c := C.authp_request_auth_failure(q); c != nil {
			s = C.GoString(c)
		}
	})
	return s
}

// Decide runs the policy, reusing whatever authentication already ran.
func (r *LazyRequest) Decide() (*Decision, error) {
	r.e.mu.RLock()
	defer r.e.mu.RUnlock()
	if r.req == nil || r.e.handle == nil {
		return nil, &Error{Code: CodeMisuse, Message: "the request (or its engine) is closed"}
	}
	state, h, done := newCall(r.ctx, true)
	defer done()
	var d *C.authp_decision
	var msg *C.char
	rc := C.goauthp_evaluate(&d, r.e.handle, r.req, h, &msg)
	return decisionOrError(rc, d, takeMsg(msg), state)
}
