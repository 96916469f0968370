#!/usr/bin/env bash
# Installs the build into a temporary prefix and checks it the way a downstream user would:
#   1. the installed files are where GNUInstallDirs puts them;
#   2. a CMake project finds it (find_package + authpolicy::authpolicy), builds, and runs;
#   3. a plain compiler line from `pkg-config --cflags --libs authpolicy` builds and runs;
#   4. the shared library exports only authp_* (plus its version node), every function the header
#      declares, and has the SONAME of the ABI version.
# With --static, step 2 links authpolicy::authpolicy_static instead (steps 3-4 are skipped).
# Every step runs; each failure is reported loudly, and the script exits 1 if any failed.
#
# Usage: install_test.sh [--static] WORK_DIR BUILD_DIR SOURCE_DIR LIBDIR VERSION ABI_VERSION CMAKE C_COMPILER
# WORK_DIR is emptied first and kept afterwards (the prefix, the consumers and their logs).
set -uo pipefail

mode=shared
if [ "${1:-}" = "--static" ]; then
  mode=static
  shift
fi
work=$1 build=$2 src=$3 libdir=$4 version=$5 abi=$6 cmake=$7 cc=$8
unset LD_LIBRARY_PATH PKG_CONFIG_PATH

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
failures=()
fail() {
  echo "!!! INSTALL TEST FAILURE: $*" >&2
  failures+=("$*")
}
step() { echo; echo "== $*"; }
finish() {
  echo
  if [ ${#failures[@]} -eq 0 ]; then
    echo "install test ($mode): all checks passed"
    exit 0
  fi
  echo "!!! install test ($mode): ${#failures[@]} check(s) FAILED (files in $work):" >&2
  for f in "${failures[@]}"; do echo "!!!   - $f" >&2; done
  exit 1
}

step "cmake --install $build --prefix $prefix"
if ! "$cmake" --install "$build" --prefix "$prefix"; then
  fail "cmake --install failed"
  finish
fi
lib=$prefix/$libdir
for f in "$prefix/include/authpolicy.h" "$lib/libauthpolicy.so" "$lib/libauthpolicy.so.$abi" \
         "$lib/libauthpolicy.so.$version" "$lib/libauthpolicy.a" "$lib/pkgconfig/authpolicy.pc" \
         "$lib/cmake/authpolicy/authpolicyConfig.cmake" "$lib/cmake/authpolicy/authpolicyConfigVersion.cmake"; do
  [ -e "$f" ] || fail "not installed: ${f#"$prefix"/}"
done
cmp -s "$src/capi/include/authpolicy.h" "$prefix/include/authpolicy.h" || fail "installed header differs from the source"

# ---- CMake consumer -------------------------------------------------------------------------
step "CMake consumer: find_package(authpolicy) + authpolicy::authpolicy$([ $mode = static ] && echo _static)"
cbuild=$work/consumer-cmake
static_flag=OFF
target=consumer
if [ $mode = static ]; then
  static_flag=ON
  target=consumer_static
fi
if "$cmake" -S "$src/tests/install/consumer_cmake" -B "$cbuild" -DCMAKE_C_COMPILER="$cc" \
     -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCONSUMER_STATIC=$static_flag \
     -DCMAKE_BUILD_TYPE=Release; then
  found=$(sed -n 's/^authpolicy_DIR:PATH=//p' "$cbuild/CMakeCache.txt")
  [ "$found" = "$lib/cmake/authpolicy" ] || fail "find_package used '$found', not the installed package"
  if "$cmake" --build "$cbuild" --target $target >"$work/consumer-build.log" 2>&1; then
    cat "$work/consumer-build.log"
    if [ $mode = shared ]; then
      resolved=$(ldd "$cbuild/$target" | awk '/libauthpolicy/ {print $3}')
      [ "$resolved" = "$(realpath "$lib/libauthpolicy.so.$abi")" ] || [ "$resolved" = "$lib/libauthpolicy.so.$abi" ] ||
        fail "CMake consumer resolves libauthpolicy to '$resolved', not the installed one"
    fi
    "$cbuild/$target" || fail "CMake consumer ($target) ran and failed"
  else
    head -n 25 "$work/consumer-build.log"
    echo "… ($(grep -c 'undefined reference' "$work/consumer-build.log") undefined references in total; full log:" \
      "$work/consumer-build.log)"
    fail "CMake consumer ($target) does not build against the installed package"
  fi
else
  fail "CMake consumer does not configure: find_package(authpolicy) failed"
fi
[ $mode = static ] && finish

# ---- pkg-config consumer ---------------------------------------------------------------------
step "pkg-config consumer: PKG_CONFIG_PATH=$lib/pkgconfig"
export PKG_CONFIG_PATH=$lib/pkgconfig
if flags=$(pkg-config --cflags --libs authpolicy); then
  echo "pkg-config --cflags --libs authpolicy: $flags"
  [ "$(pkg-config --modversion authpolicy)" = "$version" ] || fail "pkg-config --modversion is not $version"
  pc_prefix=$(pkg-config --variable=prefix authpolicy)
  [ "$pc_prefix" -ef "$prefix" ] ||
    fail "authpolicy.pc says prefix=$pc_prefix, but it was installed with --prefix $prefix (the .pc is not relocatable)"
  # shellcheck disable=SC2086  # the flags are meant to be split
  if "$cc" -std=c99 -Wall -Wextra -Werror -pedantic "$src/tests/install/consumer_pkgconfig/consumer.c" \
       -o "$work/consumer-pkgconfig" $flags; then
    LD_LIBRARY_PATH=$lib "$work/consumer-pkgconfig" || fail "pkg-config consumer ran and failed"
  else
    fail "pkg-config consumer does not compile/link with: $flags"
    # Diagnostic only (does not count as a pass): does it work once the prefix is overridden?
    fixed=$(pkg-config --define-variable=prefix="$prefix" --cflags --libs authpolicy)
    # shellcheck disable=SC2086
    if "$cc" -std=c99 "$src/tests/install/consumer_pkgconfig/consumer.c" -o "$work/consumer-pkgconfig-fixed" $fixed &&
       LD_LIBRARY_PATH=$lib "$work/consumer-pkgconfig-fixed" >/dev/null; then
      echo "diagnostic: with --define-variable=prefix=$prefix the pkg-config consumer builds and runs"
    fi
  fi
else
  fail "pkg-config does not find authpolicy in $lib/pkgconfig"
fi
unset PKG_CONFIG_PATH

# ---- exported symbols ------------------------------------------------------------------------
step "exports of $libdir/libauthpolicy.so.$abi"
so=$lib/libauthpolicy.so.$abi
if exports=$(nm -D --defined-only "$so" | awk '{print $NF}' | sed 's/@.*//' | sort -u) && [ -n "$exports" ]; then
  echo "$(grep -c '^authp_' <<<"$exports") authp_* functions exported"
  stray=$(grep -v -e '^authp_' -e '^AUTHP_0$' <<<"$exports" || true)
  [ -z "$stray" ] || fail "symbols other than authp_* exported: $(tr '\n' ' ' <<<"$stray")"
  declared=$(grep -o '\bauthp_[a-z0-9_]*(' "$prefix/include/authpolicy.h" | tr -d '(' | sort -u)
  missing=$(comm -23 <(echo "$declared") <(grep '^authp_' <<<"$exports"))
  [ -z "$missing" ] || fail "declared in authpolicy.h but not exported: $(tr '\n' ' ' <<<"$missing")"
  undeclared=$(comm -13 <(echo "$declared") <(grep '^authp_' <<<"$exports"))
  [ -z "$undeclared" ] || fail "exported but not declared in authpolicy.h: $(tr '\n' ' ' <<<"$undeclared")"
else
  fail "nm -D --defined-only $so failed or listed nothing"
fi
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$soname" = "libauthpolicy.so.$abi" ] || fail "SONAME is '$soname', expected libauthpolicy.so.$abi"
nm -D --undefined-only "$so" | grep -q ' authp_' && fail "the shared library has undefined authp_ symbols"

finish
