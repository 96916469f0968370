#!/usr/bin/env bash
# Side-by-side throughput and latency over loopback with Debian's wrk, in one run:
#   (a) authpolicy serve directly (/auth with a warm token)
#   (b) nginx auth_request -> authpolicy serve -> a backend (nginx `return 200`)
#   (c) nginx serving that backend alone (what the proxy hop costs, the floor)
# and (a) again paced at about 10,000/s for its p99. Usage:
#   bash bench/serve/run.sh [build/cli/authpolicy]      (DURATION=10 CONNECTIONS=32 by default)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=$(readlink -f "${1:-build/cli/authpolicy}")
duration=${DURATION:-10}
conns=${CONNECTIONS:-32}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cat > "$work/authpolicy.json" <<JSON
{"DATABASE": "authpolicy.sqlite3",
 "DEFAULT_AUTHENTICATION_CLASSES": [{"class": "TokenAuthentication", "keyword": ["Token"]}],
 "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
 "ROUTES": [{"path": "/admin/", "view": "admin"}],
 "VIEWS": {"admin": {"permission_classes": ["IsAdminUser"]}},
 "SERVE": {"decision_log": {"target": "off"}}}
JSON
printf 'pw\n' | "$cli" user add --config "$work/authpolicy.json" bench --password-stdin >/dev/null
token=$("$cli" token create --config "$work/authpolicy.json" bench)

"$cli" serve --config "$work/authpolicy.json" --http 127.0.0.1:0 > "$work/ready" 2> "$work/serve.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
serve=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"])' "$work/ready")

nginx_port=$(free_port)
backend_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
error_log $work/nginx/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/b; proxy_temp_path $work/nginx/p; fastcgi_temp_path $work/nginx/f;
  uwsgi_temp_path $work/nginx/u; scgi_temp_path $work/nginx/s;
  upstream authpolicy { server $serve; keepalive 64; }
  upstream backend { server 127.0.0.1:$backend_port; keepalive 64; }
  server {
    listen 127.0.0.1:$backend_port;
    location / { return 200 "ok\n"; }
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      auth_request /_authp;
      auth_request_set \$authp_user \$upstream_http_x_auth_user;
      proxy_set_header X-Auth-User \$authp_user;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://backend;
    }
    location = /_authp {
      internal;
      proxy_pass http://authpolicy/auth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI \$request_uri;
      proxy_set_header X-Original-Method \$request_method;
    }
  }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 0.5

summary() {  # wrk --latency output -> "req/s p50 p99"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "%10s req/s  p50 %8s  p99 %8s\n", rps, p50, p99}'
}
auth=(-H "Authorization: Token $token" -H "X-Forwarded-Uri: /things")
echo "wrk -t1 -c$conns -d${duration}s --latency, $(nproc) cores, $(date -u +%FT%TZ)"
printf '(a) serve /auth directly          '
wrk -t1 -c"$conns" -d"${duration}s" --latency "${auth[@]}" "http://$serve/auth" | summary
printf '(b) nginx -> serve -> backend      '
wrk -t1 -c"$conns" -d"${duration}s" --latency -H "Authorization: Token $token" "http://127.0.0.1:$nginx_port/things" | summary
printf '(c) nginx backend alone            '
wrk -t1 -c"$conns" -d"${duration}s" --latency "http://127.0.0.1:$backend_port/things" | summary
printf '(a) paced ~10,000/s (-c20, 1ms)   '
wrk -t1 -c20 -d"${duration}s" --latency -s "$here/paced.lua" "${auth[@]}" "http://$serve/auth" | summary
# Every answer above was a decision: the server's own counters.
curl -s "http://$serve/metrics" | grep -E '^authp_(decisions_total|shed_total)' | grep -v ' 0$' || true
