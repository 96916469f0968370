// Command example is a net/http server whose authentication and permissions are libauthpolicy's.
//
//	go run ./example create-user alice s3cret [-staff]
//	go run ./example                                   # listens on 127.0.0.1:8000 ($PORT)
//	curl -u alice:s3cret -X POST localhost:8000/tokens  → {"token": "…"}
//	curl -H "Authorization: Token …" localhost:8000/me
//	curl -H "X-Api-Key: demo-key" localhost:8000/me      (a Go authenticator)
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	authpolicy "github.com/libauthpolicy/authpolicy-go"
)

type apiKeyAuth struct{}

func (apiKeyAuth) Authenticate(r *authpolicy.RequestView) (*authpolicy.UserRecord, interface{}, error) {
	key, ok := r.Header("X-Api-Key")
	if !ok {
		return nil, nil, nil
	}
	if key != "demo-key" {
		return nil, nil, authpolicy.Fail("Unknown API key.")
	}
	return &authpolicy.UserRecord{Username: "robot", ID: 1000}, map[string]string{"type": "api-key"}, nil
}

// NewEngine builds the example's policy over the SQLite file db.
func NewEngine(db string) (*authpolicy.Engine, error) {
	return authpolicy.NewEngine(map[string]interface{}{
		"DATABASE":            db,
		"PASSWORD_ITERATIONS": 100000,
		"DEFAULT_AUTHENTICATION_CLASSES": []interface{}{
			map[string]interface{}{"class": "TokenAuthentication", "keyword": []string{"Token", "Bearer"}},
			"ApiKey", "BasicAuthentication"},
		"DEFAULT_PERMISSION_CLASSES": []string{"IsAuthenticated"},
		"DEFAULT_THROTTLE_RATES":     map[string]string{"anon": "5/min"},
		"VIEWS": map[string]interface{}{
			"login":  map[string]interface{}{"authentication_classes": []string{"BasicAuthentication"}},
			"admin":  map[string]interface{}{"permission_classes": []string{"IsAdminUser"}},
			"public": map[string]interface{}{"permission_classes": []string{"AllowAny"}, "throttle_classes": []string{"AnonRateThrottle"}},
		},
	}, authpolicy.Options{Authenticators: map[string]authpolicy.Authenticator{"ApiKey": apiKeyAuth{}}})
}

// Handler is the example's routes behind the policy middleware.
func Handler(engine *authpolicy.Engine) http.Handler {
	views := map[string]string{"/tokens": "login", "/admin": "admin", "/public": "public"}
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v interface{}) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("/tokens", func(w http.ResponseWriter, r *http.Request) {
		key, err := engine.Tokens.Create(authpolicy.UserFromContext(r.Context()).Username, authpolicy.TokenOptions{Name: "example", ExpiresIn: time.Hour})
		if err != nil {
			reply(w, 500, map[string]string{"detail": err.Error()})
			return
		}
		reply(w, 201, map[string]string{"token": key})
	})
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		d, _ := authpolicy.FromContext(r.Context())
		reply(w, 200, map[string]interface{}{"user": d.User.Username, "auth": d.Auth, "via": d.Authenticator})
	})
	mux.HandleFunc("/admin", func(w http.ResponseWriter, r *http.Request) {
		users, _ := engine.Users.List()
		reply(w, 200, users)
	})
	mux.HandleFunc("/public", func(w http.ResponseWriter, r *http.Request) {
		name := "anonymous"
		if u := authpolicy.UserFromContext(r.Context()); u != nil {
			name = u.Username
		}
		reply(w, 200, map[string]string{"hello": name})
	})
	return authpolicy.Middleware(engine, func(r *http.Request) string { return views[r.URL.Path] })(mux)
}

func main() {
	db := os.Getenv("AUTHPOLICY_DB")
	if db == "" {
		db = "example.sqlite3"
	}
	engine, err := NewEngine(db)
	if err != nil {
		log.Fatal(err)
	}
	defer engine.Close()
	if len(os.Args) >= 4 && os.Args[1] == "create-user" {
		staff := len(os.Args) > 4 && os.Args[4] == "-staff"
		if _, err := engine.Users.Add(os.Args[2], os.Args[3], authpolicy.UserOptions{IsStaff: staff}); err != nil {
			log.Fatal(err)
		}
		fmt.Println("created", os.Args[2])
		return
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	log.Printf("listening on http://127.0.0.1:%s", port)
	log.Fatal(http.ListenAndServe("127.0.0.1:"+port, Handler(engine)))
}
