"""Envoy ext_authz against the real `authpolicy serve --grpc --http` (issue 18).

A real gRPC client (Debian's python3-grpcio; stubs generated from server/grpc/proto at test time
with python3-grpc-tools into a temporary directory) for Check and grpc.health.v1; a hand decoder of
the protobuf wire format that reads CheckResponse bytes by the field numbers documented in
docs/envoy.md ("ext_authz wire format"), independent of the generated code; Envoy's HTTP mode with
a plain HTTP client; garbage HTTP/2 bytes and a flood on raw sockets.
Run: AUTHPOLICY_CLI=build/cli/authpolicy /usr/bin/python3 -m pytest -q tests/ext_authz
"""
import base64
import concurrent.futures
import http.client
import importlib
import json
import os
import pathlib
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

import grpc
import pytest

CLI = os.environ["AUTHPOLICY_CLI"]
PROTO_DIR = pathlib.Path(__file__).resolve().parents[2] / "server" / "grpc" / "proto"

CONFIG = {
    "DATABASE": "authpolicy.sqlite3",
    "PASSWORD_ITERATIONS": 1000,
    "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
    "VIEWS": {
        "admin": {"permission_classes": ["IsAdminUser"]},
        "public": {"permission_classes": ["AllowAny"]},
        "limited": {
            "permission_classes": ["AllowAny"],
            "throttle_classes": [{"class": "AnonRateThrottle", "rate": "2/min"}],
        },
    },
    "ROUTES": [
        {"path": "/admin/", "match": "prefix", "view": "admin"},
        {"path": "/public/", "match": "prefix", "view": "public"},
        {"path": "/limited/", "match": "prefix", "view": "limited"},
    ],
    "SERVE": {"ext_authz_path_prefix": "/ext_authz"},
}

# google.rpc.Code
OK, INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE, UNAUTHENTICATED = 0, 3, 7, 8, 14, 16
NOT_PROVIDED = '{"detail":"Authentication credentials were not provided."}'


# --- stubs generated from our proto, at test time --------------------------------------------
@pytest.fixture(scope="session")
def pb(tmp_path_factory):
    """The generated modules. grpc/health/v1/health.proto is compiled from another directory so
    that its Python package does not shadow the `grpc` module (the proto package is unchanged)."""
    src = tmp_path_factory.mktemp("proto")
    out = tmp_path_factory.mktemp("stubs")
    shutil.copytree(PROTO_DIR, src, dirs_exist_ok=True)
    (src / "authp_health").mkdir()
    shutil.move(str(src / "grpc" / "health" / "v1" / "health.proto"), src / "authp_health" / "health.proto")
    shutil.rmtree(src / "grpc")
    from grpc_tools import protoc

    protos = [str(p.relative_to(src)) for p in src.rglob("*.proto")]
    include = "/usr/include"  # google/protobuf/*.proto from libprotobuf-dev
    rc = protoc.main(["protoc", f"-I{src}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}"] + protos)
    assert rc == 0
    sys.path.insert(0, str(out))
    mods = {
        "ext": importlib.import_module("envoy.service.auth.v3.external_auth_pb2"),
        "ext_grpc": importlib.import_module("envoy.service.auth.v3.external_auth_pb2_grpc"),
        "health": importlib.import_module("authp_health.health_pb2"),
        "health_grpc": importlib.import_module("authp_health.health_pb2_grpc"),
    }
    return type("PB", (), mods)


# --- the server under test ------------------------------------------------------------------
def cli(*args, stdin="", cwd=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return p.stdout


class Serve:
    def __init__(self, tmp_path):
        self.dir = tmp_path
        self.config = str(tmp_path / "authpolicy.json")
        with open(self.config, "w") as f:
            json.dump(CONFIG, f)
        cli("user", "add", "--config", self.config, "alice", "--password-stdin", stdin="wonderland\n")
        cli("user", "add", "--config", self.config, "bob", "--staff", "--password-stdin", stdin="glass\n")
        self.token = cli("token", "create", "--config", self.config, "alice").strip()
        self.proc = subprocess.Popen(
            [CLI, "serve", "--config", self.config, "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=open(tmp_path / "serve.stderr", "w"),
            text=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        assert ready, "authpolicy serve printed no ready line within 30 s"
        line = self.proc.stdout.readline()
        self.ready = json.loads(line)
        assert set(self.ready) >= {"grpc", "http"}, line
        self.grpc_addr = self.ready["grpc"]
        self.http_addr = self.ready["http"]
        self.channel = grpc.insecure_channel(self.grpc_addr)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.channel.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stderr(self):
        return (self.dir / "serve.stderr").read_text()


@pytest.fixture
def serve(tmp_path):
    s = Serve(tmp_path)
    try:
        yield s
    finally:
        s.stop()


def check_request(pb, method="GET", path="/api/items", headers=None, ip="203.0.113.7", scheme="https"):
    r = pb.ext.CheckRequest()
    sock = r.attributes.source.address.socket_address
    sock.address = ip
    sock.port_value = 40000
    h = r.attributes.request.http
    h.method, h.path, h.host, h.scheme, h.protocol = method, path, "api.example", scheme, "HTTP/1.1"
    h.headers[":authority"] = "api.example"
    h.headers[":method"] = method
    h.headers[":path"] = path
    for k, v in (headers or {}).items():
        h.headers[k] = v
    return r


def check(serve, pb, req):
    stub = pb.ext_grpc.AuthorizationStub(serve.channel)
    return stub.Check(req, timeout=10)


def option_headers(options):
    return {o.header.key: o.header.value for o in options}


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- Check ------------------------------------------------------------------------------------
def test_check_allowed_with_token_sets_identity_headers(serve, pb):
    resp = check(serve, pb, check_request(pb, headers={"authorization": "Token " + serve.token}))
    assert resp.status.code == OK
    assert resp.WhichOneof("http_response") == "ok_response"
    headers = option_headers(resp.ok_response.headers)
    assert headers["x-auth-user"] == "alice"
    assert headers["x-auth-user-id"].isdigit()
    assert headers["x-auth-authenticator"] == "TokenAuthentication"
    # append=false: the value replaces any client-sent x-auth-* header
    assert all(o.HasField("append") and not o.append.value for o in resp.ok_response.headers)


def test_check_allowed_with_basic(serve, pb):
    resp = check(serve, pb, check_request(pb, headers={"authorization": basic("bob", "glass")}))
    assert resp.status.code == OK
    assert option_headers(resp.ok_response.headers)["x-auth-user"] == "bob"


def test_check_anonymous_allow_removes_client_sent_identity_headers(serve, pb):
    # AllowAny without credentials: OK, and the identity headers a client may have sent are
    # removed (Envoy drops an empty header value, so setting them empty would keep the client's).
    resp = check(serve, pb, check_request(pb, path="/public/x", headers={"x-auth-user": "root"}))
    assert resp.status.code == OK
    assert set(resp.ok_response.headers_to_remove) == {"x-auth-user", "x-auth-user-id", "x-auth-authenticator"}
    assert "x-auth-user" not in option_headers(resp.ok_response.headers)


def test_check_unauthenticated_is_401_with_challenge_and_drf_body(serve, pb):
    resp = check(serve, pb, check_request(pb))
    assert resp.status.code == UNAUTHENTICATED
    assert resp.WhichOneof("http_response") == "denied_response"
    assert resp.denied_response.status.code == 401
    headers = option_headers(resp.denied_response.headers)
    assert headers["www-authenticate"] == 'Basic realm="api"'
    assert json.loads(resp.denied_response.body) == json.loads(NOT_PROVIDED)


def test_check_bad_credentials_is_401_invalid(serve, pb):
    resp = check(serve, pb, check_request(pb, headers={"authorization": basic("alice", "wrong")}))
    assert resp.status.code == UNAUTHENTICATED
    assert json.loads(resp.denied_response.body) == {"detail": "Invalid username/password."}


def test_check_forbidden_is_403_permission_denied(serve, pb):
    resp = check(serve, pb, check_request(pb, path="/admin/users", headers={"authorization": "Token " + serve.token}))
    assert resp.status.code == PERMISSION_DENIED
    assert resp.denied_response.status.code == 403
    assert json.loads(resp.denied_response.body) == {"detail": "You do not have permission to perform this action."}
    # the staff user passes the same route
    resp = check(serve, pb, check_request(pb, path="/admin/users", headers={"authorization": basic("bob", "glass")}))
    assert resp.status.code == OK


def test_check_throttled_is_429_resource_exhausted_by_source_address(serve, pb):
    for _ in range(2):
        assert check(serve, pb, check_request(pb, path="/limited/x")).status.code == OK
    resp = check(serve, pb, check_request(pb, path="/limited/x"))
    assert resp.status.code == RESOURCE_EXHAUSTED
    assert resp.denied_response.status.code == 429
    assert int(option_headers(resp.denied_response.headers)["retry-after"]) > 0
    assert json.loads(resp.denied_response.body)["detail"].startswith("Request was throttled.")
    # another client address (AttributeContext.source) has its own allowance
    assert check(serve, pb, check_request(pb, path="/limited/x", ip="203.0.113.99")).status.code == OK


def test_check_query_string_is_not_part_of_the_route(serve, pb):
    resp = check(serve, pb, check_request(pb, path="/admin/users?x=/api/", headers={"authorization": "Token " + serve.token}))
    assert resp.status.code == PERMISSION_DENIED


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.Clear(),  # no attributes at all
        lambda r: r.attributes.request.ClearField("http"),
        lambda r: setattr(r.attributes.request.http, "method", "GE T"),
        lambda r: setattr(r.attributes.request.http, "path", "no-slash"),
        lambda r: r.attributes.request.http.headers.__setitem__("x-a", "1\r\nx-injected: 2"),
        lambda r: setattr(r.attributes.source.address.socket_address, "address", "not-an-ip"),
    ],
    ids=["empty", "no-http", "bad-method", "bad-path", "crlf-header", "bad-source"],
)
def test_check_malformed_is_invalid_argument_never_ok(serve, pb, mutate):
    req = check_request(pb, headers={"authorization": "Token " + serve.token})
    mutate(req)
    resp = check(serve, pb, req)
    assert resp.status.code == INVALID_ARGUMENT
    assert resp.denied_response.status.code == 400
    assert json.loads(resp.denied_response.body) == {"detail": "Malformed request."}


def test_oversized_message_is_refused_by_grpc_not_allowed(serve, pb):
    req = check_request(pb, headers={"authorization": "Token " + serve.token, "x-big": "a" * (2 << 20)})
    with pytest.raises(grpc.RpcError) as e:
        check(serve, pb, req)
    assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert serve.alive()


# --- health -----------------------------------------------------------------------------------
def test_health_check_and_watch(serve, pb):
    stub = pb.health_grpc.HealthStub(serve.channel)
    SERVING = pb.health.HealthCheckResponse.SERVING
    assert stub.Check(pb.health.HealthCheckRequest(service=""), timeout=10).status == SERVING
    assert stub.Check(pb.health.HealthCheckRequest(service="envoy.service.auth.v3.Authorization"), timeout=10).status == SERVING
    with pytest.raises(grpc.RpcError) as e:
        stub.Check(pb.health.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    stream = stub.Watch(pb.health.HealthCheckRequest(service=""), timeout=10)
    assert next(stream).status == SERVING
    stream.cancel()


def test_sigterm_drains_health_watch_goes_not_serving_and_exit_is_0(serve, pb):
    stub = pb.health_grpc.HealthStub(serve.channel)
    stream = stub.Watch(pb.health.HealthCheckRequest(service=""), timeout=20)
    assert next(stream).status == pb.health.HealthCheckResponse.SERVING
    serve.proc.send_signal(signal.SIGTERM)
    seen = []
    with pytest.raises(grpc.RpcError) as e:
        for msg in stream:
            seen.append(msg.status)
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    assert seen == [pb.health.HealthCheckResponse.NOT_SERVING]
    assert serve.proc.wait(15) == 0


# --- the wire format, decoded by hand -----------------------------------------------------------
def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def fields(buf):
    """[(field number, value)] of one message: ints for varints, bytes for length-delimited."""
    out, i = [], 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 2:
            n, i = varint(buf, i)
            value, i = bytes(buf[i : i + n]), i + n
        else:
            raise AssertionError(f"unexpected wire type {wire} for field {number}")
        out.append((number, value))
    return out


def field(buf, number):
    values = [v for n, v in fields(buf) if n == number]
    assert len(values) <= 1, number
    return values[0] if values else None


def enc_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def enc(number, value):
    if isinstance(value, int):
        return enc_varint(number << 3) + enc_varint(value)
    if isinstance(value, str):
        value = value.encode()
    return enc_varint(number << 3 | 2) + enc_varint(len(value)) + value


def hand_check_request(path, headers, ip):
    """CheckRequest{attributes(1){source(1){address(1){socket_address(1){address(2)}}},
    request(4){http(2){method(2) headers(3) path(4) host(5) scheme(6)}}}} by field number."""
    http_ = enc(2, "GET") + enc(4, path) + enc(5, "api.example") + enc(6, "https")
    for k, v in headers.items():
        http_ += enc(3, enc(1, k) + enc(2, v))  # map entry: key 1, value 2
    source = enc(1, enc(1, enc(2, ip) + enc(3, 40000)))
    return enc(1, enc(1, source) + enc(4, enc(2, http_)))


def raw_check(serve, payload):
    call = serve.channel.unary_unary("/envoy.service.auth.v3.Authorization/Check")  # bytes in, bytes out
    return call(payload, timeout=10)


def headers_of(option_list):
    """HeaderValueOption{header(1){key(1) value(2)} append(2){value(1)}} -> {key: (value, append)}"""
    out = {}
    for option in option_list:
        header = field(option, 1)
        append = field(option, 2)
        out[field(header, 1).decode()] = (
            (field(header, 2) or b"").decode(),
            None if append is None else bool(field(append, 1) or 0),
        )
    return out


def test_wire_format_allowed_by_field_numbers(serve):
    raw = raw_check(serve, hand_check_request("/api/x", {"authorization": "Token " + serve.token}, "198.51.100.4"))
    status = field(raw, 1)  # CheckResponse.status = 1 (google.rpc.Status)
    assert (field(status, 1) or 0) == OK  # Status.code = 1
    assert field(raw, 2) is None  # denied_response = 2 absent
    ok = field(raw, 3)  # ok_response = 3
    headers = headers_of([v for n, v in fields(ok) if n == 2])  # OkHttpResponse.headers = 2
    assert headers["x-auth-user"] == ("alice", False)  # append = 2 (BoolValue) present and false
    assert headers["x-auth-authenticator"] == ("TokenAuthentication", False)
    assert headers["x-auth-user-id"][0].isdigit()


def test_wire_format_denied_by_field_numbers(serve):
    raw = raw_check(serve, hand_check_request("/api/x", {}, "198.51.100.4"))
    assert field(field(raw, 1), 1) == UNAUTHENTICATED
    assert field(raw, 3) is None
    denied = field(raw, 2)  # denied_response = 2
    assert field(field(denied, 1), 1) == 401  # DeniedHttpResponse.status = 1, HttpStatus.code = 1
    headers = headers_of([v for n, v in fields(denied) if n == 2])  # headers = 2
    assert headers["www-authenticate"][0] == 'Basic realm="api"'
    assert json.loads(field(denied, 3)) == json.loads(NOT_PROVIDED)  # body = 3


def test_wire_format_unknown_fields_are_skipped(serve):
    # A newer Envoy may send fields we do not define (here 99 in HttpRequest, 50 in AttributeContext).
    payload = hand_check_request("/api/x", {"authorization": "Token " + serve.token}, "198.51.100.4")
    http_ = enc(2, "GET") + enc(4, "/api/x") + enc(99, "future") + enc(3, enc(1, "authorization") + enc(2, "Token " + serve.token))
    payload = enc(1, enc(4, enc(2, http_)) + enc(50, 7))
    raw = raw_check(serve, payload)
    assert (field(field(raw, 1), 1) or 0) == OK


# --- Envoy's HTTP mode --------------------------------------------------------------------------
def http_get(serve, path, headers):
    host, port = serve.http_addr.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_http_mode_allowed(serve):
    status, headers, _ = http_get(serve, "/ext_authz/api/items?q=1", {"Authorization": "Token " + serve.token})
    assert status == 200
    assert headers["x-auth-user"] == "alice"
    assert headers["x-auth-authenticator"] == "TokenAuthentication"


def test_http_mode_anonymous_allow_names_the_empty_identity_headers_for_removal(serve):
    # Envoy drops an empty upstream header instead of replacing the client's copy: the answer
    # must ask Envoy to remove the identity headers it leaves empty.
    status, headers, _ = http_get(serve, "/ext_authz/public/x", {"X-Auth-User": "root"})
    assert status == 200
    removed = {h.strip() for h in headers["x-envoy-auth-headers-to-remove"].split(",")}
    assert removed == {"x-auth-user", "x-auth-user-id", "x-auth-authenticator"}


def test_http_mode_denials_match_the_grpc_mode(serve, pb):
    status, headers, body = http_get(serve, "/ext_authz/api/items", {})
    assert status == 401
    assert headers["www-authenticate"] == 'Basic realm="api"'
    assert json.loads(body) == json.loads(NOT_PROVIDED)
    status, _, body = http_get(serve, "/ext_authz/admin/x", {"Authorization": "Token " + serve.token})
    assert status == 403
    grpc_resp = check(serve, pb, check_request(pb, path="/admin/x", headers={"authorization": "Token " + serve.token}))
    assert json.loads(body) == json.loads(grpc_resp.denied_response.body)


# --- abuse ------------------------------------------------------------------------------------
def raw_connect(serve):
    host, port = serve.grpc_addr.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=5)


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(type_, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([type_, flags]) + stream.to_bytes(4, "big") + payload


def test_garbage_http2_frames_do_not_take_the_server_down(serve, pb):
    garbage = [
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # HTTP/1 on an HTTP/2-only port
        os.urandom(4096),
        PREFACE + os.urandom(2048),
        PREFACE + frame(4, 0, 0, b"") + frame(1, 5, 1, b"\xff\xff\xff\xff\xff\xff"),  # HEADERS: bad HPACK
        PREFACE + frame(4, 0, 0, b"") + frame(0, 1, 1, b"\x00\x00\x00\x10\x00"),  # DATA on an idle stream
        PREFACE + frame(4, 0, 0, b"\x00") + frame(9, 0, 3, b"x"),  # bad SETTINGS, stray CONTINUATION
        PREFACE + frame(4, 0, 0, b"") + frame(0xFF, 0, 0, b"x" * 100) + frame(7, 0, 0, b"\0" * 8),  # unknown, GOAWAY
        PREFACE + b"\xff\xff\xff\x00\x00\x00\x00\x00\x00",  # a 16 MiB frame length
    ]
    for g in garbage:
        s = raw_connect(serve)
        try:
            s.sendall(g)
            s.settimeout(5)
            try:
                while s.recv(65536):
                    pass  # the server answers (GOAWAY) and closes
            except (socket.timeout, ConnectionResetError):
                pass
        finally:
            s.close()
    assert serve.alive()
    resp = check(serve, pb, check_request(pb, headers={"authorization": "Token " + serve.token}))
    assert resp.status.code == OK


def test_a_flood_is_answered_or_shed_never_allowed_and_the_server_stays_up(serve, pb):
    # 200 idle raw connections plus 4,000 concurrent unauthenticated Checks on 8 channels.
    idle = []
    try:
        for _ in range(200):
            s = raw_connect(serve)
            s.sendall(PREFACE)
            idle.append(s)
        channels = [grpc.insecure_channel(serve.grpc_addr) for _ in range(8)]
        stubs = [pb.ext_grpc.AuthorizationStub(c) for c in channels]
        req = check_request(pb)
        futures = [stubs[i % 8].Check.future(req, timeout=30) for i in range(4000)]
        codes = {}
        for f in futures:
            try:
                code = f.result().status.code
            except grpc.RpcError as e:
                code = e.code().name
            codes[code] = codes.get(code, 0) + 1
        for c in channels:
            c.close()
    finally:
        for s in idle:
            s.close()
    assert OK not in codes, codes  # no credentials: never allowed
    assert codes.get(UNAUTHENTICATED, 0) > 0, codes
    assert set(codes) <= {UNAUTHENTICATED, UNAVAILABLE}, codes  # decided, or shed with 503
    assert serve.alive()
    resp = check(serve, pb, check_request(pb, headers={"authorization": "Token " + serve.token}))
    assert resp.status.code == OK
