#!/usr/bin/env bash
# Fails when a C or C++ source differs from clang-format's output (config: .clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.c' '*.cc' '*.cpp' | grep -v '^bindings/node/node_modules/')
bad=0
for f in "${files[@]}"; do
  if ! diff -q <(clang-format --style=file "$f") "$f" >/dev/null; then
    echo "not clang-formatted: $f"
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "clang-format: ${#files[@]} files clean"
exit $bad
