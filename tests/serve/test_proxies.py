"""Forward-auth through real proxies: nginx (auth_request) and Caddy (forward_auth) in front of a
small backend. For every case, what the client sees through the proxy equals the engine's decision
for the same request (`authpolicy decide` on the same configuration): the status, the challenge,
and on allow the identity headers the backend receives. Client-sent X-Auth-* never reach the backend.
nginx passes only 2xx/401/403 from auth_request; the documented recipe gives back 429 and 503.
"""
import json
import time

import pytest

from conftest import Caddy, Nginx, base_config, decide, nginx_auth_location, nginx_protected_location, \
    NGINX_STATUS_LOCATION, write_config


def cases(w):
    """(name, uri, request headers, view the route table must pick)."""
    return [
        ("no credentials", "/things", {}, None),
        ("basic", "/things?page=2", {"Authorization": w.basic_alice}, None),
        ("basic, bad password", "/things", {"Authorization": w.basic_bad}, None),
        ("basic, malformed", "/things", {"Authorization": "Basic !!!"}, None),
        ("token", "/things", {"Authorization": f"Token {w.token}"}, None),
        ("token, unknown", "/things", {"Authorization": "Token " + "0" * 40}, None),
        ("jwt", "/things", {"Authorization": f"Bearer {w.jwt}"}, None),
        ("jwt, bad signature", "/things", {"Authorization": f"Bearer {w.jwt[:-4]}AAAA"}, None),
        ("session cookie", "/things", {"Cookie": f"sessionid={w.session}"}, None),
        ("session cookie, unknown", "/things", {"Cookie": "sessionid=" + "x" * 32}, None),
        ("admin route, not staff", "/admin/users", {"Authorization": w.basic_alice}, "admin"),
        ("admin route, staff", "/admin/users", {"Authorization": w.basic_root}, "admin"),
        ("public route, anonymous", "/public/page", {}, "public"),
        ("public route, spoofed identity", "/public/page", {"X-Auth-User": "root", "X-Auth-User-Id": "1"}, "public"),
        ("dot segments reach the admin route", "/public/../admin/users", {"Authorization": w.basic_alice}, "admin"),
    ]


def engine_decision(w, uri, headers, view):
    path = uri.split("?", 1)[0]
    req = {"method": "GET", "path": path, "headers": headers}
    if view:
        req["view"] = view
    return decide(w.config, req)


def check_through_proxy(status, headers, body, d, name):
    assert status == d["status"], name
    if d["allowed"]:
        seen = json.loads(body)
        user = d["user"] or {}
        assert seen["x-auth-user"] in (user.get("username") or "", None) and \
            (seen["x-auth-user"] or "") == (user.get("username") or ""), name
        assert (seen["x-auth-user-id"] or "") == ("" if user.get("id") is None else str(user["id"])), name
        assert (seen["x-auth-authenticator"] or "") == (d["authenticator"] or ""), name
    else:
        assert headers.get("www-authenticate") == d["headers"].get("WWW-Authenticate"), name


def test_serve_direct_answers_equal_the_engine(world, serve_factory):
    s = serve_factory(world.config)
    for name, uri, headers, view in cases(world):
        status, h, body = s.auth(uri, headers)
        d = engine_decision(world, uri, headers, view)
        assert status == d["status"], name
        if d["allowed"]:
            assert body == b"", name
            user = d["user"] or {}
            assert h["x-auth-user"] == (user.get("username") or ""), name
            assert h["x-auth-user-id"] == ("" if user.get("id") is None else str(user["id"])), name
            assert h["x-auth-authenticator"] == (d["authenticator"] or ""), name
        else:
            assert json.loads(body) == {"detail": d["detail"]}, name
            assert h.get("www-authenticate") == d["headers"].get("WWW-Authenticate"), name
            assert "x-auth-user" not in h, name


def test_nginx_auth_request(world, backend, serve_factory):
    s = serve_factory(world.config)
    body = nginx_auth_location("_authp", s.port) + nginx_protected_location("/", "_authp", backend.port) + \
        NGINX_STATUS_LOCATION
    n = Nginx(world.dir, body)
    try:
        for name, uri, headers, view in cases(world):
            status, h, data = n.get(uri, headers)
            check_through_proxy(status, h, data, engine_decision(world, uri, headers, view), name)
        # The query string went to the backend, not to routing; it is never in the decision log.
        status, _, data = n.get("/admin/x?secret=hunter2", {"Authorization": world.basic_root})
        assert status == 200 and json.loads(data)["path"] == "/admin/x?secret=hunter2"
        log = open(f"{world.dir}/decisions.log").read()
        assert "hunter2" not in log and world.token not in log and world.session not in log
        assert "wonderland" not in log and world.jwt not in log
        line = json.loads(log.strip().splitlines()[-1])
        assert line["path"] == "/admin/x" and line["view"] == "admin" and line["username"] == "root"
        # 429 through the recipe: the anonymous rate is 2/min on /throttled.
        statuses = [n.get("/throttled")[0] for _ in range(3)]
        assert statuses[:2] == [200, 200]
        status, h, data = n.get("/throttled")
        assert status == 429 and int(h["retry-after"]) > 0
        assert json.loads(data) == {"detail": "Request was throttled."}
    finally:
        n.stop()


def test_nginx_503_recipe_when_the_engine_cannot_decide(world, backend, serve_factory, tmp_path):
    # Throttle state in a Redis that is not there, failing closed: the engine answers 503.
    cfg = base_config(database=f"{world.dir}/authpolicy.sqlite3",
                      THROTTLE_BACKEND={"TYPE": "redis", "HOST": "127.0.0.1", "PORT": 1, "TIMEOUT_MS": 50,
                                        "FAILURE_MODE": "closed"},
                      DEFAULT_PERMISSION_CLASSES=["AllowAny"], DEFAULT_THROTTLE_CLASSES=["AnonRateThrottle"],
                      DEFAULT_THROTTLE_RATES={"anon": "100/min"})
    cfg["SERVE"] = {"decision_log": {"target": "off"}}
    conf = write_config(str(tmp_path), cfg)
    d = decide(conf, {"method": "GET", "path": "/x", "headers": {}})
    assert d["status"] == 503 and not d["allowed"]
    s = serve_factory(conf)
    status, _, body = s.auth("/x")
    assert status == 503 and json.loads(body) == {"detail": d["detail"]}
    n = Nginx(str(tmp_path), nginx_auth_location("_authp", s.port) +
              nginx_protected_location("/", "_authp", backend.port) + NGINX_STATUS_LOCATION)
    try:
        status, _, data = n.get("/x")
        assert status == 503 and json.loads(data)["detail"]
    finally:
        n.stop()
    # /readyz follows backend errors; /metrics counted them.
    assert s.request("GET", "/readyz")[0] == 503
    metrics = s.request("GET", "/metrics")[2].decode()
    errors = [l for l in metrics.splitlines() if l.startswith("authp_backend_errors_total ")][0]
    assert float(errors.split()[1]) >= 2


def test_caddy_forward_auth(world, backend, serve_factory):
    s = serve_factory(world.config)
    c = Caddy(world.dir, s.port, backend.port)
    try:
        for name, uri, headers, view in cases(world):
            status, h, data = c.get(uri, headers)
            d = engine_decision(world, uri, headers, view)
            check_through_proxy(status, h, data, d, name)
            if not d["allowed"]:  # Caddy hands the auth answer to the client as it is
                assert json.loads(data) == {"detail": d["detail"]}, name
    finally:
        c.stop()
