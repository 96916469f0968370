package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

// Sessions are a directory's sessions (SessionAuthentication; Directory.Sessions). With a DJANGO
// block, sessions are Django's and these calls fail with ErrInvalid.
type Sessions struct{ src directorySource }

// LogoutUser ends every session of a user and returns how many. ErrNotFound for an unknown user.
func (s *Sessions) LogoutUser(username string) (int64, error) {
	var count C.int64_t
	err := s.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_session_logout_user(&count, d, cstr(username), C.size_t(len(username)))
	})
	return int64(count), err
}

// Purge deletes expired sessions and returns how many.
func (s *Sessions) Purge() (int64, error) {
	var count C.int64_t
	err := s.src.withDirectory(func(d *C.authp_directory) C.int { return C.authp_directory_session_purge(&count, d) })
	return int64(count), err
}
