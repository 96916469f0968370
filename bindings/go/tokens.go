package authpolicy

// #include <stdlib.h>
// #include "shims.h"
import "C"

import "time"

// Tokens are a directory's API tokens (TokenAuthentication; Directory.Tokens, Engine.Tokens).
type Tokens struct{ src directorySource }

// TokenOptions for Tokens.Create.
type TokenOptions struct {
	Name      string
	ExpiresIn time.Duration // 0: never (whole seconds)
}

// TokenInfo is a row of Tokens.List (never a key or digest).
type TokenInfo struct {
	ID       int64   `json:"id"`
	Username string  `json:"username"`
	Name     *string `json:"name"`
	Created  int64   `json:"created"`
	Expires  *int64  `json:"expires"`
}

// Create creates a token for a user and returns its key (40 hex characters), the only time it
// is shown (only its SHA-256 digest is stored). ErrNotFound for an unknown user.
func (t *Tokens) Create(username string, opts TokenOptions) (string, error) {
	var key *C.char
	err := t.src.withDirectory(func(d *C.authp_directory) C.int {
		name, n := optional(opts.Name)
		return C.authp_directory_token_create(&key, d, cstr(username), C.size_t(len(username)), name, n,
			C.int64_t(opts.ExpiresIn/time.Second))
	})
	text := ownedText(key)
	if err != nil {
		return "", err
	}
	return text, nil
}

// Revoke revokes the token with this key; ErrNotFound if there is none.
func (t *Tokens) Revoke(key string) error {
	return t.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_token_revoke(d, cstr(key), C.size_t(len(key)))
	})
}

// List returns the tokens of one user, or of all users for "". ErrNotFound for an unknown user.
func (t *Tokens) List(username string) ([]TokenInfo, error) {
	var out *C.char
	err := t.src.withDirectory(func(d *C.authp_directory) C.int {
		p, n := optional(username)
		return C.authp_directory_token_list_json(&out, d, p, n)
	})
	if err != nil {
		return nil, err
	}
	var tokens []TokenInfo
	return tokens, ownedJSON(out, &tokens)
}

// OAuthTokens are a directory's OAuth 2.0 access tokens (OAuth2Authentication with "source":
// "store"; Directory.OAuthTokens).
type OAuthTokens struct{ src directorySource }

// OAuthTokenOptions for OAuthTokens.Create.
type OAuthTokenOptions struct {
	ClientID  string
	Scope     string        // space-delimited: "read write"
	ExpiresIn time.Duration // 0: never (whole seconds)
}

// OAuthTokenInfo is a row of OAuthTokens.List (never a token or digest).
type OAuthTokenInfo struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	Created  int64  `json:"created"`
	Expires  *int64 `json:"expires"`
}

// Create creates an access token (43 base64url characters) and returns it, the only time it is
// shown. ErrNotFound for an unknown user, ErrInvalid for a malformed scope.
func (t *OAuthTokens) Create(username string, opts OAuthTokenOptions) (string, error) {
	var token *C.char
	err := t.src.withDirectory(func(d *C.authp_directory) C.int {
		client, cn := optional(opts.ClientID)
		scope, sn := optional(opts.Scope)
		return C.authp_directory_oauth_token_create(&token, d, cstr(username), C.size_t(len(username)), client, cn,
			scope, sn, C.int64_t(opts.ExpiresIn/time.Second))
	})
	text := ownedText(token)
	if err != nil {
		return "", err
	}
	return text, nil
}

// Revoke revokes an access token; ErrNotFound if there is none.
func (t *OAuthTokens) Revoke(token string) error {
	return t.src.withDirectory(func(d *C.authp_directory) C.int {
		return C.authp_directory_oauth_token_revoke(d, cstr(token), C.size_t(len(token)))
	})
}

// List returns the access tokens of one user, or of all users for "". ErrNotFound for an
// unknown user.
func (t *OAuthTokens) List(username string) ([]OAuthTokenInfo, error) {
	var out *C.char
	err := t.src.withDirectory(func(d *C.authp_directory) C.int {
		p, n := optional(username)
		return C.authp_directory_oauth_token_list_json(&out, d, p, n)
	})
	if err != nil {
		return nil, err
	}
	var tokens []OAuthTokenInfo
	return tokens, ownedJSON(out, &tokens)
}
