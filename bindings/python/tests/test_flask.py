"""authpolicy.flask.AuthPolicy: per-view decorator and app-wide protection, served by werkzeug
on 127.0.0.1 and called with urllib."""

from __future__ import annotations

import json

import pytest

import authpolicy
from support import basic, http_get, make_config, token, wsgi_server

flask = pytest.importorskip("flask")
from authpolicy.flask import AuthPolicy, current_auth, current_decision, current_user  # noqa: E402


def build_app(tmp_path):
    config = make_config(
        DATABASE=str(tmp_path / "flask.sqlite3"),
        DEFAULT_PERMISSION_CLASSES=["AllowAny"],
        VIEWS={
            "members": {"permission_classes": ["IsAuthenticated"]},
            "admin": {"authentication_classes": ["TokenAuthentication"], "permission_classes": ["IsAdminUser"]},
        },
    )
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(config))
    app = flask.Flask("flask_test")
    app.config["AUTHPOLICY_CONFIG"] = str(path)
    policy = AuthPolicy(app)

    @app.get("/open")
    @policy.protect
    def open_():
        return {"user": current_user.username, "anonymous": current_user.is_anonymous}

    @app.get("/members")
    @policy.protect("members")
    def members():
        return {"user": current_user.username, "auth": current_decision.auth, "same": current_auth == current_decision.auth,
                "status": current_decision.status}

    @app.get("/admin")
    @policy.protect("admin")
    def admin():
        return {"user": current_user.username}

    @app.get("/unprotected")
    def unprotected():
        return {"decision": current_decision.status if current_decision else None}

    engine = app.extensions["authpolicy"].engine
    engine.users.add("alice", password="alice-pw")
    engine.users.add("root", password="root-pw", is_staff=True)
    return app, engine


@pytest.fixture
def served(tmp_path):
    app, engine = build_app(tmp_path)
    with wsgi_server(app) as url:
        yield url, engine


def test_protect_without_arguments_applies_the_default_policy(served):
    url, _ = served
    assert http_get(url + "/open").json() == {"user": "", "anonymous": True}
    assert http_get(url + "/open", basic("alice", "alice-pw")).json() == {"user": "alice", "anonymous": False}


def test_protect_default_policy_still_rejects_bad_credentials(served):
    url, _ = served
    r = http_get(url + "/open", basic("alice", "wrong"))
    assert (r.status, r.headers["WWW-Authenticate"]) == (401, 'Basic realm="api"')


def test_named_view_requires_authentication(served):
    url, engine = served
    r = http_get(url + "/members")
    assert r.status == 401 and r.json() == {"detail": "Authentication credentials were not provided."}
    key = engine.tokens.create("alice", name="cli")
    r = http_get(url + "/members", token(key))
    assert r.json() == {"user": "alice", "auth": {"type": "token", "name": "cli"}, "same": True, "status": 200}


def test_admin_view_uses_its_own_authenticators_and_permission(served):
    url, engine = served
    r = http_get(url + "/admin", basic("root", "root-pw"))  # Basic is not in the admin view
    assert (r.status, r.headers["WWW-Authenticate"]) == (401, "Token")
    assert http_get(url + "/admin", token(engine.tokens.create("alice"))).status == 403
    assert http_get(url + "/admin", token(engine.tokens.create("root"))).json() == {"user": "root"}


def test_undecorated_view_is_untouched(served):
    url, _ = served
    assert http_get(url + "/unprotected", basic("alice", "wrong")).json() == {"decision": None}


def test_protect_all_with_a_view_chooser():
    engine = authpolicy.Engine(make_config(VIEWS={"public": {"permission_classes": ["AllowAny"]}}))
    engine.users.add("alice", password="pw")
    app = flask.Flask("flask_all")
    AuthPolicy(app, engine, protect_all=True, view=lambda req: "public" if req.path == "/health" else None)

    @app.get("/health")
    def health():
        return "ok"

    @app.get("/data")
    def data():
        return {"user": current_user.username}

    with wsgi_server(app) as url:
        assert http_get(url + "/health").status == 200
        assert http_get(url + "/data").status == 401
        assert http_get(url + "/data", basic("alice", "pw")).json() == {"user": "alice"}


def test_missing_configuration_is_a_clear_error():
    with pytest.raises(RuntimeError, match="AUTHPOLICY_CONFIG"):
        AuthPolicy(flask.Flask("nothing"))
