package bench

// go test -bench . -benchtime 2s   (from bench/go; CGO_LDFLAGS as for bindings/go to use another build dir)

import (
	"context"
	"net/http"
	"testing"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

const policy = `{"DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
  "VIEWS": {"public": {"permission_classes": ["AllowAny"]}}}`

func engine(b *testing.B, opts authpolicy.Options) (*authpolicy.Engine, string) {
	e, err := authpolicy.NewEngine(policy, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	e.Users.Add("bench", "", authpolicy.UserOptions{})
	key, err := e.Tokens.Create("bench", authpolicy.TokenOptions{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	return e, key
}

func run(b *testing.B, e *authpolicy.Engine, r authpolicy.Request, want int) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := e.Decide(ctx, r)
		if err != nil || d.Status != want {
			b.Fatalf("%v %+v", err, d)
		}
	}
}

// BM_AnonymousAllowAny's decision through the binding.
func BenchmarkDecideAnonymousAllowAny(b *testing.B) {
	e, _ := engine(b, authpolicy.Options{})
	run(b, e, authpolicy.Request{Method: "GET", Path: "/", View: "public"}, 200)
}

// BM_TokenValidWarm's decision through the binding.
func BenchmarkDecideTokenWarm(b *testing.B) {
	e, key := engine(b, authpolicy.Options{})
	run(b, e, authpolicy.Request{Method: "GET", Path: "/", Header: http.Header{"Authorization": {"Token " + key}}}, 200)
}

func BenchmarkDecideNoCredentials401(b *testing.B) {
	e, _ := engine(b, authpolicy.Options{})
	run(b, e, authpolicy.Request{Method: "GET", Path: "/"}, 401)
}

// A custom Go authenticator: C → Go callback per decision (plus a cgo.Handle per call).
func BenchmarkDecideGoAuthenticator(b *testing.B) {
	e, err := authpolicy.NewEngine(`{"DEFAULT_AUTHENTICATION_CLASSES": ["Hdr"], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]}`,
		authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"Hdr": authpolicy.AuthenticatorFunc(
			func(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
				u, ok := r.Header("X-User")
				if !ok {
					return nil, nil, nil
				}
				return &authpolicy.UserRecord{Username: u, ID: 1}, nil, nil
			})}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	run(b, e, authpolicy.Request{Header: http.Header{"X-User": {"alice"}}}, 200)
}

func BenchmarkDecideTokenWarmParallel(b *testing.B) {
	e, key := engine(b, authpolicy.Options{})
	r := authpolicy.Request{Method: "GET", Path: "/", Header: http.Header{"Authorization": {"Token " + key}}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.Decide(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The same decisions as a C loop (no Go in the loop): the baseline the overhead is measured against.
func BenchmarkCAPIAnonymousAllowAny(b *testing.B) {
	c, err := NewCEngine(policy)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ResetTimer()
	ns := c.Loop(b.N, "public", "")
	b.ReportMetric(ns, "ns/decision")
}

func BenchmarkCAPITokenWarm(b *testing.B) {
	c, err := NewCEngine(policy)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	key, err := c.TokenFor("bench")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	ns := c.Loop(b.N, "", "Token "+key)
	b.ReportMetric(ns, "ns/decision")
}
