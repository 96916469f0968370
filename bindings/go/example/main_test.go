package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

func TestExampleApp(t *testing.T) {
	engine, err := NewEngine(filepath.Join(t.TempDir(), "db.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	engine.Users.Add("alice", "s3cret", authpolicy.UserOptions{})
	srv := httptest.NewServer(Handler(engine))
	defer srv.Close()
	do := func(method, path string, kv ...string) (*http.Response, map[string]interface{}) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for i := 0; i+1 < len(kv); i += 2 {
			req.Header.Set(kv[i], kv[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]interface{}
		json.NewDecoder(resp.Body).Decode(&m)
		return resp, m
	}
	resp, body := do("POST", "/tokens", "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("alice:s3cret")))
	if resp.StatusCode != 201 {
		t.Fatalf("tokens: %d %v", resp.StatusCode, body)
	}
	token := body["token"].(string)
	if resp, body = do("GET", "/me", "Authorization", "Bearer "+token); resp.StatusCode != 200 || body["user"] != "alice" {
		t.Fatalf("me: %d %v", resp.StatusCode, body)
	}
	if resp, body = do("GET", "/me", "X-Api-Key", "demo-key"); body["user"] != "robot" || body["via"] != "ApiKey" {
		t.Fatalf("api key: %d %v", resp.StatusCode, body)
	}
	if resp, _ = do("GET", "/admin", "X-Api-Key", "demo-key"); resp.StatusCode != 403 {
		t.Fatalf("admin: %d", resp.StatusCode)
	}
	if resp, body = do("GET", "/me"); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "Token" {
		t.Fatalf("anonymous: %d %v", resp.StatusCode, body)
	}
	if resp, body = do("GET", "/public"); resp.StatusCode != 200 || body["hello"] != "anonymous" {
		t.Fatalf("public: %d %v", resp.StatusCode, body)
	}
}
