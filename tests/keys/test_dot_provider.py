"""Worked example against a real authorization server: Debian's django-oauth-toolkit 1.7 as an
OpenID Connect provider (OIDC_ENABLED, an RSA key), run by Django's runserver on loopback (plain
http, so the policy sets "allow_insecure_http"). A user logs in, the authorization code flow
issues an ID token (a JWT signed with the provider's key) and an opaque access token; the
`authpolicy decide` CLI then verifies the JWT with keys found by discovery
(/o/.well-known/openid-configuration, then /o/.well-known/jwks.json) and the opaque token through
RFC 7662 introspection at /o/introspect/ (client_secret_basic). See docs/oauth2.md.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("oauth2_provider")

CLI = os.environ.get("AUTHPOLICY_CLI")

SETTINGS = """
SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "django.contrib.admin", "oauth2_provider"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages",
                                                 "django.template.context_processors.request"]}}]
ROOT_URLCONF = "dot_urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": %(db)r}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
OAUTH2_PROVIDER = {"OIDC_ENABLED": True, "OIDC_RSA_PRIVATE_KEY": open(%(key)r).read(),
                   "SCOPES": {"openid": "OpenID Connect", "read": "Read", "introspection": "Introspect"},
                   "PKCE_REQUIRED": False}
"""

URLS = """
from django.contrib import admin
from django.urls import include, path
urlpatterns = [path("admin/", admin.site.urls),
               path("o/", include("oauth2_provider.urls", namespace="oauth2_provider"))]
"""

SETUP = """
from django.contrib.auth.models import User
from oauth2_provider.models import Application
alice = User.objects.create_user("alice", password="alice-pw", is_staff=True)  # the admin login form
Application.objects.create(name="web", client_id="web", client_secret="web-secret", user=alice,
    client_type="confidential", authorization_grant_type="authorization-code",
    redirect_uris="http://127.0.0.1/cb", skip_authorization=True, algorithm="RS256")
Application.objects.create(name="api", client_id="api", client_secret="api-secret", user=alice,
    client_type="confidential", authorization_grant_type="client-credentials")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    d = tmp_path_factory.mktemp("dot")
    subprocess.run(["openssl", "genrsa", "-out", str(d / "oidc.key"), "2048"], check=True, capture_output=True)
    (d / "dot_settings.py").write_text(SETTINGS % {"db": str(d / "db.sqlite3"), "key": str(d / "oidc.key")})
    (d / "dot_urls.py").write_text(URLS)
    env = dict(os.environ, PYTHONPATH=str(d), DJANGO_SETTINGS_MODULE="dot_settings")
    manage = ["/usr/bin/python3", "-m", "django"]
    subprocess.run(manage + ["migrate", "-v", "0"], check=True, env=env, capture_output=True)
    subprocess.run(manage + ["shell", "-c", SETUP], check=True, env=env, capture_output=True)
    port = free_port()
    server = subprocess.Popen(manage + ["runserver", "127.0.0.1:%d" % port, "--noreload", "--nothreading"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d" % port
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/o/.well-known/openid-configuration/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield {"base": base, "dir": d}
    finally:
        server.kill()
        server.wait()


def tokens(base: str) -> dict:
    """The authorization code flow, as a browser and the web client would run it."""
    with httpx.Client(base_url=base, follow_redirects=False) as browser:
        r = browser.get("/admin/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text).group(1)
        r = browser.post("/admin/login/", data={"username": "alice", "password": "alice-pw",
                                                "csrfmiddlewaretoken": csrf, "next": "/admin/"})
        assert r.status_code == 302, r.text
        r = browser.get("/o/authorize/", params={"response_type": "code", "client_id": "web",
                                                 "redirect_uri": "http://127.0.0.1/cb",
                                                 "scope": "openid read", "state": "s"})
        assert r.status_code == 302, r.text
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["location"]).query)["code"][0]
    r = httpx.post(base + "/o/token/", auth=("web", "web-secret"),
                   data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb"})
    assert r.status_code == 200, r.text
    return r.json()


def decide(config: dict, directory, token: str):
    path = directory / "authpolicy.json"
    path.write_text(json.dumps(config))
    request = json.dumps({"headers": {"Authorization": "Bearer " + token}})
    p = subprocess.run([CLI, "decide", "--config", str(path)], input=request, capture_output=True, text=True,
                       timeout=60)
    return p.returncode, json.loads(p.stdout), p.stderr


@pytest.mark.skipif(not CLI, reason="AUTHPOLICY_CLI is not set")
def test_dot_id_token_verified_with_discovered_keys_and_access_token_introspected(provider):
    base, d = provider["base"], provider["dir"]
    t = tokens(base)
    issuer = base + "/o"
    jwt_policy = {"DEFAULT_AUTHENTICATION_CLASSES": [
                      {"class": "JWTAuthentication", "issuer": issuer, "audience": "web",
                       "allow_insecure_http": True, "lookup_user": False}],
                  "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]}
    rc, decision, err = decide(jwt_policy, d, t["id_token"])
    assert rc == 0 and decision["allowed"], (decision, err)
    assert decision["auth"]["claims"]["iss"] == issuer

    tampered = t["id_token"][:-4] + ("AAAA" if not t["id_token"].endswith("AAAA") else "BBBB")
    rc, decision, _ = decide(jwt_policy, d, tampered)
    assert rc == 1 and decision["status"] == 401

    introspection_policy = {"DEFAULT_AUTHENTICATION_CLASSES": [
                                {"class": "OAuth2Authentication", "source": "introspection",
                                 "introspection_endpoint": base + "/o/introspect/", "client_id": "api",
                                 "client_secret": "api-secret", "allow_insecure_http": True,
                                 "token_type_hint": "access_token", "lookup_user": False}],
                            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]}
    rc, decision, err = decide(introspection_policy, d, t["access_token"])
    assert rc == 0 and decision["allowed"], (decision, err)
    assert decision["user"]["username"] == "alice"
    assert set(decision["auth"]["scopes"]) == {"openid", "read"}
    rc, decision, _ = decide(introspection_policy, d, "not-a-token-the-provider-issued")
    assert rc == 1 and decision["status"] == 401
