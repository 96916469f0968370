#!/usr/bin/env bash
# The Go binding's tests (bindings/go): builds libauthpolicy if needed, then `go vet` and
# `go test -race` (the race detector also turns on checkptr) against that build tree's library,
# with GOPROXY=off (the module has no dependencies). Also compiles the benchmarks (bench/go).
#
#   bash scripts/test-go.sh [BUILD_DIR] [go test args…]   # default: $AUTHP_BUILD_DIR or build/
#   AUTHP_NO_BUILD=1 bash scripts/test-go.sh …            # use the library already built there
#   AUTHP_GO_RACE=0 …                                     # without -race
#
# Exits non-zero on any failure, and when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BUILD_DIR=${1:-${AUTHP_BUILD_DIR:-build}}
[ $# -gt 0 ] && shift
LIB="$BUILD_DIR/capi/libauthpolicy.so.0"

command -v go >/dev/null || { echo "test-go.sh: go is required (apt-get install golang-go; scripts/install-deps.sh)" >&2; exit 1; }

if [ "${AUTHP_NO_BUILD:-0}" != 1 ] || [ ! -f "$LIB" ]; then
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    echo "== configuring $BUILD_DIR"
    cmake -S . -B "$BUILD_DIR" -DAUTHP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  echo "== building libauthpolicy in $BUILD_DIR"
  cmake --build "$BUILD_DIR" -j2 --target authpolicy >/dev/null
fi
[ -f "$LIB" ] || { echo "test-go.sh: $LIB was not built" >&2; exit 1; }

LIBDIR=$(cd "$BUILD_DIR/capi" && pwd)
export CGO_ENABLED=1
export CGO_CFLAGS="-I$ROOT/capi/include ${CGO_CFLAGS:-}"
export CGO_LDFLAGS="-L$LIBDIR -Wl,-rpath,$LIBDIR ${CGO_LDFLAGS:-}"
export GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local
export GOCACHE=${GOCACHE:-$ROOT/$BUILD_DIR/go-cache}
export LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

race=(-race)
[ "${AUTHP_GO_RACE:-1}" = 0 ] && race=()

echo "== go vet (library: $LIBDIR)"
(cd bindings/go && go vet ./...)
echo "== go test ${race[*]} -v ./..."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
(cd bindings/go && go test "${race[@]}" -count=1 -v ./... "$@") 2>&1 | tee "$out" || status=$?
echo "== go test (bench/go compiles and its benchmarks run once)"
(cd bench/go && go vet ./... && go test -count=1 -run xxx -bench . -benchtime 1x ./... >/dev/null) || status=1
pass=$(grep -c -- '^--- PASS' "$out" || true)
fail=$(grep -c -- '^--- FAIL' "$out" || true)
if [ "$status" -ne 0 ] || [ "$fail" -ne 0 ]; then
  echo "test-go.sh: FAILED (pass $pass, fail $fail)" >&2
  exit 1
fi
if [ "$pass" -eq 0 ]; then
  echo "test-go.sh: no test ran" >&2
  exit 1
fi
echo "test-go.sh: ok ($pass passed)"
