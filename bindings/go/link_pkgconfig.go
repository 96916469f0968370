//go:build authp_pkgconfig

package authpolicy

// With -tags authp_pkgconfig the library is found through pkg-config (an installed
// libauthpolicy, or PKG_CONFIG_PATH pointing at a directory holding authpolicy.pc).

// #cgo pkg-config: authpolicy
import "C"
