package authpolicy

import (
	"context"
	"net"
	"net/http"
	"strconv"
)

type contextKey struct{ name string }

var decisionKey = &contextKey{"authpolicy.decision"}

// FromContext returns the Decision the middleware put into the request's context.
func FromContext(ctx context.Context) (*Decision, bool) {
	d, ok := ctx.Value(decisionKey).(*Decision)
	return d, ok
}

// UserFromContext returns the authenticated user of the request, or nil (anonymous, or no
// decision in the context).
func UserFromContext(ctx context.Context) *User {
	d, ok := FromContext(ctx)
	if !ok || d.User == nil || !d.User.IsAuthenticated {
		return nil
	}
	return d.User
}

// NewContext returns a context carrying the decision.
func NewContext(ctx context.Context, d *Decision) context.Context {
	return context.WithValue(ctx, decisionKey, d)
}

// RequestFromHTTP is the engine's view of an *http.Request: method, URL path, headers, the
// client address without its port, TLS, the client certificate crypto/tls verified, and the view.
func RequestFromHTTP(r *http.Request, view string) Request {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	path := "/"
	if r.URL != nil && r.URL.Path != "" {
		path = r.URL.Path
	}
	req := Request{Method: r.Method, Path: path, Header: r.Header, View: view, RemoteAddr: addr, Secure: r.TLS != nil}
	// Only a certificate crypto/tls verified (VerifiedChains is empty under RequestClientCert and
	// RequireAnyClientCert, which do not check it) may bind tokens (RFC 8705).
	if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.PeerCertificates) > 0 {
		req.ClientCertificate = r.TLS.PeerCertificates[0].Raw
	}
	return req
}

// DecideHTTP decides an *http.Request under the given view ("" for the default policy), with
// the request's context.
func (e *Engine) DecideHTTP(r *http.Request, view string) (*Decision, error) {
	return e.Decide(r.Context(), RequestFromHTTP(r, view))
}

// WriteDenial sends a denial: its status, WWW-Authenticate / Retry-After, and its body
// ({"detail": …}, or the Django package's richer body).
func WriteDenial(w http.ResponseWriter, d *Decision) {
	body := d.DenialBody()
	h := w.Header()
	for name, value := range d.Headers {
		h.Set(name, value)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(d.Status)
	_, _ = w.Write(body)
}

// MiddlewareOptions configure NewMiddleware.
type MiddlewareOptions struct {
	// View names the view of a request ("" for the default policy); nil: always the default.
	View func(*http.Request) string
	// OnDenied answers denials; default WriteDenial.
	OnDenied func(w http.ResponseWriter, r *http.Request, d *Decision)
	// OnError handles an evaluation error that carries no safe decision (a callback's error or
	// panic, an unknown view); default: 500 with {"detail": "Internal server error."}.
	// Store and callback failures that carry the engine's safe 503 go to OnDenied.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
}

// Middleware decides every request with engine before the wrapped handler runs: denials are
// answered (status, challenge headers, JSON detail); allowed requests reach the handler with
// the Decision in their context (FromContext, UserFromContext).
func Middleware(engine *Engine, view func(*http.Request) string) func(http.Handler) http.Handler {
	return NewMiddleware(engine, MiddlewareOptions{View: view})
}

// NewMiddleware is Middleware with options.
func NewMiddleware(engine *Engine, opts MiddlewareOptions) func(http.Handler) http.Handler {
	onDenied := opts.OnDenied
	if onDenied == nil {
		onDenied = func(w http.ResponseWriter, _ *http.Request, d *Decision) { WriteDenial(w, d) }
	}
	onError := opts.OnError
	if onError == nil {
		onError = func(w http.ResponseWriter, _ *http.Request, _ error) {
			WriteDenial(w, &Decision{Status: http.StatusInternalServerError, Detail: "Internal server error."})
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			view := ""
			if opts.View != nil {
				view = opts.View(r)
			}
			d, err := engine.DecideHTTP(r, view)
			if err != nil {
				if e, ok := err.(*Error); ok && e.Decision != nil {
					onDenied(w, r, e.Decision)
					return
				}
				onError(w, r, err)
				return
			}
			if !d.Allowed {
				onDenied(w, r, d)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), d)))
		})
	}
}
