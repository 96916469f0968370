package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// ABIVersion is the AUTHP_ABI_VERSION this package is written against (checked at init, and
// at compile time by shims.h).
const ABIVersion = 0

func init() {
	if v := int(C.authp_abi_version()); v != ABIVersion {
		panic(fmt.Sprintf("authpolicy: libauthpolicy has ABI version %d, this package needs %d", v, ABIVersion))
	}
}

// Version is the runtime library's version ("0.1.0").
func Version() string { return C.GoString(C.authp_version_string()) }

// Strerror is the C API's static text for a code.
func Strerror(code ErrorCode) string { return C.GoString(C.authp_strerror(C.int(code))) }

// ---- strings across the boundary ------------------------------------------------------------

// cstr returns a pointer to s's bytes for the duration of one C call (never NUL-terminated; the
// length travels beside it). The bytes hold no Go pointers, so passing them is allowed; reading
// the data pointer through unsafe.Pointer (not uintptr) keeps checkptr (-race) satisfied.
func cstr(s string) *C.char {
	if len(s) == 0 {
		return &C.goauthp_empty[0]
	}
	return (*C.char)(*(*unsafe.Pointer)(unsafe.Pointer(&s)))
}

func goBytes(p *C.char, n C.size_t) string {
	if p == nil || n == 0 {
		return ""
	}
	return C.GoStringN(p, C.int(n))
}

func takeMsg(msg *C.char) string {
	if msg == nil {
		return ""
	}
	defer C.free(unsafe.Pointer(msg))
	return C.GoString(msg)
}

// call runs f on a locked OS thread and turns a failure into an *Error with the message
// authp_error_last() holds on that thread.
func call(f func() C.int) error {
	runtime.LockOSThread()
	rc := f()
	var msg string
	if rc != 0 {
		msg = takeMsg(C.goauthp_error_copy())
	}
	runtime.UnlockOSThread()
	if rc == 0 {
		return nil
	}
	return &Error{Code: ErrorCode(rc), Message: msg}
}

// ---- configuration --------------------------------------------------------------------------

// UserQuery is what a UserLookup is asked: a username, or an id (ByID).
type UserQuery struct {
	Username string
	ID       int64
	ByID     bool
}

// UserRecord is a user as a UserLookup or an Authenticator returns it.
type UserRecord struct {
	Username string // required
	ID       int64  // 0: no id
	// PasswordHash is a Django-format hash ("pbkdf2_sha256$…"); "" means no usable password.
	// (UserLookup only.)
	PasswordHash string
	Inactive     bool // is_active is true unless this is set
	IsStaff      bool
	IsSuperuser  bool
	Attributes   map[string]interface{}
}

// UserLookup resolves users for the built-in authenticators (Basic, Token, RemoteUser). Return
// (nil, nil) for "no such user", ErrPassthrough to let the built-in SQLite directory answer, or
// any other error to stop the evaluation (Decide returns that error).
type UserLookup func(ctx context.Context, q UserQuery) (*UserRecord, error)

// PasswordVerifier replaces the engine's own hash check: (true/false, nil), or ErrPassthrough to
// let the engine check the hash.
type PasswordVerifier func(ctx context.Context, user *User, password string) (bool, error)

// Authenticator is a custom authentication class (DRF's BaseAuthentication). Authenticate
// returns (user, auth, nil) when it authenticated the request (auth: any JSON-marshalable
// value, or nil), (nil, nil, nil) when the request has no credentials of its kind (the next
// authenticator runs), an *AuthenticationFailed (see Fail) when they were bad (the chain
// stops), or any other error to stop the evaluation (Decide returns it).
type Authenticator interface {
	Authenticate(r *RequestView) (user *UserRecord, auth interface{}, err error)
}

// Challenger is implemented by authenticators that have a WWW-Authenticate challenge (used
// when the authenticator is the first of a view). Without one, failures are answered 403.
// Return "" for no challenge.
type Challenger interface {
	AuthenticateHeader(r *RequestView) (string, error)
}

// AuthenticatorFunc adapts a function to the Authenticator interface.
type AuthenticatorFunc func(r *RequestView) (*UserRecord, interface{}, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *RequestView) (*UserRecord, interface{}, error) {
	return f(r)
}

// LogLevel of the engine's log lines.
type LogLevel int

// Log levels.
const (
	LogError   LogLevel = 0
	LogWarning LogLevel = 1
	LogInfo    LogLevel = 2
)

func (l LogLevel) String() string {
	switch l {
	case LogWarning:
		return "warning"
	case LogInfo:
		return "info"
	default:
		return "error"
	}
}

// Options are an engine's callbacks. Every field is optional.
type Options struct {
	UserLookup       UserLookup
	Authenticators   map[string]Authenticator // by the name the configuration uses
	PasswordVerifier PasswordVerifier
	Clock            func() time.Time // tests
	// Logger receives the engine's log lines (a throttle backend going down, …). nil: stderr.
	Logger func(level LogLevel, message string)
	// DiscardLogs drops the log lines instead.
	DiscardLogs bool
	// BaseDir is where a relative DATABASE of a JSON/map configuration lives (default: the
	// current directory). A file's DATABASE is relative to the file.
	BaseDir string
}

// ---- the engine -------------------------------------------------------------------------------

// Engine is an immutable policy, safe for concurrent use by many goroutines. Close it when
// done (a finalizer frees it otherwise).
type Engine struct {
	mu        sync.RWMutex // Decide holds it shared; Close exclusively
	handle    *C.authp_engine
	cfg       *C.authp_config // kept: Reload loads into it, so the callbacks stay the same
	reloadMu  sync.Mutex
	callbacks bool // whether evaluations need a call state for Go callbacks
	spare     chan *C.authp_request
	liveMu    sync.Mutex
	live      map[*LazyRequest]struct{} // freed by Close before the engine
	// Users and Tokens work on the engine's directory, taken afresh for each call (they follow a
	// Reload). Directory() gives OAuth tokens, sessions and the schema too.
	Users  *Users
	Tokens *Tokens
}

// NewEngine builds an engine from config, which is one of:
//   - JSON text as []byte or json.RawMessage, or a string starting with "{";
//   - a file path (any other string); relative paths inside resolve against its directory;
//   - anything else is marshalled with encoding/json (map[string]interface{}, a struct).
func NewEngine(config interface{}, opts Options) (*Engine, error) {
	text, file, err := configSource(config)
	if err != nil {
		return nil, err
	}
	for name, a := range opts.Authenticators {
		if a == nil {
			return nil, fmt.Errorf("authpolicy: authenticator %q is nil: %w", name, ErrInvalid)
		}
	}

	var cfg *C.authp_config
	if err := call(func() C.int { return C.authp_config_new(&cfg) }); err != nil {
		return nil, err
	}
	built := false
	defer func() {
		if !built {
			C.authp_config_free(cfg)
		}
	}()
	if err := loadConfig(cfg, text, file, opts.BaseDir); err != nil {
		return nil, err
	}

	// Each registration hands a cgo.Handle to the library, which deletes it (free_payload) when
	// the config and every engine built from it are gone. A failed registration keeps nothing.
	register := func(v interface{}, f func(h C.uintptr_t) C.int) error {
		h := cgo.NewHandle(v)
		if err := call(func() C.int { return f(C.uintptr_t(h)) }); err != nil {
			h.Delete()
			return err
		}
		return nil
	}
	callbacks := false
	if opts.UserLookup != nil {
		callbacks = true
		if err := register(opts.UserLookup, func(h C.uintptr_t) C.int { return C.goauthp_set_user_lookup(cfg, h) }); err != nil {
			return nil, err
		}
	}
	if opts.PasswordVerifier != nil {
		callbacks = true
		if err := register(opts.PasswordVerifier, func(h C.uintptr_t) C.int { return C.goauthp_set_password_verifier(cfg, h) }); err != nil {
			return nil, err
		}
	}
	if opts.Clock != nil {
		if err := register(opts.Clock, func(h C.uintptr_t) C.int { return C.goauthp_set_clock(cfg, h) }); err != nil {
			return nil, err
		}
	}
	if opts.DiscardLogs {
		if err := call(func() C.int { return C.goauthp_set_logger(cfg, 0) }); err != nil {
			return nil, err
		}
	} else if opts.Logger != nil {
		if err := register(opts.Logger, func(h C.uintptr_t) C.int { return C.goauthp_set_logger(cfg, h) }); err != nil {
			return nil, err
		}
	}
	for name, a := range opts.Authenticators {
		callbacks = true
		_, challenges := a.(Challenger)
		cname := C.CString(name)
		with := C.int(0)
		if challenges {
			with = 1
		}
		err := register(&authenticatorPayload{name: name, impl: a}, func(h C.uintptr_t) C.int {
			return C.goauthp_add_authenticator(cfg, cname, h, with)
		})
		C.free(unsafe.Pointer(cname))
		if err != nil {
			return nil, err
		}
	}

	var handle *C.authp_engine
	if err := call(func() C.int { return C.authp_engine_new(&handle, cfg) }); err != nil {
		return nil, err
	}
	built = true
	e := &Engine{handle: handle, cfg: cfg, callbacks: callbacks, spare: make(chan *C.authp_request, 4*runtime.GOMAXPROCS(0))}
	e.Users = &Users{src: e}
	e.Tokens = &Tokens{src: e}
	runtime.SetFinalizer(e, (*Engine).Close)
	return e, nil
}

// Close frees the engine. It waits for running Decide calls; later calls fail with ErrMisuse.
// Idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.handle == nil {
		return nil
	}
	runtime.SetFinalizer(e, nil)
	for {
		select {
		case r := <-e.spare:
			C.authp_request_free(r)
			continue
		default:
		}
		break
	}
	e.liveMu.Lock()
	for lr := range e.live {
		lr.free()
	}
	e.live = nil
	e.liveMu.Unlock()
	C.authp_engine_free(e.handle)
	e.handle = nil
	C.authp_config_free(e.cfg)
	e.cfg = nil
	return nil
}

// configSource turns NewEngine's or Reload's config argument into JSON text or a file path.
func configSource(config interface{}) ([]byte, string, error) {
	switch c := config.(type) {
	case []byte:
		return c, "", nil
	case json.RawMessage:
		return c, "", nil
	case string:
		if strings.HasPrefix(strings.TrimLeft(c, " \t\r\n"), "{") {
			return []byte(c), "", nil
		}
		return nil, c, nil
	case nil:
		return nil, "", fmt.Errorf("authpolicy: config must be JSON, a file path or a value to marshal, not nil: %w", ErrInvalid)
	default:
		b, err := json.Marshal(c)
		if err != nil {
			return nil, "", fmt.Errorf("authpolicy: config: %w", err)
		}
		return b, "", nil
	}
}

func loadConfig(cfg *C.authp_config, text []byte, file, baseDir string) error {
	if file != "" {
		cpath := C.CString(file)
		defer C.free(unsafe.Pointer(cpath))
		return call(func() C.int { return C.authp_config_load_file(cfg, cpath) })
	}
	var base *C.char
	if baseDir != "" {
		base = C.CString(baseDir)
		defer C.free(unsafe.Pointer(base))
	}
	p := C.CBytes(text)
	defer C.free(p)
	return call(func() C.int { return C.authp_config_load_json(cfg, (*C.char)(p), C.size_t(len(text)), base) })
}

// Reload replaces the policy without a restart (authp_engine_reload), keeping the callbacks given
// to NewEngine. The new policy is built completely first: on an error (a *Error wrapping
// ErrConfig …) nothing changes and the old policy keeps serving. Decide calls already running
// finish on the old policy. Caches and remote key sets whose meaning did not change are kept.
// Safe to call while other goroutines decide. baseDir resolves a relative DATABASE of JSON text.
func (e *Engine) Reload(config interface{}, baseDir string) error {
	text, file, err := configSource(config)
	if err != nil {
		return err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return errClosed
	}
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	if err := loadConfig(e.cfg, text, file, baseDir); err != nil {
		return err
	}
	return call(func() C.int { return C.authp_engine_reload(e.handle, e.cfg) })
}

var errClosed = &Error{Code: CodeMisuse, Message: "the engine is closed"}

// HasView reports whether the configuration has a view of that name.
func (e *Engine) HasView(name string) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return false
	}
	return C.authp_engine_has_view(e.handle, cstr(name), C.size_t(len(name))) != 0
}

// InvalidateCaches drops every cached credential (after changing users outside the library).
func (e *Engine) InvalidateCaches() {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle != nil {
		C.authp_engine_invalidate_caches(e.handle)
	}
}

// Request is one HTTP request as the engine sees it.
type Request struct {
	Method     string              // default "GET"
	Path       string              // default "/"
	Header     map[string][]string // http.Header; names are case-insensitive, repeated values are joined with ", "
	View       string              // a view of the configuration's VIEWS; "" for the default policy
	RemoteAddr string              // the client address (no port)
	Secure     bool                // the request came over TLS
	RemoteUser string              // the server's REMOTE_USER (RemoteUserAuthentication)
	// ClientCertificate is the DER certificate the TLS layer verified (mutual TLS:
	// r.TLS.PeerCertificates[0].Raw), for certificate-bound tokens (RFC 8705, cnf.x5t#S256).
	// Never one taken from a request header.
	ClientCertificate []byte
}

// headerPool recycles the packed-header buffers fillRequest hands to C.
var headerPool = sync.Pool{New: func() interface{} { b := make([]byte, 0, 512); return &b }}

// fillRequest resets req and fills it in one cgo call (headers packed into one buffer).
func fillRequest(req *C.authp_request, r *Request) error {
	method := r.Method
	if method == "" {
		method = "GET"
	}
	path := r.Path
	if path == "" {
		path = "/"
	}
	bp := headerPool.Get().(*[]byte)
	buf := (*bp)[:0]
	for name, values := range r.Header {
		for _, v := range values {
			if uint64(len(name)) > math.MaxUint32 || uint64(len(v)) > math.MaxUint32 {
				return &Error{Code: CodeInvalid, Message: "header too large"}
			}
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(name)))
			buf = append(buf, name...)
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v)))
			buf = append(buf, v...)
		}
	}
	var hp *C.char
	if len(buf) > 0 {
		hp = (*C.char)(unsafe.Pointer(&buf[0]))
	}
	secure := C.int(0)
	if r.Secure {
		secure = 1
	}
	rc := C.goauthp_fill_request(req, cstr(method), C.size_t(len(method)), cstr(path), C.size_t(len(path)),
		cstr(r.View), C.size_t(len(r.View)), cstr(r.RemoteAddr), C.size_t(len(r.RemoteAddr)),
		cstr(r.RemoteUser), C.size_t(len(r.RemoteUser)), secure, hp, C.size_t(len(buf)))
	*bp = buf
	headerPool.Put(bp)
	if rc == 0 && len(r.ClientCertificate) > 0 {
		// The bytes hold no Go pointers; the library copies them.
		cert := r.ClientCertificate
		rc = C.authp_request_set_client_certificate(req, (*C.uchar)(unsafe.Pointer(&cert[0])), C.size_t(len(cert)))
	}
	if rc != 0 {
		return &Error{Code: ErrorCode(rc), Message: "invalid request: " + Strerror(ErrorCode(rc))}
	}
	return nil
}

// callState is what the callbacks of one Decide (or lazy read) share with it: the context,
// and the error or panic a callback reported.
type callState struct {
	ctx context.Context
	err error
}

func (s *callState) fail(err error) C.int {
	if s.err == nil {
		s.err = err
	}
	return C.int(CodeUser)
}

func newCall(ctx context.Context, needed bool) (*callState, C.uintptr_t, func()) {
	if !needed {
		return nil, 0, func() {}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	s := &callState{ctx: ctx}
	h := cgo.NewHandle(s)
	return s, C.uintptr_t(h), h.Delete
}

// Decide evaluates one request: authentication, permissions, throttles. A denial is a
// Decision (Allowed false), never an error. Errors: ErrNotFound for an unknown view; the
// error (or *PanicError) a callback returned; ErrStore / ErrCallback with the safe 503 denial
// in the *Error's Decision. ctx reaches the callbacks (RequestView.Context, UserLookup).
func (e *Engine) Decide(ctx context.Context, r Request) (*Decision, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return nil, errClosed
	}
	var req *C.authp_request
	select {
	case req = <-e.spare:
	default:
		if rc := C.authp_request_new(&req, e.handle); rc != 0 {
			return nil, &Error{Code: ErrorCode(rc), Message: "cannot allocate a request"}
		}
	}
	defer func() {
		select {
		case e.spare <- req:
		default:
			C.authp_request_free(req)
		}
	}()
	if err := fillRequest(req, &r); err != nil {
		return nil, err
	}
	state, h, done := newCall(ctx, e.callbacks)
	defer done()
	var d *C.authp_decision
	var msg *C.char
	rc := C.goauthp_evaluate(&d, e.handle, req, h, &msg)
	return decisionOrError(rc, d, takeMsg(msg), state)
}

func decisionOrError(rc C.int, d *C.authp_decision, msg string, state *callState) (*Decision, error) {
	var decision *Decision
	if d != nil {
		decision = readDecision(d)
		C.authp_decision_free(d)
	}
	if rc == 0 {
		if decision == nil {
			return nil, &Error{Code: CodeMisuse, Message: "evaluation returned no decision"}
		}
		return decision, nil
	}
	if ErrorCode(rc) == CodeUser && state != nil && state.err != nil {
		return nil, state.err
	}
	return nil, &Error{Code: ErrorCode(rc), Message: msg, Decision: decision}
}

// Request returns a lazy request (DRF's request.user): authentication runs on the first
// User/Auth read, at most once. Close it when done (a finalizer frees it otherwise). It keeps
// the engine alive; it is not safe for concurrent use.
func (e *Engine) Request(ctx context.Context, r Request) (*LazyRequest, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return nil, errClosed
	}
	var req *C.authp_request
	if rc := C.authp_request_new(&req, e.handle); rc != 0 {
		return nil, &Error{Code: ErrorCode(rc), Message: "cannot allocate a request"}
	}
	if err := fillRequest(req, &r); err != nil {
		C.authp_request_free(req)
		return nil, err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	lr := &LazyRequest{e: e, req: req, ctx: ctx}
	e.liveMu.Lock()
	if e.live == nil {
		e.live = map[*LazyRequest]struct{}{}
	}
	e.live[lr] = struct{}{}
	e.liveMu.Unlock()
	runtime.SetFinalizer(lr, (*LazyRequest).Close)
	return lr, nil
}
