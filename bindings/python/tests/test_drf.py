"""authpolicy.drf.AuthPolicyAuthentication inside a real Django 3.2 / DRF 3.14 project (SQLite
in a temporary directory), served by Django's WSGIHandler under wsgiref on 127.0.0.1 and called
with urllib; answers compared side by side with DRF's own Basic and Token classes."""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from socketserver import ThreadingMixIn

import pytest

from support import basic, http_get, token

django = pytest.importorskip("django")
pytest.importorskip("rest_framework")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("drf")
    from django.conf import settings

    if settings.configured:
        pytest.skip("Django settings were configured elsewhere in this process")
    settings.configure(
        DEBUG=False,
        SECRET_KEY="authpolicy-tests",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF="drf_project.urls",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "rest_framework.authtoken",
        ],
        MIDDLEWARE=[],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp / "django.sqlite3")}},
        PASSWORD_HASHERS=["drf_project.hashers.FastPBKDF2PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": ["authpolicy.drf.AuthPolicyAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        },
        AUTHPOLICY={
            "CONFIG": {
                "DATABASE": str(tmp / "policy.sqlite3"),
                "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication", "BasicAuthentication"],
                "PASSWORD_ITERATIONS": 1000,
                "VIEWS": {
                    "tokens": {"authentication_classes": ["TokenAuthentication"]},
                    "basic": {"authentication_classes": ["BasicAuthentication"]},
                },
            },
            "USER_LOOKUP": "authpolicy.drf.django_user_lookup",
        },
    )
    django.setup()
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from authpolicy.drf import get_engine

    call_command("migrate", verbosity=0, interactive=False)
    engine = get_engine()

    # alice: an engine user with an engine token; the same username and key exist on DRF's side.
    engine.users.add("alice")
    key = engine.tokens.create("alice", name="drf")
    alice = User.objects.create_user("alice", password=None)
    Token.objects.create(user=alice, key=key)
    # ina: inactive on both sides.
    engine.users.add("ina")
    ina_key = engine.tokens.create("ina")
    engine.users.deactivate("ina")
    ina = User.objects.create_user("ina", is_active=False)
    Token.objects.create(user=ina, key=ina_key)
    # dj and staffer: Django users only; the engine verifies their Django hashes via USER_LOOKUP.
    User.objects.create_user("dj", password="dj-pw")
    User.objects.create_user("sleepy", password="sleepy-pw", is_active=False)
    User.objects.create_user("staffer", password="staff-pw", is_staff=True)

    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=ThreadingWSGIServer, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "key": key, "ina_key": ina_key}
    finally:
        server.shutdown()
        thread.join(10)


def answer(site, path, headers=None):
    r = http_get(site["url"] + path, headers)
    return r.status, r.headers.get("WWW-Authenticate"), r.json()


def test_drf_token_through_the_engine_maps_to_a_django_user(site):
    status, _, body = answer(site, "/whoami", token(site["key"]))
    assert status == 200
    assert body["user"] == "alice" and body["django_user_id"] is not None
    assert body["auth"] == {"type": "token", "name": "drf"}
    assert body["authenticator"] == "AuthPolicyAuthentication"


def test_drf_no_credentials_get_401_with_the_engines_challenge(site):
    assert answer(site, "/whoami") == (401, "Token", {"detail": "Authentication credentials were not provided."})


def test_drf_basic_through_django_user_lookup(site):
    status, _, body = answer(site, "/whoami", basic("dj", "dj-pw"))
    assert (status, body["user"]) == (200, "dj")
    assert answer(site, "/whoami", basic("dj", "nope"))[2] == {"detail": "Invalid username/password."}


def test_drf_permissions_stay_drfs(site):
    assert answer(site, "/policy/admin", basic("dj", "dj-pw"))[0] == 403
    assert answer(site, "/policy/admin", basic("staffer", "staff-pw"))[0] == 200


def test_drf_chain_continues_after_authpolicy_returns_none(site):
    status, _, body = answer(site, "/mixed", {"Authorization": "Bearer something"})
    assert status == 401  # neither class applies: the first class's challenge
    status, _, body = answer(site, "/mixed", token(site["key"]))
    assert body["authenticator"] == "AuthPolicyAuthentication"


@pytest.mark.parametrize(
    "case, headers",
    [
        ("no header", None),
        ("unknown token", {"Authorization": "Token " + "0" * 40}),
        ("lower-case keyword", "token"),
        ("keyword only", {"Authorization": "Token"}),
        ("spaces in token", {"Authorization": "Token a b"}),
        ("inactive user", "inactive"),
        ("basic header on a token view", basic("dj", "dj-pw")),
        ("valid token", "valid"),
    ],
)
def test_drf_token_parity_with_drfs_token_authentication(site, case, headers):
    if headers == "token":
        headers = {"Authorization": "token " + site["key"]}
    elif headers == "inactive":
        headers = token(site["ina_key"])
    elif headers == "valid":
        headers = token(site["key"])
    ours = answer(site, "/policy/token", headers)
    drf = answer(site, "/drf/token", headers)
    assert ours[:2] == drf[:2], case
    if ours[0] == 200:
        assert ours[2]["user"] == drf[2]["user"]
    else:
        assert ours[2] == drf[2], case


@pytest.mark.parametrize(
    "case, headers",
    [
        ("no header", None),
        ("good password", basic("dj", "dj-pw")),
        ("wrong password", basic("dj", "nope")),
        ("unknown user", basic("nobody", "x")),
        ("inactive user", basic("sleepy", "sleepy-pw")),
        ("no credentials", {"Authorization": "Basic"}),
        ("bad base64", {"Authorization": "Basic =a="}),
        ("token header on a basic view", {"Authorization": "Token abc"}),
    ],
)
def test_drf_basic_parity_with_drfs_basic_authentication(site, case, headers):
    ours = answer(site, "/policy/basic", headers)
    drf = answer(site, "/drf/basic", headers)
    assert ours[:2] == drf[:2], case
    if ours[0] == 200:
        assert ours[2]["user"] == drf[2]["user"]
    else:
        assert ours[2] == drf[2], case
