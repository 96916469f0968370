package authpolicy

// /* The package uses no deprecated C API call (the 0.1 engine-based administration): the
//    compiler refuses one. */
// #cgo CFLAGS: -DAUTHP_WARN_DEPRECATED -Werror=deprecated-declarations
// #include <stdlib.h>
// #include "shims.h"
import "C"

import (
	"encoding/json"
	"runtime"
	"sync"
	"unsafe"
)

// Directory administers the users, API tokens, OAuth tokens and sessions of a configuration's
// DATABASE (authp_directory): opened without an engine (OpenDirectory) or taken from one
// (Engine.Directory), whose writes then reach that engine's caches at once. Safe for
// concurrent use. It owns its handle: Close it when done (a finalizer frees it otherwise); an
// engine's Directory stays usable after the engine is closed.
type Directory struct {
	core        *directoryCore
	Users       *Users
	Tokens      *Tokens
	OAuthTokens *OAuthTokens
	Sessions    *Sessions
}

// directoryCore holds the handle. The views point at it, never at the Directory, so no cycle
// keeps its finalizer from running.
type directoryCore struct {
	mu     sync.RWMutex // calls hold it shared; close exclusively
	handle *C.authp_directory
}

// directorySource is where the views' calls go: a Directory's handle, or an Engine's directory.
type directorySource interface {
	withDirectory(f func(d *C.authp_directory) C.int) error
}

var errDirectoryClosed = &Error{Code: CodeMisuse, Message: "the directory is closed"}

func (c *directoryCore) withDirectory(f func(d *C.authp_directory) C.int) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.handle == nil {
		return errDirectoryClosed
	}
	return call(func() C.int { return f(c.handle) })
}

func (c *directoryCore) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.handle == nil {
		return nil
	}
	runtime.SetFinalizer(c, nil)
	C.authp_directory_free(c.handle)
	c.handle = nil
	return nil
}

func newDirectory(handle *C.authp_directory) *Directory {
	core := &directoryCore{handle: handle}
	runtime.SetFinalizer(core, (*directoryCore).close)
	return &Directory{
		core:        core,
		Users:       &Users{src: core},
		Tokens:      &Tokens{src: core},
		OAuthTokens: &OAuthTokens{src: core},
		Sessions:    &Sessions{src: core},
	}
}

// DirectoryOptions for OpenDirectory.
type DirectoryOptions struct {
	// BaseDir is where a relative DATABASE of a JSON/map configuration lives (default: the
	// current directory). A file's DATABASE is relative to the file.
	BaseDir string
}

// OpenDirectory opens the directory a configuration names (DATABASE, DATABASE_OPTIONS,
// PASSWORD_ITERATIONS …) without building an engine; config is what NewEngine takes. SQLite is
// created and migrated at once; PostgreSQL connects on first use. Other engines on the database
// see its revocations within their CACHE TTL (at once on PostgreSQL).
func OpenDirectory(config interface{}, opts ...DirectoryOptions) (*Directory, error) {
	var o DirectoryOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	text, file, err := configSource(config)
	if err != nil {
		return nil, err
	}
	var cfg *C.authp_config
	if err := call(func() C.int { return C.authp_config_new(&cfg) }); err != nil {
		return nil, err
	}
	defer C.authp_config_free(cfg) // the directory keeps what it needs
	if err := loadConfig(cfg, text, file, o.BaseDir); err != nil {
		return nil, err
	}
	var handle *C.authp_directory
	if err := call(func() C.int { return C.authp_directory_open(&handle, cfg) }); err != nil {
		return nil, err
	}
	return newDirectory(handle), nil
}

// Directory returns a new Directory on the engine's DATABASE; its writes reach this engine's
// caches at once. It owns its handle (Close it) and stays usable after the engine is closed:
// the library keeps the engine's services, and so its Go callbacks, alive for it.
func (e *Engine) Directory() (*Directory, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return nil, errClosed
	}
	var handle *C.authp_directory
	if err := call(func() C.int { return C.authp_engine_directory(&handle, e.handle) }); err != nil {
		return nil, err
	}
	return newDirectory(handle), nil
}

// withDirectory runs f on the engine's current directory, taken for this call only: Engine.Users
// and Engine.Tokens so follow a Reload that changes DATABASE, as they always have.
func (e *Engine) withDirectory(f func(d *C.authp_directory) C.int) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.handle == nil {
		return errClosed
	}
	return call(func() C.int {
		var d *C.authp_directory
		if rc := C.authp_engine_directory(&d, e.handle); rc != 0 {
			return rc
		}
		defer C.authp_directory_free(d)
		return f(d)
	})
}

// Close frees the handle. It waits for running calls; later calls fail with ErrMisuse.
// Idempotent.
func (d *Directory) Close() error { return d.core.close() }

// Schema returns the database's schema version and the newest this library knows.
func (d *Directory) Schema() (current, latest int, err error) {
	var c, l C.int
	err = d.core.withDirectory(func(h *C.authp_directory) C.int { return C.authp_directory_schema(&c, &l, h) })
	return int(c), int(l), err
}

// Migrate brings the schema to the latest version (safe to run from several processes at once).
func (d *Directory) Migrate() error {
	return d.core.withDirectory(func(h *C.authp_directory) C.int { return C.authp_directory_migrate(h) })
}

// DjangoNotify adds (install) or removes the triggers that make a Django database on PostgreSQL
// notify engines of its revocations (docs/django.md). ErrInvalid without a DJANGO block or when
// its database is SQLite.
func (d *Directory) DjangoNotify(install bool) error {
	return d.core.withDirectory(func(h *C.authp_directory) C.int {
		return C.authp_directory_django_notify(h, cbool(install))
	})
}

// ownedJSON decodes and frees library-owned JSON text.
func ownedJSON(p *C.char, v interface{}) error {
	if p == nil {
		return nil
	}
	defer C.authp_free(unsafe.Pointer(p))
	return json.Unmarshal([]byte(C.GoString(p)), v)
}

// ownedText copies and frees library-owned text (a secret shown once: a key or a token).
func ownedText(p *C.char) string {
	if p == nil {
		return ""
	}
	defer C.authp_free(unsafe.Pointer(p))
	return C.GoString(p)
}

// optional returns (NULL, 0) for "": the C API reads that as "absent".
func optional(s string) (*C.char, C.size_t) {
	if s == "" {
		return nil, 0
	}
	return cstr(s), C.size_t(len(s))
}
