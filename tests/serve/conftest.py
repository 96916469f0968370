"""Shared harness for the `authpolicy serve` tests: real processes on loopback, always stopped.

- `Serve`: the real binary (AUTHPOLICY_CLI) with `serve --http 127.0.0.1:0`; its one ready line on
  stdout gives the bound addresses.
- `Nginx` / `Caddy`: Debian's nginx (auth_request) and caddy (forward_auth) with generated configs.
- `Backend`: a small HTTP/1.1 server that echoes what reached it (the X-Auth-* headers).
- `world`: a configuration, SQLite directory, users, a token, a JWT secret and a session.
"""
import base64
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

CLI = os.environ.get("AUTHPOLICY_CLI", "build/cli/authpolicy")
JWT_SECRET = "a-shared-hmac-secret-of-32-bytes!!"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def run_cli(*args, stdin=None, check=True):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise RuntimeError(f"authpolicy {' '.join(args[:2])}: {p.stderr}")
    return p


def decide(config, request):
    """The engine's decision for one request, through `authpolicy decide` (the reference)."""
    p = run_cli("decide", "--config", config, stdin=json.dumps(request), check=False)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)


class Serve:
    def __init__(self, config, *extra, env=None):
        self.config = config
        self.log_path = config + f".serve-{time.monotonic_ns()}.stderr"
        self.stderr = open(self.log_path, "w")
        self.proc = subprocess.Popen([CLI, "serve", "--config", config, "--http", "127.0.0.1:0", *extra],
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError("authpolicy serve did not become ready: " + open(self.log_path).read())
        self.ready_line = line
        self.addresses = json.loads(line)
        self.host, port = self.addresses["http"].rsplit(":", 1)
        self.port = int(port)

    def request(self, method="GET", path="/auth", headers=None, body=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        if conn is None:
            c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def auth(self, uri, headers=None, method="GET", conn=None):
        h = {"X-Forwarded-Uri": uri, "X-Forwarded-Method": method, "X-Forwarded-Host": "api.example"}
        h.update(headers or {})
        return self.request("GET", "/auth", h, conn=conn)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stderr_text(self):
        self.stderr.flush()
        return open(self.log_path).read()

    def stop(self, timeout=15):
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = None
        self.stderr.close()
        return rc


@pytest.fixture
def serve_factory():
    started = []

    def start(config, *extra, **kw):
        s = Serve(config, *extra, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = json.dumps({
            "path": self.path,
            "x-auth-user": self.headers.get("X-Auth-User"),
            "x-auth-user-id": self.headers.get("X-Auth-User-Id"),
            "x-auth-authenticator": self.headers.get("X-Auth-Authenticator"),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_DELETE = do_GET

    def log_message(self, *args):
        pass


class Backend:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def backend():
    b = Backend()
    yield b
    b.stop()


def nginx_auth_location(name, serve_port):
    """The internal auth location of the nginx recipe in docs/serve.md."""
    return f"""
    location = /{name} {{
      internal;
      proxy_pass http://127.0.0.1:{serve_port}/auth;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}"""


def nginx_protected_location(prefix, auth_name, backend_port):
    return f"""
    location {prefix} {{
      auth_request /{auth_name};
      auth_request_set $authp_user $upstream_http_x_auth_user;
      auth_request_set $authp_user_id $upstream_http_x_auth_user_id;
      auth_request_set $authp_authenticator $upstream_http_x_auth_authenticator;
      auth_request_set $authp_status $upstream_status;
      auth_request_set $authp_retry_after $upstream_http_retry_after;
      # auth_request passes only 2xx/401/403; anything else arrives as 500: give back the real one.
      error_page 500 = @authp_status;
      proxy_set_header X-Auth-User $authp_user;
      proxy_set_header X-Auth-User-Id $authp_user_id;
      proxy_set_header X-Auth-Authenticator $authp_authenticator;
      proxy_pass http://127.0.0.1:{backend_port};
    }}"""


NGINX_STATUS_LOCATION = """
    location @authp_status {
      internal;
      default_type application/json;
      add_header Retry-After $authp_retry_after always;
      if ($authp_status = 429) { return 429 '{"detail":"Request was throttled."}'; }
      if ($authp_status = 503) { return 503 '{"detail":"The authentication service is unavailable."}'; }
      return 500 '{"detail":"Internal error."}';
    }"""


class Nginx:
    def __init__(self, workdir, server_body):
        if shutil.which("nginx") is None:
            pytest.skip("nginx is not installed (scripts/install-deps.sh installs nginx-light)")
        self.prefix = os.path.join(workdir, f"nginx-{time.monotonic_ns()}")
        os.makedirs(self.prefix)
        self.port = free_port()
        conf = f"""
worker_processes 1;
error_log {self.prefix}/error.log warn;
pid {self.prefix}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {self.prefix}/body; proxy_temp_path {self.prefix}/proxy;
  fastcgi_temp_path {self.prefix}/fastcgi; uwsgi_temp_path {self.prefix}/uwsgi; scgi_temp_path {self.prefix}/scgi;
  server {{
    listen 127.0.0.1:{self.port};
{server_body}
  }}
}}
"""
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(["nginx", "-p", self.prefix, "-c", self.conf, "-g", "daemon off;"],
                                     stderr=subprocess.PIPE, text=True)
        try:
            wait_port(self.port)
        except RuntimeError:
            self.stop()
            raise RuntimeError("nginx did not start: " + self.proc.stderr.read())

    def get(self, path, headers=None, method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Caddy:
    def __init__(self, workdir, serve_port, backend_port):
        if shutil.which("caddy") is None:
            pytest.skip("caddy is not installed (scripts/install-deps.sh installs it)")
        self.dir = os.path.join(workdir, f"caddy-{time.monotonic_ns()}")
        os.makedirs(self.dir)
        self.port = free_port()
        conf = f"""{{
  admin off
  auto_https off
  storage file_system {self.dir}/data
}}
http://127.0.0.1:{self.port} {{
  bind 127.0.0.1
  route {{
    request_header -X-Auth-*
    forward_auth 127.0.0.1:{serve_port} {{
      uri /auth
      copy_headers X-Auth-User X-Auth-User-Id X-Auth-Authenticator
    }}
    reverse_proxy 127.0.0.1:{backend_port}
  }}
}}
"""
        self.conf = os.path.join(self.dir, "Caddyfile")
        with open(self.conf, "w") as f:
            f.write(conf)
        env = dict(os.environ, HOME=self.dir, XDG_DATA_HOME=self.dir, XDG_CONFIG_HOME=self.dir)
        self.log = open(os.path.join(self.dir, "caddy.log"), "w")
        self.proc = subprocess.Popen(["caddy", "run", "--config", self.conf, "--adapter", "caddyfile"],
                                     stdout=self.log, stderr=self.log, env=env)
        try:
            wait_port(self.port)
        except RuntimeError:
            self.stop()
            raise RuntimeError("caddy did not start: " + open(os.path.join(self.dir, "caddy.log")).read())

    get = Nginx.get

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def base_config(database="authpolicy.sqlite3", **overrides):
    c = {
        "DATABASE": database,
        "PASSWORD_ITERATIONS": 1000,
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "BasicAuthentication",
            {"class": "TokenAuthentication", "keyword": ["Token"]},
            {"class": "JWTAuthentication", "secret": JWT_SECRET, "algorithms": ["HS256"]},
            "SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min"},
        "VIEWS": {
            "public": {"permission_classes": ["AllowAny"]},
            "admin": {"permission_classes": ["IsAdminUser"]},
            "throttled": {"permission_classes": ["AllowAny"], "throttle_classes": ["AnonRateThrottle"]},
        },
        "ROUTES": [
            {"path": "/public/", "view": "public"},
            {"path": "/admin/", "view": "admin"},
            {"path": "/throttled", "match": "exact", "view": "throttled"},
        ],
        "SERVE": {"decision_log": {"target": "decisions.log"}},
    }
    c.update(overrides)
    return c


def write_config(directory, config, name="authpolicy.json"):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def hs256_jwt(claims):
    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    import hashlib
    import hmac

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(JWT_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


class World:
    def __init__(self, directory):
        self.dir = directory
        self.config = write_config(directory, base_config())
        run_cli("user", "add", "--config", self.config, "alice", "--password-stdin", stdin="wonderland\n")
        run_cli("user", "add", "--config", self.config, "root", "--staff", "--password-stdin", stdin="toor\n")
        self.token = run_cli("token", "create", "--config", self.config, "alice").stdout.strip()
        out = run_cli("session", "create", "--config", self.config, "alice").stdout.splitlines()
        self.session = out[0].split("=", 1)[1].split(";", 1)[0]
        self.jwt = hs256_jwt({"sub": "alice", "exp": int(time.time()) + 3600})
        self.basic_alice = "Basic " + base64.b64encode(b"alice:wonderland").decode()
        self.basic_root = "Basic " + base64.b64encode(b"root:toor").decode()
        self.basic_bad = "Basic " + base64.b64encode(b"alice:wrong").decode()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(str(tmp_path_factory.mktemp("serve")))
