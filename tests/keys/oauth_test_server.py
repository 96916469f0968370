#!/usr/bin/python3
"""A real HTTPS authorization-server stand-in for the remote-keys tests (no mock of libcurl).

Started by the tests on 127.0.0.1:0; it makes its own CA and certificate with `openssl` in the
state directory, prints one JSON line {"port": N, "ca": "<path>"} and serves until killed:

  /.well-known/openid-configuration, /<path>/.well-known/openid-configuration   (OIDC Discovery)
  /.well-known/oauth-authorization-server[/<path>]                               (RFC 8414)
  /jwks.json                                                                     (the key set)
  /introspect                                                                    (RFC 7662, POST)
  /_stats                                                                        (request counts)

Behaviour is switched by <state>/control.json, re-read on every request (tests replace it
atomically): jwks, jwks_mode (ok|500|slow|truncated|huge|nonjson|html|redirect_other|
redirect_same), slow_seconds, cache_control, etag, oidc, rfc8414, wrong_issuer, tokens,
introspect_mode (ok|500|slow|nonjson|truncated|huge|duplicate|html), client_id, client_secret.
"""
import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[sys.argv.index("--state") + 1]
TLS = "--plain" not in sys.argv
LOCK = threading.Lock()
STATS = {}


def count(key):
    with LOCK:
        STATS[key] = STATS.get(key, 0) + 1


def control():
    try:
        with open(os.path.join(STATE, "control.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def make_certificates():
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=STATE, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=authpolicy test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
        "/CN=127.0.0.1")
    with open(os.path.join(STATE, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "server.pem", "-days", "2", "-extfile", "san.ext")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def base(self):
        return ("https" if TLS else "http") + "://127.0.0.1:%d" % self.server.server_port

    def send(self, status, body=b"", ctype="application/json", headers=()):
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def metadata(self, c, issuer):
        count("discovery")
        doc = {"issuer": issuer + ("/wrong" if c.get("wrong_issuer") else ""),
               "jwks_uri": self.base() + "/jwks.json",
               "introspection_endpoint": self.base() + "/introspect"}
        self.send(200, json.dumps(doc).encode())

    def do_GET(self):
        c = control()
        path = urllib.parse.urlsplit(self.path).path
        count("GET " + path)
        oidc = "/.well-known/openid-configuration"
        rfc = "/.well-known/oauth-authorization-server"
        if path == "/_stats":
            with LOCK:
                return self.send(200, json.dumps(STATS).encode())
        if path.endswith(oidc) and c.get("oidc", True):
            return self.metadata(c, self.base() + path[: -len(oidc)])
        if path.startswith(rfc) and c.get("rfc8414", True):
            return self.metadata(c, self.base() + path[len(rfc):])
        if path == "/jwks.json":
            return self.jwks(c)
        self.send(404, b'{"error": "not found"}')

    def jwks(self, c):
        count("jwks")
        mode = c.get("jwks_mode", "ok")
        body = json.dumps(c.get("jwks", {"keys": []})).encode()
        headers = []
        if c.get("cache_control"):
            headers.append(("Cache-Control", c["cache_control"]))
        if mode == "slow":
            time.sleep(float(c.get("slow_seconds", 2)))
        if mode == "500":
            return self.send(500, b'{"error": "server_error"}', headers=headers)
        if mode == "truncated":
            return self.send(200, body[: len(body) // 2], headers=headers)
        if mode == "huge":
            return self.send(200, b'{"keys": [' + b'{"kty":"RSA"},' * 200000 + b'{}]}', headers=headers)
        if mode == "nonjson":
            return self.send(200, b"<html>maintenance</html>", headers=headers)
        if mode == "html":
            return self.send(200, body, ctype="text/html", headers=headers)
        if mode == "redirect_other":
            loc = "https://localhost:%d/jwks.json" % self.server.server_port
            return self.send(302, b"", headers=[("Location", loc)])
        if mode == "redirect_same" and "again" not in self.path:
            return self.send(302, b"", headers=[("Location", "/jwks.json?again=1")])
        if c.get("etag"):
            tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers.append(("ETag", tag))
            if self.headers.get("If-None-Match") == tag:
                count("304")
                return self.send(304, b"", ctype=None, headers=headers)
        self.send(200, body, ctype="application/jwk-set+json", headers=headers)

    def do_POST(self):
        c = control()
        path = urllib.parse.urlsplit(self.path).path
        count("POST " + path)
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if path != "/introspect":
            return self.send(404, b"{}")
        mode = c.get("introspect_mode", "ok")
        if mode == "slow":
            time.sleep(float(c.get("slow_seconds", 2)))
        if mode == "500":
            return self.send(500, b'{"error": "server_error"}')
        if mode == "nonjson":
            return self.send(200, b"<html>maintenance</html>")
        if mode == "truncated":
            return self.send(200, b'{"active": true, "username": "al')
        if mode == "huge":
            return self.send(200, b'{"active": true, "pad": "' + b"x" * (3 << 20) + b'"}')
        if mode == "duplicate":  # last-key-wins parsers would admit it (finding 22.11)
            return self.send(200, b'{"active": false, "active": true, "username": "alice"}')
        if mode == "html":
            return self.send(200, b'{"active": true, "username": "alice"}', ctype="text/html")
        client = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            client = (urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password))
            count("auth basic")
        elif "client_id" in form:
            client = (form["client_id"][0], form.get("client_secret", [""])[0])
            count("auth post")
        if client != (c.get("client_id"), c.get("client_secret")):
            return self.send(401, b'{"error": "invalid_client"}', headers=[("WWW-Authenticate", "Basic")])
        if "token_type_hint" in form:
            count("hint " + form["token_type_hint"][0])
        token = form.get("token", [""])[0]
        answer = c.get("tokens", {}).get(token, {"active": False})
        self.send(200, json.dumps(answer).encode())


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that hangs up on a huge answer is what the tests want


def main():
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ca = ""
    if TLS:
        make_certificates()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(STATE, "server.pem"), os.path.join(STATE, "server.key"))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        ca = os.path.join(STATE, "ca.pem")
    print(json.dumps({"port": server.server_port, "ca": ca}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
