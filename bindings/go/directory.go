package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

import (
	"encoding/json"
	"time"
	"unsafe"
)

// User flags for Users.Add.
const (
	flagStaff     = 0x1
	flagSuperuser = 0x2
	flagInactive  = 0x4
)

// Users of the engine's built-in SQLite directory (its DATABASE). Changes take effect at once
// in this process (caches are invalidated).
type Users struct{ e *Engine }

// UserOptions for Users.Add.
type UserOptions struct {
	IsStaff     bool
	IsSuperuser bool
	Inactive    bool
}

// UserInfo is a row of Users.List (never a password hash).
type UserInfo struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	IsActive    bool   `json:"is_active"`
	IsStaff     bool   `json:"is_staff"`
	IsSuperuser bool   `json:"is_superuser"`
	DateJoined  int64  `json:"date_joined"`
}

// TokenInfo is a row of Tokens.List (never a key or digest).
type TokenInfo struct {
	ID       int64   `json:"id"`
	Username string  `json:"username"`
	Name     *string `json:"name"`
	Created  int64   `json:"created"`
	Expires  *int64  `json:"expires"`
}

// with runs f with the engine handle held against Close.
func (e *Engine) with(f func(h *C.authp_engine) C.int) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return errClosed
	}
	return call(func() C.int { return f(e.handle) })
}

func optPassword(pw string) (*C.char, C.size_t) {
	if pw == "" {
		return nil, 0 // no usable password
	}
	return cstr(pw), C.size_t(len(pw))
}

// Add adds a user and returns its id; password "" gives an unusable password. ErrExists if the
// username is taken.
func (u *Users) Add(username, password string, opts UserOptions) (int64, error) {
	var flags C.uint
	if opts.IsStaff {
		flags |= flagStaff
	}
	if opts.IsSuperuser {
		flags |= flagSuperuser
	}
	if opts.Inactive {
		flags |= flagInactive
	}
	var id C.int64_t
	err := u.e.with(func(h *C.authp_engine) C.int {
		p, n := optPassword(password)
		return C.authp_user_add(&id, h, cstr(username), C.size_t(len(username)), p, n, flags)
	})
	return int64(id), err
}

// SetPassword sets a user's password ("" makes it unusable). ErrNotFound for an unknown user.
func (u *Users) SetPassword(username, password string) error {
	return u.e.with(func(h *C.authp_engine) C.int {
		p, n := optPassword(password)
		return C.authp_user_set_password(h, cstr(username), C.size_t(len(username)), p, n)
	})
}

// SetActive activates or deactivates a user.
func (u *Users) SetActive(username string, active bool) error {
	return u.e.with(func(h *C.authp_engine) C.int {
		return C.authp_user_set_active(h, cstr(username), C.size_t(len(username)), cbool(active))
	})
}

// SetRoles sets is_staff and is_superuser.
func (u *Users) SetRoles(username string, isStaff, isSuperuser bool) error {
	return u.e.with(func(h *C.authp_engine) C.int {
		return C.authp_user_set_roles(h, cstr(username), C.size_t(len(username)), cbool(isStaff), cbool(isSuperuser))
	})
}

func ownedJSON(p *C.char, v interface{}) error {
	if p == nil {
		return nil
	}
	defer C.authp_free(unsafe.Pointer(p))
	return json.Unmarshal([]byte(C.GoString(p)), v)
}

// List returns every user.
func (u *Users) List() ([]UserInfo, error) {
	var out *C.char
	if err := u.e.with(func(h *C.authp_engine) C.int { return C.authp_user_list_json(&out, h) }); err != nil {
		return nil, err
	}
	var users []UserInfo
	return users, ownedJSON(out, &users)
}

// Tokens of the engine's built-in SQLite directory.
type Tokens struct{ e *Engine }

// TokenOptions for Tokens.Create.
type TokenOptions struct {
	Name      string
	ExpiresIn time.Duration // 0: never (whole seconds)
}

// Create creates a token for a user and returns its key (40 hex characters), the only time it
// is shown (only its SHA-256 digest is stored). ErrNotFound for an unknown user.
func (t *Tokens) Create(username string, opts TokenOptions) (string, error) {
	var key *C.char
	err := t.e.with(func(h *C.authp_engine) C.int {
		var name *C.char
		if opts.Name != "" {
			name = cstr(opts.Name)
		}
		return C.authp_token_create(&key, h, cstr(username), C.size_t(len(username)), name, C.size_t(len(opts.Name)),
			C.int64_t(opts.ExpiresIn/time.Second))
	})
	if key != nil {
		defer C.authp_free(unsafe.Pointer(key))
	}
	if err != nil {
		return "", err
	}
	return C.GoString(key), nil
}

// Revoke revokes the token with this key; ErrNotFound if there is none.
func (t *Tokens) Revoke(key string) error {
	return t.e.with(func(h *C.authp_engine) C.int { return C.authp_token_revoke(h, cstr(key), C.size_t(len(key))) })
}

// List returns the tokens of one user, or of all users for "".
func (t *Tokens) List(username string) ([]TokenInfo, error) {
	var out *C.char
	err := t.e.with(func(h *C.authp_engine) C.int {
		if username == "" {
			return C.authp_token_list_json(&out, h, nil, 0)
		}
		return C.authp_token_list_json(&out, h, cstr(username), C.size_t(len(username)))
	})
	if err != nil {
		return nil, err
	}
	var tokens []TokenInfo
	return tokens, ownedJSON(out, &tokens)
}

// HashPassword returns a Django-format pbkdf2_sha256 hash with a fresh salt (iterations 0:
// 1,000,000).
func HashPassword(password string, iterations uint) (string, error) {
	var out *C.char
	err := call(func() C.int {
		return C.authp_password_hash(&out, cstr(password), C.size_t(len(password)), C.uint(iterations))
	})
	if out != nil {
		defer C.authp_free(unsafe.Pointer(out))
	}
	if err != nil {
		return "", err
	}
	return C.GoString(out), nil
}

// CheckPassword verifies a password against a Django-format hash in constant time;
// needsRehash when the hash uses another algorithm, fewer than minIterations (0: 1,000,000)
// or a short salt. An unknown or malformed format does not match.
func CheckPassword(password, encoded string, minIterations uint) (matches, needsRehash bool, err error) {
	var m, r C.int
	err = call(func() C.int {
		return C.authp_password_verify(&m, &r, cstr(password), C.size_t(len(password)), cstr(encoded),
			C.size_t(len(encoded)), C.uint(minIterations))
	})
	return m != 0, r != 0, err
}

// VerifyPassword reports whether the password matches the hash.
func VerifyPassword(password, encoded string) bool {
	ok, _, err := CheckPassword(password, encoded, 0)
	return ok && err == nil
}
