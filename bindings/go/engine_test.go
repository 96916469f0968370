package authpolicy_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

var policy = map[string]interface{}{
	"PASSWORD_ITERATIONS":            1000,
	"DEFAULT_AUTHENTICATION_CLASSES": []string{"TokenAuthentication", "BasicAuthentication"},
	"DEFAULT_PERMISSION_CLASSES":     []string{"IsAuthenticated"},
	"VIEWS": map[string]interface{}{
		"public":  map[string]interface{}{"permission_classes": []string{"AllowAny"}},
		"admin":   map[string]interface{}{"permission_classes": []string{"IsAdminUser"}},
		"lazy":    map[string]interface{}{"permission_classes": []string{"AllowAny"}, "perform_authentication": false},
		"limited": map[string]interface{}{"permission_classes": []string{"AllowAny"}, "throttle_classes": []string{"AnonRateThrottle"}},
	},
	"DEFAULT_THROTTLE_RATES": map[string]interface{}{"anon": "1/min"},
}

func with(extra map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range policy {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func newEngine(t testing.TB, extra map[string]interface{}, opts authpolicy.Options) *authpolicy.Engine {
	t.Helper()
	e, err := authpolicy.NewEngine(with(extra), opts)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func decide(t *testing.T, e *authpolicy.Engine, r authpolicy.Request) *authpolicy.Decision {
	t.Helper()
	d, err := e.Decide(context.Background(), r)
	if err != nil {
		t.Fatalf("Decide(%+v): %v", r, err)
	}
	return d
}

func TestTokenAndBasicDecisions(t *testing.T) {
	e := newEngine(t, nil, authpolicy.Options{})
	id, err := e.Users.Add("alice", "s3cret", authpolicy.UserOptions{})
	if err != nil || id != 1 {
		t.Fatalf("Add: %d %v", id, err)
	}
	key, err := e.Tokens.Create("alice", authpolicy.TokenOptions{Name: "laptop", ExpiresIn: time.Hour})
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(key) {
		t.Fatalf("Create: %q %v", key, err)
	}
	d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", "Token "+key)})
	if !d.Allowed || d.Status != 200 || d.User.Username != "alice" || d.User.ID != 1 || !d.User.HasID ||
		d.Authenticator != "TokenAuthentication" || string(d.Auth) != `{"type":"token","name":"laptop"}` {
		t.Fatalf("token decision: %+v user %+v auth %s", d, d.User, d.Auth)
	}
	j, _ := json.Marshal(d)
	want := `{"allowed":true,"status":200,"code":null,"detail":null,"authenticator":"TokenAuthentication","user":{"id":1,"username":"alice","is_authenticated":true,"is_active":true,"is_staff":false,"is_superuser":false},"auth":{"type":"token","name":"laptop"},"headers":{},"body":null}`
	if string(j) != want {
		t.Fatalf("JSON:\n got %s\nwant %s", j, want)
	}
	d = decide(t, e, authpolicy.Request{Header: hdr("authorization", basic("alice", "s3cret"))})
	if d.Status != 200 || d.Authenticator != "BasicAuthentication" {
		t.Fatalf("basic: %+v", d)
	}
	d = decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("alice", "nope"))})
	if d.Status != 401 || d.Code != "authentication_failed" || d.Detail != "Invalid username/password." ||
		d.Headers["WWW-Authenticate"] != "Token" {
		t.Fatalf("bad basic: %+v", d)
	}
}

func TestDenials(t *testing.T) {
	e := newEngine(t, nil, authpolicy.Options{})
	e.Users.Add("bob", "pw", authpolicy.UserOptions{})
	d := decide(t, e, authpolicy.Request{})
	if d.Allowed || d.Status != 401 || d.Code != "not_authenticated" ||
		d.Detail != "Authentication credentials were not provided." || !d.User.IsAnonymous() || d.User.HasID {
		t.Fatalf("anonymous: %+v", d)
	}
	j, _ := json.Marshal(d)
	if !strings.Contains(string(j), `"user":{"id":null,"username":"","is_authenticated":false`) || !strings.Contains(string(j), `"headers":{"WWW-Authenticate":"Token"}`) {
		t.Fatalf("JSON: %s", j)
	}
	if string(d.Body) != `{"detail":"Authentication credentials were not provided."}` || !strings.HasSuffix(string(j), `"body":{"detail":"Authentication credentials were not provided."}}`) {
		t.Fatalf("body: %s in %s", d.Body, j)
	}
	if d = decide(t, e, authpolicy.Request{View: "admin", Header: hdr("Authorization", basic("bob", "pw"))}); d.Status != 403 || d.Code != "permission_denied" {
		t.Fatalf("admin: %+v", d)
	}
	if err := e.Users.SetRoles("bob", true, false); err != nil {
		t.Fatal(err)
	}
	if d = decide(t, e, authpolicy.Request{View: "admin", Header: hdr("Authorization", basic("bob", "pw"))}); d.Status != 200 {
		t.Fatalf("staff: %+v", d)
	}
	decide(t, e, authpolicy.Request{View: "limited", RemoteAddr: "10.0.0.1"})
	if d = decide(t, e, authpolicy.Request{View: "limited", RemoteAddr: "10.0.0.1"}); d.Status != 429 || d.Code != "throttled" || d.Headers["Retry-After"] == "" {
		t.Fatalf("throttle: %+v", d)
	}
}

func TestConfigSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "policy.json")
	os.WriteFile(file, []byte(`{"DATABASE": "auth.sqlite3", "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]}`), 0o600)
	e, err := authpolicy.NewEngine(file, authpolicy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.Users.Add("carol", "pw", authpolicy.UserOptions{})
	if _, err := os.Stat(filepath.Join(dir, "auth.sqlite3")); err != nil {
		t.Fatal("DATABASE should be relative to the file:", err)
	}
	e.Close()
	for _, cfg := range []interface{}{`{"DEFAULT_PERMISSION_CLASSES": ["AllowAny"]}`, []byte(`{}`), json.RawMessage(`{}`),
		struct {
			Perms []string `json:"DEFAULT_PERMISSION_CLASSES"`
		}{[]string{"AllowAny"}}} {
		e, err := authpolicy.NewEngine(cfg, authpolicy.Options{})
		if err != nil {
			t.Fatalf("%T: %v", cfg, err)
		}
		e.Close()
	}
	e, err = authpolicy.NewEngine([]byte(`{"DATABASE": "b.sqlite3"}`), authpolicy.Options{BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	e.Users.Add("x", "", authpolicy.UserOptions{})
	e.Close()
	if _, err := os.Stat(filepath.Join(dir, "b.sqlite3")); err != nil {
		t.Fatal("BaseDir:", err)
	}
}

func TestErrors(t *testing.T) {
	_, err := authpolicy.NewEngine(map[string]interface{}{"VIEWS": map[string]interface{}{"admin": map[string]interface{}{"x": 1}}}, authpolicy.Options{})
	var ae *authpolicy.Error
	if !errors.Is(err, authpolicy.ErrConfig) || !errors.As(err, &ae) || ae.Code != authpolicy.CodeConfig ||
		!strings.Contains(err.Error(), "$.VIEWS.admin.x") {
		t.Fatalf("config error: %v", err)
	}
	if errors.Is(err, authpolicy.ErrNotFound) {
		t.Fatal("Is must compare codes")
	}
	if _, err := authpolicy.NewEngine("/nonexistent/policy.json", authpolicy.Options{}); err == nil {
		t.Fatal("missing file")
	}
	if _, err := authpolicy.NewEngine(nil, authpolicy.Options{}); !errors.Is(err, authpolicy.ErrInvalid) {
		t.Fatalf("nil config: %v", err)
	}
	if _, err := authpolicy.NewEngine(map[string]interface{}{}, authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"A": nil}}); !errors.Is(err, authpolicy.ErrInvalid) {
		t.Fatalf("nil authenticator: %v", err)
	}
	e := newEngine(t, nil, authpolicy.Options{})
	if _, err := e.Decide(context.Background(), authpolicy.Request{View: "nope"}); !errors.Is(err, authpolicy.ErrNotFound) || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("unknown view: %v", err)
	}
	e.Users.Add("dave", "", authpolicy.UserOptions{})
	if _, err := e.Users.Add("dave", "", authpolicy.UserOptions{}); !errors.Is(err, authpolicy.ErrExists) {
		t.Fatalf("dup: %v", err)
	}
	if _, err := e.Tokens.Create("nobody", authpolicy.TokenOptions{}); !errors.Is(err, authpolicy.ErrNotFound) {
		t.Fatalf("token for nobody: %v", err)
	}
	if err := e.Tokens.Revoke(strings.Repeat("0", 40)); !errors.Is(err, authpolicy.ErrNotFound) {
		t.Fatalf("revoke: %v", err)
	}
	// An oversize request is a 400 decision, not an error.
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", "Token "+strings.Repeat("a", 100000))}); d.Status != 400 {
		t.Fatalf("oversize: %+v", d)
	}
	e.Close()
	e.Close()
	if _, err := e.Decide(context.Background(), authpolicy.Request{}); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("closed: %v", err)
	}
	if _, err := e.Users.List(); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("closed list: %v", err)
	}
}

type apiKey struct {
	mu   sync.Mutex
	last map[string]interface{}
}

func (a *apiKey) Authenticate(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
	key, ok := r.Header("X-Api-Key")
	if !ok {
		return nil, nil, nil
	}
	a.mu.Lock()
	a.last = map[string]interface{}{"method": r.Method(), "path": r.Path(), "view": r.View(), "addr": r.RemoteAddr(),
		"remote_user": r.RemoteUser(), "secure": r.Secure(), "ctx": r.Context().Value(ctxKey{})}
	a.mu.Unlock()
	switch key {
	case "good":
		return &authpolicy.UserRecord{Username: "svc", ID: 42, IsStaff: true, Attributes: map[string]interface{}{"scopes": []string{"read"}}},
			map[string]int{"key_id": 7}, nil
	case "boom":
		return nil, nil, errBoom
	case "panic":
		panic("kaboom")
	case "nameless":
		return &authpolicy.UserRecord{}, nil, nil
	}
	return nil, nil, authpolicy.Fail("Unknown API key.")
}

func (a *apiKey) AuthenticateHeader(*authpolicy.RequestView) (string, error) {
	return `ApiKey realm="api"`, nil
}

type ctxKey struct{}

var errBoom = errors.New("authenticator broke")

func TestCustomAuthenticator(t *testing.T) {
	a := &apiKey{}
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"ApiKey", "TokenAuthentication"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"ApiKey": a}})
	ctx := context.WithValue(context.Background(), ctxKey{}, "v")
	d, err := e.Decide(ctx, authpolicy.Request{Method: "POST", Path: "/x", View: "admin", RemoteAddr: "127.0.0.9", RemoteUser: "srv",
		Secure: true, Header: hdr("x-api-key", "good")})
	if err != nil || d.Status != 200 || d.User.Username != "svc" || d.User.ID != 42 || !d.User.IsStaff ||
		d.Authenticator != "ApiKey" || string(d.Auth) != `{"key_id":7}` {
		t.Fatalf("good: %+v %v", d, err)
	}
	if attrs, _ := d.User.Attributes(); fmt.Sprint(attrs) != "map[scopes:[read]]" {
		t.Fatalf("attributes: %v", attrs)
	}
	want := map[string]interface{}{"method": "POST", "path": "/x", "view": "admin", "addr": "127.0.0.9", "remote_user": "srv", "secure": true, "ctx": "v"}
	if fmt.Sprint(a.last) != fmt.Sprint(want) {
		t.Fatalf("view: %v", a.last)
	}
	d = decide(t, e, authpolicy.Request{Header: hdr("X-Api-Key", "bad")})
	if d.Status != 401 || d.Detail != "Unknown API key." || d.Headers["WWW-Authenticate"] != `ApiKey realm="api"` {
		t.Fatalf("bad: %+v", d)
	}
	// Errors and panics in callbacks come back from Decide; the engine stays usable.
	if _, err := e.Decide(context.Background(), authpolicy.Request{Header: hdr("X-Api-Key", "boom")}); err != errBoom {
		t.Fatalf("boom: %v", err)
	}
	_, err = e.Decide(context.Background(), authpolicy.Request{Header: hdr("X-Api-Key", "panic")})
	var pe *authpolicy.PanicError
	if !errors.As(err, &pe) || pe.Value != "kaboom" || !strings.Contains(string(pe.Stack), "Authenticate") {
		t.Fatalf("panic: %v", err)
	}
	if _, err := e.Decide(context.Background(), authpolicy.Request{Header: hdr("X-Api-Key", "nameless")}); err == nil || !strings.Contains(err.Error(), "without a Username") {
		t.Fatalf("nameless: %v", err)
	}
	if d = decide(t, e, authpolicy.Request{}); d.Status != 401 {
		t.Fatalf("after errors: %+v", d)
	}
}

type plain struct{}

func (plain) Authenticate(*authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
	return nil, nil, authpolicy.Fail("")
}

func TestAuthenticatorWithoutChallengeGives403(t *testing.T) {
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"Plain"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Plain": plain{}}})
	d := decide(t, e, authpolicy.Request{})
	if d.Status != 403 || d.Detail != authpolicy.DefaultFailureDetail || len(d.Headers) != 0 {
		t.Fatalf("%+v", d)
	}
}

func TestRequestViewExpires(t *testing.T) {
	var saved *authpolicy.RequestView
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"Keep"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Keep": authpolicy.AuthenticatorFunc(
			func(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
				saved = r
				return nil, nil, nil
			})}})
	decide(t, e, authpolicy.Request{})
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, authpolicy.ErrMisuse) {
			t.Fatalf("expected a misuse panic, got %v", err)
		}
	}()
	saved.Method()
}

func TestUserLookup(t *testing.T) {
	hash, err := authpolicy.HashPassword("pw", 1000)
	if err != nil {
		t.Fatal(err)
	}
	lookupErr := errors.New("directory down")
	e := newEngine(t, nil, authpolicy.Options{UserLookup: func(ctx context.Context, q authpolicy.UserQuery) (*authpolicy.UserRecord, error) {
		switch q.Username {
		case "ext":
			return &authpolicy.UserRecord{Username: "ext", ID: 77, PasswordHash: hash, Attributes: map[string]interface{}{"team": "a"}}, nil
		case "local":
			return nil, authpolicy.ErrPassthrough
		case "err":
			return nil, fmt.Errorf("wrapped: %w", lookupErr)
		case "panic":
			panic(errBoom)
		}
		return nil, nil
	}})
	e.Users.Add("local", "pw", authpolicy.UserOptions{})
	d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("ext", "pw"))})
	if d.Status != 200 || d.User.ID != 77 || d.User.AttributesJSON != `{"team":"a"}` {
		t.Fatalf("ext: %+v %+v", d, d.User)
	}
	if d = decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("ghost", "pw"))}); d.Status != 401 {
		t.Fatalf("ghost: %+v", d)
	}
	if d = decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("local", "pw"))}); d.Status != 200 {
		t.Fatalf("passthrough: %+v", d)
	}
	if _, err := e.Decide(context.Background(), authpolicy.Request{Header: hdr("Authorization", basic("err", "pw"))}); !errors.Is(err, lookupErr) {
		t.Fatalf("err: %v", err)
	}
	_, err = e.Decide(context.Background(), authpolicy.Request{Header: hdr("Authorization", basic("panic", "pw"))})
	var pe *authpolicy.PanicError
	if !errors.As(err, &pe) || !errors.Is(err, errBoom) {
		t.Fatalf("panic: %v", err)
	}
}

func TestVerifierClockLogger(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(1_000_000, 0)
	var checked []string
	e := newEngine(t, nil, authpolicy.Options{
		PasswordVerifier: func(_ context.Context, u *authpolicy.User, pw string) (bool, error) {
			checked = append(checked, u.Username+":"+pw)
			if pw == "magic" {
				return true, nil
			}
			return false, authpolicy.ErrPassthrough
		},
		Clock:  func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		Logger: func(authpolicy.LogLevel, string) {},
	})
	e.Users.Add("hank", "pw", authpolicy.UserOptions{})
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("hank", "magic"))}); d.Status != 200 {
		t.Fatalf("magic: %+v", d)
	}
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("hank", "pw"))}); d.Status != 200 {
		t.Fatalf("passthrough: %+v", d)
	}
	if fmt.Sprint(checked) != "[hank:magic hank:pw]" {
		t.Fatalf("checked: %v", checked)
	}
	decide(t, e, authpolicy.Request{View: "limited", RemoteAddr: "1.2.3.4"})
	if d := decide(t, e, authpolicy.Request{View: "limited", RemoteAddr: "1.2.3.4"}); d.Status != 429 {
		t.Fatalf("throttle: %+v", d)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	if d := decide(t, e, authpolicy.Request{View: "limited", RemoteAddr: "1.2.3.4"}); d.Status != 200 {
		t.Fatalf("clock: %+v", d)
	}
}

func TestLazyRequest(t *testing.T) {
	calls := 0
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"Counting"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Counting": authpolicy.AuthenticatorFunc(
			func(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
				calls++
				if u, ok := r.Header("X-User"); ok {
					if u == "boom" {
						return nil, nil, errBoom
					}
					return &authpolicy.UserRecord{Username: u}, "tok", nil
				}
				return nil, nil, nil
			})}})
	r, err := e.Request(context.Background(), authpolicy.Request{View: "lazy", Header: hdr("X-User", "erin")})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.AuthStatus() != authpolicy.AuthNotRun {
		t.Fatal(r.AuthStatus())
	}
	if d, err := r.Decide(); err != nil || d.Status != 200 || calls != 0 {
		t.Fatalf("lazy decide: %+v %v calls=%d", d, err, calls)
	}
	u, err := r.User()
	u2, _ := r.User()
	if err != nil || u.Username != "erin" || u2.Username != "erin" || calls != 1 {
		t.Fatalf("user: %+v %v calls=%d", u, err, calls)
	}
	if a, _ := r.Auth(); string(a) != `"tok"` || r.AuthStatus() != authpolicy.AuthAuthenticated || r.Authenticator() != "Counting" || r.AuthFailure() != "" {
		t.Fatalf("auth: %s %v", a, r.AuthStatus())
	}
	if c, err := r.Challenge(); c != "" || err != nil {
		t.Fatalf("challenge: %q %v", c, err)
	}
	r.Close()
	if _, err := r.User(); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("closed: %v", err)
	}
	rb, _ := e.Request(context.Background(), authpolicy.Request{Header: hdr("X-User", "boom")})
	if _, err := rb.User(); err != errBoom {
		t.Fatalf("callback error via lazy read: %v", err)
	}
	// Closing the engine frees its outstanding requests.
	r3, _ := e.Request(context.Background(), authpolicy.Request{})
	e.Close()
	if _, err := r3.User(); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("after engine close: %v", err)
	}
	r3.Close()
}

func TestDirectoryAndPasswords(t *testing.T) {
	e := newEngine(t, nil, authpolicy.Options{})
	id, _ := e.Users.Add("frank", "pw", authpolicy.UserOptions{IsStaff: true})
	e.Users.Add("gina", "", authpolicy.UserOptions{Inactive: true})
	users, err := e.Users.List()
	if err != nil || len(users) != 2 || users[0].ID != id || !users[0].IsStaff || users[1].IsActive {
		t.Fatalf("list: %+v %v", users, err)
	}
	key, _ := e.Tokens.Create("frank", authpolicy.TokenOptions{})
	if tokens, _ := e.Tokens.List(""); len(tokens) != 1 || tokens[0].Username != "frank" || tokens[0].Expires != nil {
		t.Fatalf("tokens: %+v", tokens)
	}
	if err := e.Tokens.Revoke(key); err != nil {
		t.Fatal(err)
	}
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", "Token "+key)}); d.Status != 401 {
		t.Fatalf("revoked: %+v", d)
	}
	e.Users.SetPassword("frank", "new")
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("frank", "new"))}); d.Status != 200 {
		t.Fatalf("new password: %+v", d)
	}
	e.Users.SetActive("frank", false)
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", basic("frank", "new"))}); d.Status != 401 {
		t.Fatalf("inactive: %+v", d)
	}
	if !e.HasView("admin") || e.HasView("nope") {
		t.Fatal("HasView")
	}
	e.InvalidateCaches()

	h, _ := authpolicy.HashPassword("pw", 1000)
	if !strings.HasPrefix(h, "pbkdf2_sha256$1000$") || !authpolicy.VerifyPassword("pw", h) || authpolicy.VerifyPassword("x", h) {
		t.Fatalf("hash: %s", h)
	}
	if m, r, _ := authpolicy.CheckPassword("pw", h, 1000); !m || r {
		t.Fatal("CheckPassword")
	}
	if authpolicy.VerifyPassword("pw", "garbage") {
		t.Fatal("garbage matched")
	}
	if authpolicy.Version() == "" || authpolicy.Strerror(authpolicy.CodeConfig) == "" {
		t.Fatal("version")
	}
}

// Concurrent Decide from many goroutines on one engine, with Go callbacks (run with -race).
func TestConcurrentDecide(t *testing.T) {
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"Hdr", "TokenAuthentication"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Hdr": authpolicy.AuthenticatorFunc(
			func(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
				u, ok := r.Header("X-User")
				if !ok {
					return nil, nil, nil
				}
				if strings.HasPrefix(u, "err") {
					return nil, nil, fmt.Errorf("user %s", u)
				}
				return &authpolicy.UserRecord{Username: u}, nil, nil
			})}})
	e.Users.Add("tok", "", authpolicy.UserOptions{})
	key, _ := e.Tokens.Create("tok", authpolicy.TokenOptions{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				name := fmt.Sprintf("u%d-%d", g, i)
				d, err := e.Decide(context.Background(), authpolicy.Request{Header: hdr("X-User", name)})
				if err != nil || d.User.Username != name {
					errs <- fmt.Errorf("goroutine %d: %v %+v", g, err, d)
					return
				}
				_, err = e.Decide(context.Background(), authpolicy.Request{Header: hdr("X-User", "err"+name)})
				if err == nil || err.Error() != "user err"+name {
					errs <- fmt.Errorf("goroutine %d: error crossed calls: %v", g, err)
					return
				}
				if d, err := e.Decide(context.Background(), authpolicy.Request{Header: hdr("Authorization", "Token "+key)}); err != nil || d.Status != 200 {
					errs <- fmt.Errorf("token: %v %+v", err, d)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Close waits for running evaluations.
func TestCloseWhileDeciding(t *testing.T) {
	e, err := authpolicy.NewEngine(with(nil), authpolicy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := e.Decide(context.Background(), authpolicy.Request{}); err != nil && !errors.Is(err, authpolicy.ErrMisuse) {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(time.Millisecond)
	e.Close()
	wg.Wait()
}

func TestReload(t *testing.T) {
	e := newEngine(t, map[string]interface{}{
		"PASSWORD_ITERATIONS": 1000, "DEFAULT_PERMISSION_CLASSES": []string{"AllowAny"},
		"VIEWS": map[string]interface{}{"a": map[string]interface{}{}},
	}, authpolicy.Options{DiscardLogs: true})
	if d := decide(t, e, authpolicy.Request{}); !d.Allowed {
		t.Fatalf("before: %+v", d)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d, err := e.Decide(context.Background(), authpolicy.Request{})
				if err != nil || (d.Status != 200 && d.Status != 401 && d.Status != 403) {
					t.Errorf("decision during reloads: %+v %v", d, err)
					return
				}
			}
		}()
	}
	closed := `{"PASSWORD_ITERATIONS": 1000, "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "VIEWS": {"b": {}}}`
	for i := 0; i < 20; i++ {
		if err := e.Reload(closed, ""); err != nil {
			t.Fatalf("Reload: %v", err)
		}
	}
	close(stop)
	wg.Wait()
	if d := decide(t, e, authpolicy.Request{}); d.Status != 401 || e.HasView("a") || !e.HasView("b") {
		t.Fatalf("after: %+v", d)
	}
	err := e.Reload(`{"DEFAULT_AUTHENTICATION_CLASSES": ["NoSuchAuthentication"]}`, "")
	if !errors.Is(err, authpolicy.ErrConfig) || !strings.Contains(err.Error(), "NoSuchAuthentication") {
		t.Fatalf("bad reload: %v", err)
	}
	if d := decide(t, e, authpolicy.Request{}); d.Status != 401 {
		t.Fatalf("old policy not kept: %+v", d)
	}
}
