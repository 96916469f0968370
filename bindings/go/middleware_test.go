package authpolicy_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

func get(t *testing.T, url string, kv ...string) (*http.Response, map[string]interface{}) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]interface{}
	if len(body) > 0 && json.Unmarshal(body, &m) != nil {
		m = map[string]interface{}{"raw": string(body)}
	}
	return resp, m
}

func TestMiddlewareWithRealServer(t *testing.T) {
	boom := errors.New("authenticator exploded")
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"TokenAuthentication", "BasicAuthentication", "Boom"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Boom": authpolicy.AuthenticatorFunc(
			func(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
				if _, ok := r.Header("X-Boom"); ok {
					return nil, nil, boom
				}
				return nil, nil, nil
			})}})
	e.Users.Add("alice", "s3cret", authpolicy.UserOptions{})
	e.Users.Add("root", "toor", authpolicy.UserOptions{IsStaff: true})
	key, _ := e.Tokens.Create("alice", authpolicy.TokenOptions{Name: "cli"})

	var seenErr error
	mw := authpolicy.NewMiddleware(e, authpolicy.MiddlewareOptions{
		View: func(r *http.Request) string {
			switch {
			case strings.HasPrefix(r.URL.Path, "/admin"):
				return "admin"
			case r.URL.Path == "/public":
				return "public"
			case r.URL.Path == "/limited":
				return "limited"
			case r.URL.Path == "/ghost":
				return "ghost"
			}
			return ""
		},
		OnError: func(w http.ResponseWriter, r *http.Request, err error) {
			seenErr = err
			http.Error(w, "oops", http.StatusInternalServerError)
		},
	})
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := authpolicy.FromContext(r.Context())
		out := map[string]interface{}{"ok": ok, "status": d.Status, "authenticator": d.Authenticator, "auth": d.Auth}
		if u := authpolicy.UserFromContext(r.Context()); u != nil {
			out["user"] = u.Username
		}
		json.NewEncoder(w).Encode(out)
	})
	srv := httptest.NewServer(mw(handler))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server on %s", srv.URL)
	}

	resp, body := get(t, srv.URL+"/me")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "Token" || body["detail"] != "Authentication credentials were not provided." ||
		resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("no credentials: %d %v %v", resp.StatusCode, resp.Header, body)
	}
	if resp, body = get(t, srv.URL+"/me", "Authorization", "Token nope"); resp.StatusCode != 401 || body["detail"] != "Invalid token." {
		t.Fatalf("bad token: %d %v", resp.StatusCode, body)
	}
	resp, body = get(t, srv.URL+"/me", "Authorization", "Token "+key)
	if resp.StatusCode != 200 || body["user"] != "alice" || body["authenticator"] != "TokenAuthentication" || body["ok"] != true {
		t.Fatalf("token: %d %v", resp.StatusCode, body)
	}
	if auth, _ := json.Marshal(body["auth"]); string(auth) != `{"name":"cli","type":"token"}` {
		t.Fatalf("auth: %s", auth)
	}
	if resp, body = get(t, srv.URL+"/admin/x", "Authorization", basic("alice", "s3cret")); resp.StatusCode != 403 ||
		body["detail"] != "You do not have permission to perform this action." {
		t.Fatalf("admin: %d %v", resp.StatusCode, body)
	}
	if resp, body = get(t, srv.URL+"/admin/x", "Authorization", basic("root", "toor")); resp.StatusCode != 200 || body["user"] != "root" {
		t.Fatalf("root: %d %v", resp.StatusCode, body)
	}
	if resp, body = get(t, srv.URL+"/public"); resp.StatusCode != 200 || body["user"] != nil {
		t.Fatalf("public: %d %v", resp.StatusCode, body)
	}
	get(t, srv.URL+"/limited")
	if resp, body = get(t, srv.URL+"/limited"); resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" ||
		!strings.HasPrefix(body["detail"].(string), "Request was throttled") {
		t.Fatalf("limited: %d %v %v", resp.StatusCode, resp.Header, body)
	}
	// A callback's error reaches OnError unchanged; so does an unknown view.
	if resp, _ = get(t, srv.URL+"/me", "X-Boom", "1"); resp.StatusCode != 500 || seenErr != boom {
		t.Fatalf("boom: %d %v", resp.StatusCode, seenErr)
	}
	if resp, _ = get(t, srv.URL+"/ghost"); resp.StatusCode != 500 || !errors.Is(seenErr, authpolicy.ErrNotFound) {
		t.Fatalf("ghost: %d %v", resp.StatusCode, seenErr)
	}
}

func TestMiddlewareDefaultErrorAnswer(t *testing.T) {
	e := newEngine(t, map[string]interface{}{"DEFAULT_AUTHENTICATION_CLASSES": []string{"Broken"}},
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Broken": authpolicy.AuthenticatorFunc(
			func(*authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) { panic("no") })}})
	srv := httptest.NewServer(authpolicy.Middleware(e, nil)(http.NotFoundHandler()))
	defer srv.Close()
	resp, body := get(t, srv.URL)
	if resp.StatusCode != 500 || body["detail"] != "Internal server error." {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
}

func TestRequestFromHTTP(t *testing.T) {
	r := httptest.NewRequest("POST", "https://example.com/a/b?x=1", nil)
	r.RemoteAddr = "[::1]:5555"
	q := authpolicy.RequestFromHTTP(r, "v")
	if q.Method != "POST" || q.Path != "/a/b" || q.RemoteAddr != "::1" || !q.Secure || q.View != "v" {
		t.Fatalf("%+v", q)
	}
}

// Engines and lazy requests nobody closed are freed by finalizers (and the handles with them).
func TestFinalizers(t *testing.T) {
	for i := 0; i < 200; i++ {
		e, err := authpolicy.NewEngine(with(nil), authpolicy.Options{UserLookup: func(context.Context, authpolicy.UserQuery) (*authpolicy.UserRecord, error) {
			return nil, nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Request(context.Background(), authpolicy.Request{}); err != nil {
			t.Fatal(err)
		}
		e.Decide(context.Background(), authpolicy.Request{})
	}
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
}
