package authpolicy

import (
	"errors"
	"fmt"
)

// ErrorCode is the C API's authp_error_code (negative; never renumbered).
type ErrorCode int

// The C API's error codes.
const (
	CodeError       ErrorCode = -1
	CodeNotFound    ErrorCode = -2
	CodeExists      ErrorCode = -3
	CodeInvalid     ErrorCode = -4
	CodeNoMemory    ErrorCode = -5
	CodeStore       ErrorCode = -6
	CodeCrypto      ErrorCode = -7
	CodeVersion     ErrorCode = -8
	CodeMisuse      ErrorCode = -9
	CodeConfig      ErrorCode = -10
	CodeCallback    ErrorCode = -11
	CodeAuthFailed  ErrorCode = -12
	CodeUser        ErrorCode = -30
	CodePassthrough ErrorCode = -31
)

var codeNames = map[ErrorCode]string{
	CodeError: "AUTHP_ERROR", CodeNotFound: "AUTHP_ENOTFOUND", CodeExists: "AUTHP_EEXISTS",
	CodeInvalid: "AUTHP_EINVALID", CodeNoMemory: "AUTHP_ENOMEM", CodeStore: "AUTHP_ESTORE",
	CodeCrypto: "AUTHP_ECRYPTO", CodeVersion: "AUTHP_EVERSION", CodeMisuse: "AUTHP_EMISUSE",
	CodeConfig: "AUTHP_ECONFIG", CodeCallback: "AUTHP_ECALLBACK", CodeAuthFailed: "AUTHP_EAUTHFAILED",
	CodeUser: "AUTHP_EUSER", CodePassthrough: "AUTHP_PASSTHROUGH",
}

func (c ErrorCode) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("AUTHP_ERROR(%d)", int(c))
}

// Error is a failure the C library reported: its code and its message (authp_error_last(),
// never a secret). errors.Is(err, ErrConfig) and friends compare codes.
type Error struct {
	Code    ErrorCode
	Message string
	// Decision is, for ErrStore / ErrCallback from Decide, the engine's safe 503 denial,
	// which a host may send as it is; nil otherwise.
	Decision *Decision
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "authpolicy: " + Strerror(e.Code)
	}
	return "authpolicy: " + e.Message
}

// Is reports whether target is one of the sentinel errors with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Decision == nil && t.Code == e.Code
}

// Sentinel errors, for errors.Is.
var (
	ErrGeneric  = &Error{Code: CodeError}
	ErrNotFound = &Error{Code: CodeNotFound}
	ErrExists   = &Error{Code: CodeExists}
	ErrInvalid  = &Error{Code: CodeInvalid}
	ErrNoMemory = &Error{Code: CodeNoMemory}
	ErrStore    = &Error{Code: CodeStore}
	ErrCrypto   = &Error{Code: CodeCrypto}
	ErrVersion  = &Error{Code: CodeVersion}
	ErrMisuse   = &Error{Code: CodeMisuse}
	ErrConfig   = &Error{Code: CodeConfig}
	ErrCallback = &Error{Code: CodeCallback}
)

// ErrPassthrough, returned by a UserLookup, lets the engine's built-in SQLite directory answer;
// returned by a PasswordVerifier, lets the engine check the user's hash.
var ErrPassthrough = errors.New("authpolicy: passthrough")

// AuthenticationFailed, returned by a custom Authenticator, rejects credentials of its kind: the
// chain stops and the request is answered 401 (with the view's challenge) or 403, with Detail
// as the response's detail (DRF's exceptions.AuthenticationFailed).
type AuthenticationFailed struct {
	Detail string
}

func (e *AuthenticationFailed) Error() string {
	if e.Detail == "" {
		return DefaultFailureDetail
	}
	return e.Detail
}

// DefaultFailureDetail is DRF's AuthenticationFailed.default_detail.
const DefaultFailureDetail = "Incorrect authentication credentials."

// Fail returns an *AuthenticationFailed with this detail ("" for DRF's default).
func Fail(detail string) error { return &AuthenticationFailed{Detail: detail} }

// PanicError is what Decide returns when a callback panicked: the panic is recovered inside the
// callback (it never unwinds through the C library) and reported here.
type PanicError struct {
	Value interface{}
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("authpolicy: callback panicked: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
