"""authpolicy.wsgi.AuthPolicyMiddleware in front of a Flask app, served by werkzeug on
127.0.0.1 and called with urllib."""

from __future__ import annotations

import pytest

import authpolicy
from authpolicy.wsgi import AuthPolicyMiddleware
from support import basic, http_get, make_config, token, wsgi_server

flask = pytest.importorskip("flask")


def choose_view(environ):
    path = environ.get("PATH_INFO", "")
    if path.startswith("/admin"):
        return "admin"
    if path.startswith("/public"):
        return "public"
    return None


@pytest.fixture
def server():
    engine = authpolicy.Engine(
        make_config(
            VIEWS={
                "public": {
                    "permission_classes": ["AllowAny"],
                    "throttle_classes": ["AnonRateThrottle"],
                },
                "admin": {"permission_classes": ["IsAdminUser"]},
            },
            DEFAULT_THROTTLE_RATES={"anon": "2/min"},
        )
    )
    engine.users.add("alice", password="alice-pw")
    engine.users.add("root", password="root-pw", is_staff=True)
    key = engine.tokens.create("alice", name="ci")

    app = flask.Flask("wsgi_test")

    @app.route("/<path:anything>")
    def echo(anything):
        decision = flask.request.environ["authpolicy.decision"]
        return {
            "remote_user": flask.request.environ.get("REMOTE_USER"),
            "auth_type": flask.request.environ.get("AUTH_TYPE"),
            "user": decision.user.username if decision.user else None,
            "auth": decision.auth,
        }

    app.wsgi_app = AuthPolicyMiddleware(app.wsgi_app, engine, view=choose_view)
    with wsgi_server(app) as url:
        yield url, key


def test_no_credentials_get_401_with_challenge_and_json_detail(server):
    url, _ = server
    r = http_get(url + "/things")
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="api"'
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"detail": "Authentication credentials were not provided."}


def test_bad_token_gets_401_invalid_token(server):
    url, _ = server
    r = http_get(url + "/things", token("f" * 40))
    assert (r.status, r.json()) == (401, {"detail": "Invalid token."})


def test_good_token_reaches_the_app_with_remote_user_and_decision(server):
    url, key = server
    r = http_get(url + "/things", token(key))
    assert r.status == 200
    assert r.json() == {
        "remote_user": "alice",
        "auth_type": "TokenAuthentication",
        "user": "alice",
        "auth": {"type": "token", "name": "ci"},
    }


def test_view_function_of_the_environ_selects_admin_policy(server):
    url, key = server
    r = http_get(url + "/admin/panel", token(key))
    assert (r.status, r.json()["detail"]) == (403, "You do not have permission to perform this action.")
    assert http_get(url + "/admin/panel", basic("root", "root-pw")).status == 200


def test_throttled_view_answers_429_with_retry_after(server):
    url, _ = server
    assert http_get(url + "/public/a").status == 200
    assert http_get(url + "/public/a").status == 200
    r = http_get(url + "/public/a")
    assert r.status == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()["detail"].startswith("Request was throttled.")


def test_anonymous_allowed_request_has_no_remote_user():
    engine = authpolicy.Engine(make_config(DEFAULT_PERMISSION_CLASSES=["AllowAny"]))
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    with wsgi_server(AuthPolicyMiddleware(app, engine)) as url:
        assert http_get(url + "/").status == 200
    assert "REMOTE_USER" not in seen and seen["authpolicy.decision"].user.is_anonymous
