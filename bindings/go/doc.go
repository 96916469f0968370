// Package authpolicy is the Go binding of libauthpolicy: Django REST framework's
// authentication and permission policy (authenticators, permissions, throttles, DRF's exact
// 401/403/429 answers) in C++, through its stable C API with cgo.
//
//	engine, err := authpolicy.NewEngine(map[string]interface{}{
//		"DEFAULT_AUTHENTICATION_CLASSES": []string{"TokenAuthentication"},
//		"DEFAULT_PERMISSION_CLASSES":     []string{"IsAuthenticated"},
//	}, authpolicy.Options{})
//	defer engine.Close()
//	d, err := engine.Decide(ctx, authpolicy.Request{Header: r.Header})
//	if !d.Allowed { authpolicy.WriteDenial(w, d) }
//
// An Engine is safe for concurrent use. Go callbacks (UserLookup, Authenticator, …) run on the
// goroutine that called Decide; the library sees them through cgo.Handle values, never Go
// pointers. An error or panic in a callback is returned by Decide. See docs/go.md.
package authpolicy
