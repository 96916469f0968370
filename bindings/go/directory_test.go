package authpolicy_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

const never = 4102444800 // 2100-01-01: a session that has not expired

func sqliteConfig(path string) map[string]interface{} {
	return map[string]interface{}{"DATABASE": path, "PASSWORD_ITERATIONS": 1000}
}

func openDirectory(t *testing.T, config interface{}, opts ...authpolicy.DirectoryOptions) *authpolicy.Directory {
	t.Helper()
	d, err := authpolicy.OpenDirectory(config, opts...)
	if err != nil {
		t.Fatalf("OpenDirectory: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// addSession writes the session row docs/sessions.md describes straight into the SQLite file
// (with the sqlite3 shell): bindings cannot log users in, authp_session_login is the host's.
func addSession(t *testing.T, db, username string, expires int64) {
	t.Helper()
	sql := fmt.Sprintf("INSERT INTO authp_session VALUES (randomblob(32), "+
		"(SELECT id FROM authp_user WHERE username = '%s'), 'hash', 0, 0, %d);", username, expires)
	if out, err := exec.Command("sqlite3", db, sql).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3 (apt-get install sqlite3): %v: %s", err, out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenDirectorySchemaAndMigrate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dir.sqlite3")
	d := openDirectory(t, sqliteConfig(db))
	current, latest, err := d.Schema()
	if err != nil || current != latest || latest < 1 {
		t.Fatalf("Schema: %d %d %v", current, latest, err)
	}
	must(t, d.Migrate())
	if c, l, _ := d.Schema(); c != latest || l != latest {
		t.Fatalf("after Migrate: %d %d", c, l)
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatal(err)
	}

	// A configuration file, with a DATABASE relative to it; then BaseDir for JSON.
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "policy.json"), []byte(`{"DATABASE": "rel.sqlite3", "PASSWORD_ITERATIONS": 1000}`), 0o600))
	f := openDirectory(t, filepath.Join(dir, "policy.json"))
	if _, err := f.Users.Add("alice", "pw", authpolicy.UserOptions{}); err != nil {
		t.Fatal(err)
	}
	must(t, f.Close())
	b := openDirectory(t, `{"DATABASE": "rel.sqlite3"}`, authpolicy.DirectoryOptions{BaseDir: dir})
	if users, err := b.Users.List(); err != nil || len(users) != 1 || users[0].Username != "alice" {
		t.Fatalf("relative DATABASE: %+v %v", users, err)
	}
}

func TestDirectoryLifecycleWithoutAnEngine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "dir.sqlite3")
	d := openDirectory(t, sqliteConfig(db))
	if id, err := d.Users.Add("alice", "pw", authpolicy.UserOptions{}); err != nil || id != 1 {
		t.Fatalf("Add: %d %v", id, err)
	}
	if _, err := d.Users.Add("bob", "", authpolicy.UserOptions{IsStaff: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Users.Add("alice", "pw", authpolicy.UserOptions{}); !errors.Is(err, authpolicy.ErrExists) {
		t.Fatalf("duplicate: %v", err)
	}
	must(t, d.Users.SetPassword("alice", "new-pw"))
	must(t, d.Users.SetRoles("alice", true, true))
	must(t, d.Users.SetActive("bob", false))
	users, err := d.Users.List()
	if err != nil || len(users) != 2 || !users[0].IsSuperuser || users[1].IsActive {
		t.Fatalf("List: %+v %v", users, err)
	}
	key, err := d.Tokens.Create("alice", authpolicy.TokenOptions{Name: "ci", ExpiresIn: time.Minute})
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(key) {
		t.Fatalf("Create: %q %v", key, err)
	}
	if tokens, err := d.Tokens.List("alice"); err != nil || len(tokens) != 1 || *tokens[0].Name != "ci" ||
		*tokens[0].Expires-tokens[0].Created != 60 {
		t.Fatalf("Tokens.List: %+v %v", tokens, err)
	}
	oauth, err := d.OAuthTokens.Create("alice", authpolicy.OAuthTokenOptions{ClientID: "app", Scope: "read  write", ExpiresIn: time.Minute})
	if err != nil || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(oauth) {
		t.Fatalf("OAuthTokens.Create: %q %v", oauth, err)
	}
	listed, err := d.OAuthTokens.List("")
	if err != nil || len(listed) != 1 || listed[0].ClientID != "app" || listed[0].Scope != "read write" {
		t.Fatalf("OAuthTokens.List: %+v %v", listed, err)
	}
	if b, _ := json.Marshal(listed); strings.Contains(string(b), oauth) {
		t.Fatal("a listed OAuth token shows the token")
	}
	must(t, d.Close())

	// An engine on the same file sees what the directory wrote.
	e := newEngine(t, map[string]interface{}{"DATABASE": db}, authpolicy.Options{})
	if dec := decide(t, e, authpolicy.Request{Header: hdr("Authorization", "Token "+key)}); dec.Status != 200 || dec.User.Username != "alice" {
		t.Fatalf("engine on the file: %+v", dec)
	}

	again := openDirectory(t, sqliteConfig(db))
	must(t, again.Tokens.Revoke(key))
	must(t, again.OAuthTokens.Revoke(oauth))
	if tokens, _ := again.Tokens.List(""); len(tokens) != 0 {
		t.Fatalf("revoked token listed: %+v", tokens)
	}
	must(t, again.Users.Delete("alice"))
	if users, _ := again.Users.List(); len(users) != 1 || users[0].Username != "bob" {
		t.Fatalf("after Delete: %+v", users)
	}
}

func TestDirectoryErrors(t *testing.T) {
	d := openDirectory(t, sqliteConfig(filepath.Join(t.TempDir(), "d.sqlite3")))
	calls := map[string]func() error{
		"SetPassword":        func() error { return d.Users.SetPassword("ghost", "pw") },
		"SetActive":          func() error { return d.Users.SetActive("ghost", true) },
		"SetRoles":           func() error { return d.Users.SetRoles("ghost", true, false) },
		"Delete":             func() error { return d.Users.Delete("ghost") },
		"Tokens.Create":      func() error { _, err := d.Tokens.Create("ghost", authpolicy.TokenOptions{}); return err },
		"Tokens.List":        func() error { _, err := d.Tokens.List("ghost"); return err },
		"Tokens.Revoke":      func() error { return d.Tokens.Revoke(strings.Repeat("0", 40)) },
		"OAuthTokens.Create": func() error { _, err := d.OAuthTokens.Create("ghost", authpolicy.OAuthTokenOptions{}); return err },
		"OAuthTokens.List":   func() error { _, err := d.OAuthTokens.List("ghost"); return err },
		"OAuthTokens.Revoke": func() error { return d.OAuthTokens.Revoke(strings.Repeat("x", 43)) },
		"LogoutUser":         func() error { _, err := d.Sessions.LogoutUser("ghost"); return err },
	}
	for name, f := range calls {
		err := f()
		var ae *authpolicy.Error
		if !errors.Is(err, authpolicy.ErrNotFound) || !errors.As(err, &ae) || ae.Message == "" {
			t.Errorf("%s: want ErrNotFound with a message, got %v", name, err)
		}
	}
	if _, err := d.Users.Add("has space", "pw", authpolicy.UserOptions{}); !errors.Is(err, authpolicy.ErrInvalid) {
		t.Errorf("bad username: %v", err)
	}
	d.Users.Add("alice", "pw", authpolicy.UserOptions{})
	if _, err := d.OAuthTokens.Create("alice", authpolicy.OAuthTokenOptions{Scope: `read "write"`}); !errors.Is(err, authpolicy.ErrInvalid) {
		t.Errorf("bad scope: %v", err)
	}
	if err := d.DjangoNotify(true); !errors.Is(err, authpolicy.ErrInvalid) || !strings.Contains(err.Error(), "DJANGO") {
		t.Errorf("DjangoNotify without DJANGO: %v", err)
	}
	if _, err := authpolicy.OpenDirectory(map[string]interface{}{"DATABASE": 42}); !errors.Is(err, authpolicy.ErrConfig) {
		t.Errorf("bad config: %v", err)
	}
	if _, err := authpolicy.OpenDirectory(nil); !errors.Is(err, authpolicy.ErrInvalid) {
		t.Errorf("nil config: %v", err)
	}
}

func TestSessionsLogoutUserAndPurgeCount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.sqlite3")
	d := openDirectory(t, sqliteConfig(db))
	d.Users.Add("alice", "pw", authpolicy.UserOptions{})
	d.Users.Add("bob", "pw", authpolicy.UserOptions{})
	addSession(t, db, "alice", never)
	addSession(t, db, "alice", never)
	addSession(t, db, "alice", 1) // expired in 1970
	addSession(t, db, "bob", never)
	for _, step := range []struct {
		name string
		call func() (int64, error)
		want int64
	}{
		{"Purge", d.Sessions.Purge, 1},
		{"Purge again", d.Sessions.Purge, 0},
		{"LogoutUser alice", func() (int64, error) { return d.Sessions.LogoutUser("alice") }, 2},
		{"LogoutUser alice again", func() (int64, error) { return d.Sessions.LogoutUser("alice") }, 0},
		{"LogoutUser bob", func() (int64, error) { return d.Sessions.LogoutUser("bob") }, 1},
	} {
		if n, err := step.call(); err != nil || n != step.want {
			t.Fatalf("%s: %d %v, want %d", step.name, n, err, step.want)
		}
	}
}

func TestEngineDirectoryRevocationReachesDecisions(t *testing.T) {
	e := newEngine(t, map[string]interface{}{"DATABASE": filepath.Join(t.TempDir(), "e.sqlite3"),
		"CACHE": map[string]interface{}{"TTL": 3600}}, authpolicy.Options{})
	d, err := e.Directory()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Users.Add("alice", "pw", authpolicy.UserOptions{})
	key, _ := d.Tokens.Create("alice", authpolicy.TokenOptions{})
	token := authpolicy.Request{Header: hdr("Authorization", "Token "+key)}
	if dec := decide(t, e, token); dec.Status != 200 { // cached for an hour from here
		t.Fatalf("before revoke: %+v", dec)
	}
	must(t, d.Tokens.Revoke(key))
	if dec := decide(t, e, token); dec.Status != 401 || dec.Detail != "Invalid token." {
		t.Fatalf("after revoke: %+v", dec)
	}
	if users, _ := e.Users.List(); len(users) != 1 || users[0].Username != "alice" {
		t.Fatalf("Engine.Users on the same database: %+v", users)
	}
}

func TestEngineDirectoryOutlivesTheEngineAndClose(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	// DATABASE ":memory:": only the engine's directory has it. The clock is a Go callback the
	// directory still reads after the engine is closed.
	e, err := authpolicy.NewEngine(with(nil), authpolicy.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	e.Users.Add("alice", "pw", authpolicy.UserOptions{})
	d, err := e.Directory()
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if _, err := e.Users.List(); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("closed engine's Users: %v", err)
	}
	if _, err := e.Directory(); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("closed engine's Directory: %v", err)
	}
	now = now.Add(10 * time.Second)
	if _, err := d.Tokens.Create("alice", authpolicy.TokenOptions{ExpiresIn: time.Minute}); err != nil {
		t.Fatal(err)
	}
	tokens, err := d.Tokens.List("alice")
	if err != nil || len(tokens) != 1 || tokens[0].Created != 1_000_010 || *tokens[0].Expires != 1_000_070 {
		t.Fatalf("tokens after the engine closed: %+v %v", tokens, err)
	}
	users := d.Users
	must(t, d.Close())
	must(t, d.Close()) // idempotent
	if _, err := users.List(); !errors.Is(err, authpolicy.ErrMisuse) || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("closed directory: %v", err)
	}
	if _, _, err := d.Schema(); !errors.Is(err, authpolicy.ErrMisuse) {
		t.Fatalf("closed directory Schema: %v", err)
	}
}

// A Directory nobody closed is freed by its finalizer: its SQLite connection's file descriptors
// are given back.
func TestUnclosedDirectoriesAreFinalized(t *testing.T) {
	fds := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(entries)
	}
	db := filepath.Join(t.TempDir(), "d.sqlite3")
	before := fds()
	func() {
		for i := 0; i < 50; i++ {
			d, err := authpolicy.OpenDirectory(sqliteConfig(db))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := d.Schema(); err != nil {
				t.Fatal(err)
			}
		}
	}()
	opened := fds()
	if opened < before+50 {
		t.Fatalf("expected open directories to hold descriptors: %d before, %d after", before, opened)
	}
	for i := 0; i < 50 && fds() > before+5; i++ {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if after := fds(); after > before+5 {
		t.Fatalf("descriptors not released by finalizers: %d before, %d with 50 open, %d after GC", before, opened, after)
	}
}
