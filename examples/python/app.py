"""A Flask app whose authentication policy is libauthpolicy's (the authpolicy.flask extension).

Run it (from the repository root, after `pip install .` into .venv):

    .venv/bin/python -m flask --app examples/python/app.py create-user alice s3cret --staff
    .venv/bin/python -m flask --app examples/python/app.py run --port 8000

Then:

    curl -i localhost:8000/                                   # public
    curl -i localhost:8000/me                                 # 401, WWW-Authenticate: Token
    curl -i -u alice:s3cret -X POST localhost:8000/tokens     # Basic login -> a token
    curl -i -H "Authorization: Token <key>" localhost:8000/me
    curl -i -H "Authorization: Token <key>" localhost:8000/admin
    curl -i -H "X-Api-Key: reports-key" localhost:8000/reports  # a custom authenticator

The policy is policy.json next to this file (DRF's settings names); users and tokens live in its
SQLite DATABASE. AUTHPOLICY_CONFIG in the environment points the app at another policy file.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, jsonify

import authpolicy
from authpolicy.flask import AuthPolicy, current_decision, current_user

HERE = Path(__file__).resolve().parent


class ApiKeyAuthentication(authpolicy.BaseAuthentication):
    """X-Api-Key for machine clients: a fixed table here; a database or a vault in real life."""

    KEYS = {"reports-key": {"username": "reports-bot", "attributes": {"scopes": ["reports:read"]}}}

    def authenticate(self, request):
        key = request.headers.get("X-Api-Key")
        if key is None:
            return None  # not our kind of credentials: let the next class try
        user = self.KEYS.get(key)
        if user is None:
            raise authpolicy.AuthenticationFailed("Unknown API key.")
        return user, {"type": "api-key"}

    def authenticate_header(self, request):
        return 'ApiKey realm="example"'


def create_app(config_path: str | os.PathLike | None = None) -> Flask:
    app = Flask(__name__)
    engine = authpolicy.Engine(
        config_path or os.environ.get("AUTHPOLICY_CONFIG") or HERE / "policy.json",
        authenticators={"ApiKey": ApiKeyAuthentication},
    )
    policy = AuthPolicy(app, engine)

    @app.get("/")
    @policy.protect("public")
    def index():
        user = current_user
        return jsonify(hello=user.username if user and user.is_authenticated else "anonymous")

    @app.post("/tokens")
    @policy.protect("login")
    def create_token():
        key = engine.tokens.create(current_user.username, name="example", expires_in=3600)
        return jsonify(token=key, expires_in=3600), 201

    @app.get("/me")
    @policy.protect
    def me():
        return jsonify(user=current_user.to_dict(), auth=current_decision.auth,
                       authenticator=current_decision.authenticator)

    @app.get("/admin")
    @policy.protect("admin")
    def admin():
        return jsonify(users=engine.users.list())

    @app.get("/reports")
    @policy.protect("reports")
    def reports():
        return jsonify(user=current_user.username, scopes=current_user.attributes.get("scopes", []))

    @app.cli.command("create-user")
    @click.argument("username")
    @click.argument("password")
    @click.option("--staff", is_flag=True, help="may use /admin")
    def create_user(username: str, password: str, staff: bool) -> None:
        """Adds a user to the policy's database."""
        engine.users.add(username, password=password, is_staff=staff)
        click.echo(f"created {username}")

    return app


app = create_app()
