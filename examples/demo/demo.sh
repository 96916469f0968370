#!/usr/bin/env bash
# The demo: users and tokens in the embedded SQLite database, then real decisions.
# Usage: demo.sh PATH/TO/authpolicy
set -euo pipefail
cli=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/authpolicy.json" "$work/"
conf="$work/authpolicy.json"

echo "# libauthpolicy $("$cli" --version) — demo database: $work/demo.sqlite3"
echo "# creating users (PBKDF2-SHA256, 1,000,000 iterations each) and tokens"
printf 'wonderland\n' | "$cli" user add --config "$conf" alice --password-stdin
printf 'looking-glass\n' | "$cli" user add --config "$conf" bob --staff --password-stdin
printf 'cheshire\n' | "$cli" user add --config "$conf" carol --password-stdin
alice_token=$("$cli" token create --config "$conf" alice --name laptop)
carol_token=$("$cli" token create --config "$conf" carol --name phone)
"$cli" user deactivate --config "$conf" carol
echo "# alice's token: ${alice_token:0:6}… (only its SHA-256 digest is stored)"
echo

b64() { printf '%s' "$1" | base64 -w0; }
decide() {  # decide TITLE VIEW AUTHORIZATION
  local title=$1 view=$2 auth=$3 request
  if [ -n "$auth" ]; then
    request=$(printf '{"method": "GET", "path": "/items", "view": "%s", "headers": {"Authorization": "%s"}}' "$view" "$auth")
  else
    request=$(printf '{"method": "GET", "path": "/items", "view": "%s"}' "$view")
  fi
  echo "## $title"
  "$cli" decide --config "$conf" <<<"$request" || true
}

decide "valid Basic (alice)" "" "Basic $(b64 alice:wonderland)"
decide "valid Token (alice)" "" "Token $alice_token"
decide "valid Bearer keyword (alice)" "" "Bearer $alice_token"
decide "wrong password" "" "Basic $(b64 alice:queen-of-hearts)"
decide "bad token" "" "Token 0000000000000000000000000000000000000000"
decide "no credentials" "" ""
decide "no credentials on a public view" "public" ""
decide "inactive user via Basic (carol)" "" "Basic $(b64 carol:cheshire)"
decide "inactive user via Token (carol)" "" "Token $carol_token"
decide "staff-only view, non-staff (alice)" "admin" "Token $alice_token"
decide "staff-only view, staff (bob)" "admin" "Basic $(b64 bob:looking-glass)"
"$cli" token revoke --config "$conf" --key-stdin <<<"$alice_token"
decide "revoked token (alice)" "" "Token $alice_token"
