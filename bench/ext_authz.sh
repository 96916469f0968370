#!/usr/bin/env bash
# Envoy ext_authz gRPC Check latency against the real `authpolicy serve --grpc`, in one run:
#   floor  grpc.health.v1.Health/Check at 1,000/s (same server and transport, no decision)
#   Check  Authorization/Check with a warm token at 1,000/s (open loop: p50/p99 from schedule)
#   max    closed loop at CONCURRENCY (default "1 8 32") Checks in flight: the sustainable rate
# Usage: bash bench/ext_authz.sh [build/cli/authpolicy] [build/bench/authp_ext_authz_load]
#        (SECONDS_EACH=10 by default; the decision log is off, as in bench/serve/run.sh)
set -euo pipefail
cli=$(readlink -f "${1:-build/cli/authpolicy}")
load=$(readlink -f "${2:-build/bench/authp_ext_authz_load}")
secs=${SECONDS_EACH:-10}
work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/authpolicy.json" <<JSON
{"DATABASE": "authpolicy.sqlite3",
 "DEFAULT_AUTHENTICATION_CLASSES": [{"class": "TokenAuthentication", "keyword": ["Token"]}],
 "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
 "SERVE": {"decision_log": {"target": "off"}}}
JSON
printf 'pw\n' | "$cli" user add --config "$work/authpolicy.json" bench --password-stdin >/dev/null
token=$("$cli" token create --config "$work/authpolicy.json" bench)

"$cli" serve --config "$work/authpolicy.json" --grpc 127.0.0.1:0 --http 127.0.0.1:0 > "$work/ready" 2> "$work/serve.log" &
pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
grpc=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["grpc"])' "$work/ready")

echo "host: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$load" --target "$grpc" --health --rate 1000 --seconds "$secs"
"$load" --target "$grpc" --token "$token" --rate 1000 --seconds "$secs"
for c in ${CONCURRENCY:-1 8 32}; do
  "$load" --target "$grpc" --token "$token" --concurrency "$c" --seconds "$secs"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
