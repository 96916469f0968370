package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

// User flags for Users.Add.
const (
	flagStaff     = 0x1
	flagSuperuser = 0x2
	flagInactive  = 0x4
)

// Users of a directory (Directory.Users; Engine.Users, the engine's directory). Changes made
// through an engine's directory take effect at once in that engine (caches are invalidated).
type Users struct{ src directorySource }

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

// Add adds a user and returns its id; password "" gives an unusable password. ErrExists if the
// username is taken; ErrInvalid for a username that is not allowed.
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
	err := u.src.withDirectory(func(d *C.authp_directory) C.int {
		p, n := optional(password)
		return C.authp_directory_user_add(&id, d, cstr(username), C.size_t(len(username)), p, n, flags)
	})
	return int64(id), err
}

// SetPassword sets a user's password ("" makes it unusable). ErrNotFound for an unknown user.
func (u *Users) SetPassword(username, password string) error {
	return u.src.withDirectory(func(d *C.authp_directory) C.int {
		p, n := optional(password)
		return C.authp_directory_user_set_password(d, cstr(username), C.size_t(len(username)), p, n)
	})
}

// SetActive activates or deactivates a user. ErrNotFound for an unknown user.
func (u *Users) SetActive(username string, active bool) error {
	return u.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_user_set_active(d, cstr(username), C.size_t(len(username)), cbool(active))
	})
}

// SetRoles sets is_staff and is_superuser. ErrNotFound for an unknown user.
func (u *Users) SetRoles(username string, isStaff, isSuperuser bool) error {
	return u.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_user_set_roles(d, cstr(username), C.size_t(len(username)), cbool(isStaff),
			cbool(isSuperuser))
	})
}

// Delete deletes a user with its tokens, OAuth tokens and sessions. ErrNotFound for an unknown
// user.
func (u *Users) Delete(username string) error {
	return u.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_user_delete(d, cstr(username), C.size_t(len(username)))
	})
}

// List returns every user.
func (u *Users) List() ([]UserInfo, error) {
	var out *C.char
	if err := u.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_user_list_json(&out, d)
	}); err != nil {
		return nil, err
	}
	var users []UserInfo
	return users, ownedJSON(out, &users)
}
