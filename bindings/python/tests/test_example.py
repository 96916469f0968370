"""examples/python/app.py (the Flask example) behind werkzeug on 127.0.0.1, driven with urllib."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from support import basic, http_get, token, wsgi_server

pytest.importorskip("flask")
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python"


@pytest.fixture
def example(tmp_path, monkeypatch):
    shutil.copy(EXAMPLE / "policy.json", tmp_path / "policy.json")  # its DATABASE lands in tmp_path
    monkeypatch.setenv("AUTHPOLICY_CONFIG", str(tmp_path / "policy.json"))
    spec = importlib.util.spec_from_file_location("authpolicy_example_app", EXAMPLE / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.app.test_cli_runner().invoke(args=["create-user", "alice", "s3cret", "--staff"])
    assert result.exit_code == 0 and "created alice" in result.output
    with wsgi_server(module.app) as url:
        yield url


def post(url, headers):
    return http_get(url, headers, method="POST")


def test_example_login_then_token_then_admin(example):
    url = example
    assert http_get(url + "/").json() == {"hello": "anonymous"}
    r = http_get(url + "/me")
    assert (r.status, r.headers["WWW-Authenticate"]) == (401, "Token")
    r = post(url + "/tokens", basic("alice", "s3cret"))
    assert r.status == 201
    key = r.json()["token"]
    me = http_get(url + "/me", token(key)).json()
    assert me["user"]["username"] == "alice" and me["authenticator"] == "TokenAuthentication"
    assert me["auth"] == {"type": "token", "name": "example"}
    assert [u["username"] for u in http_get(url + "/admin", token(key)).json()["users"]] == ["alice"]


def test_example_wrong_password_and_custom_api_key(example):
    url = example
    assert post(url + "/tokens", basic("alice", "nope")).status == 401
    r = http_get(url + "/reports", {"X-Api-Key": "reports-key"})
    assert r.json() == {"user": "reports-bot", "scopes": ["reports:read"]}
    r = http_get(url + "/reports", {"X-Api-Key": "stolen"})
    assert (r.status, r.headers["WWW-Authenticate"], r.json()) == (
        401,
        'ApiKey realm="example"',
        {"detail": "Unknown API key."},
    )
    assert json.loads(http_get(url + "/reports").body)["detail"] == "Authentication credentials were not provided."
