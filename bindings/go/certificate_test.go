package authpolicy_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

const jwtSecret = "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" // 32 bytes: HS256's minimum

func selfSignedDER(t *testing.T, name string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func hs256(t *testing.T, claims map[string]interface{}) string {
	t.Helper()
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	signing := header + "." + enc.EncodeToString(body)
	mac := hmac.New(sha256.New, []byte(jwtSecret))
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

func jwtEngine(t *testing.T) *authpolicy.Engine {
	t.Helper()
	e, err := authpolicy.NewEngine(map[string]interface{}{
		"PASSWORD_ITERATIONS": 1000,
		"DEFAULT_AUTHENTICATION_CLASSES": []interface{}{map[string]interface{}{
			"class": "JWTAuthentication", "secret": jwtSecret, "algorithms": []string{"HS256"}, "lookup_user": false}},
		"DEFAULT_PERMISSION_CLASSES": []string{"IsAuthenticated"},
	}, authpolicy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestCertificateBoundJWT(t *testing.T) {
	e := jwtEngine(t)
	mine, other := selfSignedDER(t, "client"), selfSignedDER(t, "someone else")
	sum := sha256.Sum256(mine)
	bound := hs256(t, map[string]interface{}{"sub": "alice", "exp": time.Now().Unix() + 300,
		"cnf": map[string]string{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}})
	header := hdr("Authorization", "Bearer "+bound)

	if d := decide(t, e, authpolicy.Request{Header: header, ClientCertificate: mine}); d.Status != 200 || d.User.Username != "alice" {
		t.Fatalf("own certificate: %+v", d)
	}
	if d := decide(t, e, authpolicy.Request{Header: header, ClientCertificate: other}); d.Status != 401 ||
		d.Detail != "The token is bound to another client certificate." {
		t.Fatalf("another certificate: %+v", d)
	}
	if d := decide(t, e, authpolicy.Request{Header: header}); d.Status != 401 ||
		d.Detail != "The token is bound to a client certificate and none was presented." {
		t.Fatalf("no certificate: %+v", d)
	}
	// A request reused from the pool does not keep the previous request's certificate.
	for i := 0; i < 3; i++ {
		decide(t, e, authpolicy.Request{Header: header, ClientCertificate: mine})
		if d := decide(t, e, authpolicy.Request{Header: header}); d.Status != 401 {
			t.Fatalf("a pooled request kept a certificate: %+v", d)
		}
	}

	lr, err := e.Request(context.Background(), authpolicy.Request{Header: header, ClientCertificate: mine})
	if err != nil {
		t.Fatal(err)
	}
	defer lr.Close()
	if u, err := lr.User(); err != nil || u.Username != "alice" {
		t.Fatalf("lazy request: %+v %v", u, err)
	}

	plain := hs256(t, map[string]interface{}{"sub": "bob", "exp": time.Now().Unix() + 300})
	if d := decide(t, e, authpolicy.Request{Header: hdr("Authorization", "Bearer "+plain), ClientCertificate: other}); d.Status != 200 {
		t.Fatalf("unbound token with a certificate: %+v", d)
	}
	if d := decide(t, e, authpolicy.Request{ClientCertificate: make([]byte, 16385)}); d.Status != 400 {
		t.Fatalf("oversize certificate: %+v", d)
	}
}

func TestRequestFromHTTPPassesOnlyAVerifiedCertificate(t *testing.T) {
	e := jwtEngine(t)
	der := selfSignedDER(t, "client")
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	bound := hs256(t, map[string]interface{}{"sub": "alice", "exp": time.Now().Unix() + 300,
		"cnf": map[string]string{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}})
	r := httptest.NewRequest("GET", "https://api.example/", nil)
	r.Header.Set("Authorization", "Bearer "+bound)

	r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}} // presented, not verified
	if got := authpolicy.RequestFromHTTP(r, ""); got.ClientCertificate != nil {
		t.Fatal("an unverified certificate was passed on")
	}
	if d, err := e.DecideHTTP(r, ""); err != nil || d.Status != 401 {
		t.Fatalf("unverified certificate: %+v %v", d, err)
	}
	r.TLS.VerifiedChains = [][]*x509.Certificate{{cert}}
	if d, err := e.DecideHTTP(r, ""); err != nil || d.Status != 200 || d.User.Username != "alice" {
		t.Fatalf("verified certificate: %+v %v", d, err)
	}
}
