package authpolicy

// The //export trampolines the C shims (shims.c) call. Each recovers panics and turns every Go
// error into AUTHP_EUSER after storing it in the call's state, so nothing unwinds through the C
// library; Decide then returns the stored error (or *PanicError) unchanged.

// #include "shims.h"
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/cgo"
	"runtime/debug"
	"time"
	"unsafe"
)

type authenticatorPayload struct {
	name string
	impl Authenticator
}

func stateOf(call C.uintptr_t) *callState {
	if call == 0 {
		return nil
	}
	s, _ := cgo.Handle(call).Value().(*callState)
	return s
}

func (s *callState) context() context.Context {
	if s == nil || s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// guard runs f, turning a panic into a *PanicError stored in the call's state.
func guard(s *callState, f func() C.int) (rc C.int) {
	defer func() {
		if v := recover(); v != nil {
			err := &PanicError{Value: v, Stack: debug.Stack()}
			if s == nil {
				rc = C.int(CodeCallback)
				return
			}
			rc = s.fail(err)
		}
	}()
	return f()
}

func report(s *callState, err error) C.int {
	if s == nil {
		return C.int(CodeCallback) // no Go call to hand the error to
	}
	return s.fail(err)
}

func setCheck(rc C.int, what string) error {
	if rc != 0 {
		return fmt.Errorf("authpolicy: %s: %w", what, &Error{Code: ErrorCode(rc), Message: Strerror(ErrorCode(rc))})
	}
	return nil
}

//export goauthpFreeHandle
func goauthpFreeHandle(h C.uintptr_t) {
	if h != 0 {
		cgo.Handle(h).Delete()
	}
}

//export goauthpUserLookup
func goauthpUserLookup(b *C.authp_user_builder, kind C.int, name *C.char, n C.size_t, id C.int64_t, payload C.uintptr_t, call C.uintptr_t) C.int {
	s := stateOf(call)
	return guard(s, func() C.int {
		lookup := cgo.Handle(payload).Value().(UserLookup)
		q := UserQuery{}
		if kind == 1 {
			q.ByID, q.ID = true, int64(id)
		} else {
			q.Username = goBytes(name, n)
		}
		rec, err := lookup(s.context(), q)
		if errors.Is(err, ErrPassthrough) {
			return C.int(CodePassthrough)
		}
		if err != nil {
			return report(s, err)
		}
		if rec == nil {
			return C.int(CodeNotFound)
		}
		if err := fillBuilder(b, rec); err != nil {
			return report(s, err)
		}
		return 0
	})
}

func fillBuilder(b *C.authp_user_builder, u *UserRecord) error {
	if u.Username == "" {
		return errors.New("authpolicy: UserLookup: a found user needs a Username")
	}
	if err := setCheck(C.authp_user_builder_set_username(b, cstr(u.Username), C.size_t(len(u.Username))), "UserLookup: Username"); err != nil {
		return err
	}
	if u.ID != 0 {
		C.authp_user_builder_set_id(b, C.int64_t(u.ID))
	}
	C.authp_user_builder_set_flags(b, cbool(!u.Inactive), cbool(u.IsStaff), cbool(u.IsSuperuser))
	if u.PasswordHash != "" {
		if err := setCheck(C.authp_user_builder_set_password_hash(b, cstr(u.PasswordHash), C.size_t(len(u.PasswordHash))), "UserLookup: PasswordHash"); err != nil {
			return err
		}
	}
	if len(u.Attributes) > 0 {
		j, err := json.Marshal(u.Attributes)
		if err != nil {
			return fmt.Errorf("authpolicy: UserLookup: Attributes: %w", err)
		}
		js := string(j)
		if err := setCheck(C.authp_user_builder_set_attributes_json(b, cstr(js), C.size_t(len(js))), "UserLookup: Attributes"); err != nil {
			return err
		}
	}
	return nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

//export goauthpPasswordVerify
func goauthpPasswordVerify(matches *C.int, user *C.authp_user, pw *C.char, n C.size_t, payload C.uintptr_t, call C.uintptr_t) C.int {
	s := stateOf(call)
	return guard(s, func() C.int {
		verify := cgo.Handle(payload).Value().(PasswordVerifier)
		ok, err := verify(s.context(), readUser(user), goBytes(pw, n))
		if errors.Is(err, ErrPassthrough) {
			return C.int(CodePassthrough)
		}
		if err != nil {
			return report(s, err)
		}
		*matches = cbool(ok)
		return 0
	})
}

//export goauthpClock
func goauthpClock(payload C.uintptr_t) (t C.double) {
	defer func() {
		if recover() != nil {
			t = C.double(float64(time.Now().UnixNano()) / 1e9)
		}
	}()
	now := cgo.Handle(payload).Value().(func() time.Time)()
	return C.double(float64(now.UnixNano()) / 1e9)
}

//export goauthpLog
func goauthpLog(level C.int, msg *C.char, n C.size_t, payload C.uintptr_t) {
	defer func() { _ = recover() }() // a logger has no error channel
	cgo.Handle(payload).Value().(func(LogLevel, string))(LogLevel(level), goBytes(msg, n))
}

type userOut struct {
	Username    string                 `json:"username"`
	ID          *int64                 `json:"id,omitempty"`
	IsActive    bool                   `json:"is_active"`
	IsStaff     bool                   `json:"is_staff"`
	IsSuperuser bool                   `json:"is_superuser"`
	Attributes  map[string]interface{} `json:"attributes,omitempty"`
}

func withView(req *C.authp_request, ctx context.Context, f func(*RequestView)) {
	v := &RequestView{req: req, ctx: ctx}
	defer func() { v.req = nil }()
	f(v)
}

//export goauthpAuthenticate
func goauthpAuthenticate(ctx *C.authp_authn_ctx, req *C.authp_request, payload C.uintptr_t, call C.uintptr_t) C.int {
	s := stateOf(call)
	return guard(s, func() C.int {
		a := cgo.Handle(payload).Value().(*authenticatorPayload)
		var user *UserRecord
		var auth interface{}
		var err error
		withView(req, s.context(), func(v *RequestView) { user, auth, err = a.impl.Authenticate(v) })
		var failed *AuthenticationFailed
		if errors.As(err, &failed) {
			if failed.Detail != "" {
				C.authp_authn_set_detail(ctx, cstr(failed.Detail), C.size_t(len(failed.Detail)))
			}
			return C.int(CodeAuthFailed)
		}
		if err != nil {
			return report(s, err)
		}
		if user == nil {
			return C.int(CodePassthrough)
		}
		if user.Username == "" {
			return report(s, fmt.Errorf("authpolicy: authenticator %q returned a user without a Username", a.name))
		}
		out := userOut{Username: user.Username, IsActive: !user.Inactive, IsStaff: user.IsStaff,
			IsSuperuser: user.IsSuperuser, Attributes: user.Attributes}
		if user.ID != 0 {
			id := user.ID
			out.ID = &id
		}
		uj, err := json.Marshal(out)
		if err != nil {
			return report(s, fmt.Errorf("authpolicy: authenticator %q: user: %w", a.name, err))
		}
		if err := setCheck(C.authp_authn_set_user_json(ctx, (*C.char)(unsafe.Pointer(&uj[0])), C.size_t(len(uj))), "user"); err != nil {
			return report(s, err)
		}
		if auth != nil {
			aj, err := json.Marshal(auth)
			if err != nil {
				return report(s, fmt.Errorf("authpolicy: authenticator %q: auth: %w", a.name, err))
			}
			if err := setCheck(C.authp_authn_set_auth_json(ctx, (*C.char)(unsafe.Pointer(&aj[0])), C.size_t(len(aj))), "auth"); err != nil {
				return report(s, err)
			}
		}
		return 0
	})
}

//export goauthpChallenge
func goauthpChallenge(ctx *C.authp_authn_ctx, req *C.authp_request, payload C.uintptr_t, call C.uintptr_t) C.int {
	s := stateOf(call)
	return guard(s, func() C.int {
		a := cgo.Handle(payload).Value().(*authenticatorPayload)
		var value string
		var err error
		withView(req, s.context(), func(v *RequestView) { value, err = a.impl.(Challenger).AuthenticateHeader(v) })
		if err != nil {
			return report(s, err)
		}
		if value == "" {
			return C.int(CodePassthrough)
		}
		if err := setCheck(C.authp_authn_set_challenge(ctx, cstr(value), C.size_t(len(value))), "challenge"); err != nil {
			return report(s, err)
		}
		return 0
	})
}
