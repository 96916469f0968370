//go:build !authp_pkgconfig

package authpolicy

// Default: the build tree of this checkout (cmake -S . -B build). Another build directory:
//
//	CGO_CFLAGS="-I$PWD/capi/include" CGO_LDFLAGS="-L$DIR/capi -Wl,-rpath,$DIR/capi" go test ./...
//
// (flags from CGO_LDFLAGS come first, so $DIR wins over build/). An installed library:
// go build -tags authp_pkgconfig (link_pkgconfig.go).

// #cgo CFLAGS: -I${SRCDIR}/../../capi/include
// #cgo LDFLAGS: -L${SRCDIR}/../../build/capi -Wl,-rpath,${SRCDIR}/../../build/capi -lauthpolicy
import "C"
