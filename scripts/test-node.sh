#!/usr/bin/env bash
# The Node binding's tests (bindings/node): builds libauthpolicy if needed, installs the npm
# packages from package-lock.json if node_modules is missing (npm ci: koffi, express, passport),
# then `node --test` with the library of that build tree (AUTHPOLICY_LIBRARY).
#
#   bash scripts/test-node.sh [BUILD_DIR] [node --test args…]   # default: $AUTHP_BUILD_DIR or build/
#   AUTHP_NO_BUILD=1 bash scripts/test-node.sh …                 # use the library already built there
#
# Exits non-zero on any failure, and when no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${1:-${AUTHP_BUILD_DIR:-build}}
[ $# -gt 0 ] && shift
LIB="$BUILD_DIR/capi/libauthpolicy.so.0"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test-node.sh: node and npm are required (Node >= 18; nodesource's nodejs 20 here)" >&2
  exit 1
fi

if [ "${AUTHP_NO_BUILD:-0}" != 1 ] || [ ! -f "$LIB" ]; then
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    echo "== configuring $BUILD_DIR"
    cmake -S . -B "$BUILD_DIR" -DAUTHP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  echo "== building libauthpolicy in $BUILD_DIR"
  cmake --build "$BUILD_DIR" -j2 --target authpolicy >/dev/null
fi
[ -f "$LIB" ] || { echo "test-node.sh: $LIB was not built" >&2; exit 1; }

cd bindings/node
if [ ! -d node_modules/koffi ] || [ ! -d node_modules/express ] || [ ! -d node_modules/passport ]; then
  echo "== npm ci (koffi, express, passport)"
  npm ci --no-audit --no-fund
fi

export AUTHPOLICY_LIBRARY
AUTHPOLICY_LIBRARY=$(cd "../../$(dirname "$LIB")" && pwd)/$(basename "$LIB")
echo "== node --test (library: $AUTHPOLICY_LIBRARY)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
node --expose-gc --test --test-reporter=tap "$@" test/*.test.js 2>&1 | tee "$out" || status=${PIPESTATUS[0]}
pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -1)
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -1)
if [ "$status" -ne 0 ] || [ "${fail:-1}" != 0 ]; then
  echo "test-node.sh: FAILED (pass ${pass:-?}, fail ${fail:-?})" >&2
  exit 1
fi
if [ "${pass:-0}" -eq 0 ]; then
  echo "test-node.sh: no test ran" >&2
  exit 1
fi
echo "test-node.sh: ok ($pass passed)"
