"""Python callbacks: user lookup, custom authenticators, password verifier, logger; and the
propagation of exceptions they raise (type and traceback kept, engine still usable)."""

from __future__ import annotations

import logging
import traceback
from types import SimpleNamespace

import pytest

import authpolicy
from support import basic, make_config, token

HASH = authpolicy.hash_password("pw", iterations=1000)


class ApiKeyAuth(authpolicy.BaseAuthentication):
    """X-Api-Key: <name>-key authenticates <name>; 'bad' is rejected; no header passes."""

    def authenticate(self, request):
        key = request.headers.get("X-Api-Key")
        if key is None:
            return None
        if key == "bad":
            raise authpolicy.AuthenticationFailed("Unknown API key.")
        name = key.removesuffix("-key")
        return {"username": name, "id": 42, "is_staff": name == "admin"}, {"key": key, "scopes": ["read"]}

    def authenticate_header(self, request):
        return 'ApiKey realm="api"'


class Boom(Exception):
    pass


def lookup_table(**users):
    def lookup(username=None, id=None):
        for user_id, (name, fields) in enumerate(users.items(), start=1):
            if name == username or user_id == id:
                return {"id": user_id, "username": name, "password": HASH, **fields}
        return None

    return lookup


# ---- user lookup ---------------------------------------------------------------------------------------------


def test_user_lookup_mapping_is_used_for_basic():
    e = authpolicy.Engine(make_config(), user_lookup=lookup_table(zoe={"is_staff": True}))
    d = e.decide(headers=basic("zoe", "pw"))
    assert d.allowed and d.user.username == "zoe" and d.user.is_staff and d.user.id == 1


def test_user_lookup_may_return_an_object_like_a_django_user():
    user = SimpleNamespace(id=9, username="yves", is_active=True, is_staff=False, is_superuser=True, password=HASH)
    e = authpolicy.Engine(make_config(), user_lookup=lambda username=None, id=None: user if username == "yves" else None)
    d = e.decide(headers=basic("yves", "pw"))
    assert d.allowed and d.user.is_superuser and d.user.id == 9


def test_user_lookup_none_means_no_such_user():
    e = authpolicy.Engine(make_config(), user_lookup=lambda username=None, id=None: None)
    e.users.add("alice", password="pw")  # in the built-in directory, but the lookup answers first
    assert e.decide(headers=basic("alice", "pw")).detail == "Invalid username/password."


def test_user_lookup_passthrough_asks_the_built_in_directory():
    def lookup(username=None, id=None):
        raise authpolicy.Passthrough()

    e = authpolicy.Engine(make_config(), user_lookup=lookup)
    e.users.add("alice", password="pw")
    assert e.decide(headers=basic("alice", "pw")).allowed


def test_user_lookup_inactive_user_is_refused():
    e = authpolicy.Engine(make_config(), user_lookup=lookup_table(ina={"is_active": False}))
    assert e.decide(headers=basic("ina", "pw")).status == 401


def test_user_lookup_is_called_with_keyword_username():
    calls = []

    def lookup(username=None, id=None):
        calls.append((username, id))
        return None

    authpolicy.Engine(make_config(), user_lookup=lookup).decide(headers=basic("kim", "pw"))
    assert calls == [("kim", None)]


# ---- custom authenticators -----------------------------------------------------------------------------------


def api_engine(**overrides):
    config = make_config(DEFAULT_AUTHENTICATION_CLASSES=["ApiKey", "TokenAuthentication"], **overrides)
    return authpolicy.Engine(config, authenticators={"ApiKey": ApiKeyAuth})


def test_custom_authenticator_success_sets_user_auth_and_name():
    d = api_engine().decide(headers={"X-Api-Key": "admin-key"})
    assert d.allowed and d.authenticator == "ApiKey"
    assert (d.user.username, d.user.id, d.user.is_staff) == ("admin", 42, True)
    assert d.auth == {"key": "admin-key", "scopes": ["read"]}


def test_custom_authenticator_failure_is_401_with_its_detail_and_challenge():
    d = api_engine().decide(headers={"X-Api-Key": "bad"})
    assert (d.status, d.code, d.detail) == (401, "authentication_failed", "Unknown API key.")
    assert d.headers == {"WWW-Authenticate": 'ApiKey realm="api"'}


def test_custom_authenticator_none_passes_to_the_next_class():
    e = api_engine()
    e.users.add("alice")
    key = e.tokens.create("alice")
    d = e.decide(headers=token(key))
    assert d.allowed and d.authenticator == "TokenAuthentication"


def test_custom_authenticator_without_header_method_means_403():
    class NoChallenge(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            raise authpolicy.AuthenticationFailed()

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["X"]), authenticators={"X": NoChallenge()})
    d = e.decide()
    assert (d.status, d.detail, d.headers) == (403, "Incorrect authentication credentials.", {})


def test_custom_authenticator_reads_the_whole_request():
    seen = {}

    class Spy(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            seen.update(
                method=request.method,
                path=request.path,
                view=request.view,
                remote_addr=request.remote_addr,
                remote_user=request.remote_user,
                secure=request.secure,
                key=request.headers.get("x-api-key"),
                raw=request.headers.get_bytes("X-API-KEY"),
                has=("X-Api-Key" in request.headers, "X-Missing" in request.headers),
                item=request.headers["X-Api-Key"],
                missing=request.headers.get("X-Missing", "default"),
            )
            return None

    e = authpolicy.Engine(
        make_config(DEFAULT_AUTHENTICATION_CLASSES=["Spy"], VIEWS={"v": {}}), authenticators={"Spy": Spy}
    )
    e.decide(method="PATCH", path="/a/b", headers={"X-Api-Key": "k1"}, view="v", remote_addr="10.1.2.3",
             secure=True, remote_user="svc")
    assert seen == {
        "method": "PATCH",
        "path": "/a/b",
        "view": "v",
        "remote_addr": "10.1.2.3",
        "remote_user": "svc",
        "secure": True,
        "key": "k1",
        "raw": b"k1",
        "has": (True, False),
        "item": "k1",
        "missing": "default",
    }


def test_custom_authenticator_request_is_unusable_after_the_callback():
    kept = []

    class Keeper(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            kept.append(request)
            return None

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["K"]), authenticators={"K": Keeper})
    e.decide()
    with pytest.raises(authpolicy.MisuseError, match="only while it runs"):
        kept[0].method
    with pytest.raises(authpolicy.MisuseError):
        kept[0].headers.get("x")


def test_custom_user_may_be_an_object_with_attributes():
    class ObjectUser(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            user = SimpleNamespace(username="obj", id=None, is_active=True, is_staff=False, is_superuser=False,
                                   attributes={"tier": 2})
            return user, "opaque-string"

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["O"]), authenticators={"O": ObjectUser()})
    d = e.decide()
    assert d.user.username == "obj" and d.user.id is None and d.user.attributes == {"tier": 2}
    assert d.auth == "opaque-string"


def test_password_verifier_overrides_the_hash_check():
    seen = []

    def verifier(user, password):
        seen.append((user.username, password))
        return password == "magic"

    e = authpolicy.Engine(make_config(), password_verifier=verifier)
    e.users.add("alice", password="pw")
    assert e.decide(headers=basic("alice", "magic")).allowed
    assert e.decide(headers=basic("alice", "pw")).status == 401
    assert seen == [("alice", "magic"), ("alice", "pw")]


def test_password_verifier_none_falls_back_to_the_hash():
    e = authpolicy.Engine(make_config(), password_verifier=lambda user, password: None)
    e.users.add("alice", password="pw")
    assert e.decide(headers=basic("alice", "pw")).allowed


# ---- exceptions propagate unchanged --------------------------------------------------------------------------


def raising_lookup(username=None, id=None):
    raise Boom(f"lookup failed for {username}")


def test_user_lookup_exception_propagates_with_type_and_traceback():
    e = authpolicy.Engine(make_config(), user_lookup=raising_lookup)
    with pytest.raises(Boom, match="lookup failed for alice") as info:
        e.decide(headers=basic("alice", "pw"))
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert frames[0] == "test_user_lookup_exception_propagates_with_type_and_traceback"
    assert frames[-1] == "raising_lookup"


def test_engine_stays_usable_after_a_callback_raised():
    calls = {"n": 0}

    def flaky(username=None, id=None):
        calls["n"] += 1
        if calls["n"] == 1:
            raise Boom("first call fails")
        return {"username": username, "password": HASH}

    e = authpolicy.Engine(make_config(), user_lookup=flaky)
    with pytest.raises(Boom):
        e.decide(headers=basic("alice", "pw"))
    assert e.decide(headers=basic("alice", "pw")).allowed
    assert e.decide().status == 401


def test_authenticator_exception_propagates_with_type_and_traceback():
    class Raising(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            return {}["missing"]  # KeyError from inside the callback

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["R"]), authenticators={"R": Raising})
    with pytest.raises(KeyError, match="missing") as info:
        e.decide()
    assert traceback.extract_tb(info.value.__traceback__)[-1].name == "authenticate"
    with pytest.raises(KeyError):  # and again: nothing is left behind
        e.decide()


def test_authenticate_header_exception_propagates():
    class BadHeader(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            return None

        def authenticate_header(self, request):
            raise Boom("no challenge today")

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["B"]), authenticators={"B": BadHeader})
    with pytest.raises(Boom, match="no challenge today"):
        e.decide()


def test_password_verifier_exception_propagates():
    def verifier(user, password):
        raise Boom("verifier down")

    e = authpolicy.Engine(make_config(), password_verifier=verifier)
    e.users.add("alice", password="pw")
    with pytest.raises(Boom, match="verifier down"):
        e.decide(headers=basic("alice", "pw"))


def test_exception_from_lazy_request_propagates_and_leaves_it_anonymous():
    e = authpolicy.Engine(make_config(), user_lookup=raising_lookup)
    req = e.request(headers=basic("alice", "pw"))
    with pytest.raises(Boom):
        req.user
    assert req.auth_status == "anonymous" and req.user.is_anonymous  # not retried


def test_bad_user_from_lookup_is_a_type_error_naming_the_field():
    e = authpolicy.Engine(make_config(), user_lookup=lambda username=None, id=None: {"username": username, "id": "7"})
    with pytest.raises(TypeError, match="'id' must be an int"):
        e.decide(headers=basic("alice", "pw"))
    e = authpolicy.Engine(make_config(), user_lookup=lambda username=None, id=None: 12)
    with pytest.raises(TypeError, match="must return a mapping or an object with a username"):
        e.decide(headers=basic("alice", "pw"))


def test_bad_return_from_authenticate_is_a_type_error():
    class Bad(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            return "alice"

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["B"]), authenticators={"B": Bad})
    with pytest.raises(TypeError, match=r"\(user, auth\) tuple or None"):
        e.decide()


def test_auth_value_that_is_not_json_serialisable_is_a_type_error():
    class Bad(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            return {"username": "u"}, object()

    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["B"]), authenticators={"B": Bad})
    with pytest.raises(TypeError, match="not JSON serializable"):
        e.decide()


def test_invalid_username_from_lookup_is_invalid_argument():
    e = authpolicy.Engine(make_config(), user_lookup=lambda username=None, id=None: {"username": ""})
    with pytest.raises(authpolicy.InvalidArgumentError, match="username"):
        e.decide(headers=basic("alice", "pw"))


# ---- logger and clock ----------------------------------------------------------------------------------------


def failing_throttle_config(tmp_path):
    # A SQLite throttle store on a database file that we then make unreadable to SQLite.
    return make_config(
        DATABASE=str(tmp_path / "t.sqlite3"),
        DEFAULT_PERMISSION_CLASSES=["AllowAny"],
        DEFAULT_THROTTLE_CLASSES=["AnonRateThrottle"],
        DEFAULT_THROTTLE_RATES={"anon": "100/min"},
        THROTTLE_BACKEND={"TYPE": "redis", "HOST": "127.0.0.1", "PORT": 1, "TIMEOUT_MS": 50},
    )


def test_logger_callable_receives_engine_log_lines(tmp_path):
    lines = []
    e = authpolicy.Engine(failing_throttle_config(tmp_path), logger=lambda level, message: lines.append((level, message)))
    assert e.decide(remote_addr="10.0.0.1").allowed  # the backend is down: fail open
    assert lines and lines[0][0] == "error" and "failing open" in lines[0][1]


def test_default_logger_goes_to_python_logging(tmp_path, caplog):
    e = authpolicy.Engine(failing_throttle_config(tmp_path))
    with caplog.at_level(logging.INFO, logger="authpolicy"):
        e.decide(remote_addr="10.0.0.1")
    assert any(r.name == "authpolicy" and r.levelno == logging.ERROR for r in caplog.records)
