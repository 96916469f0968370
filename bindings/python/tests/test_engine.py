"""Engine construction and decide(): the pinned API and the decision it returns."""

from __future__ import annotations

import json

import pytest

import authpolicy
from support import FAST, basic, make_config, token


def test_version_matches_the_c_library():
    assert authpolicy.__version__ == "%d.%d.%d" % authpolicy.VERSION_INFO
    assert authpolicy.ABI_VERSION == 0


def test_token_decision_is_allowed_with_user_auth_and_authenticator(engine, alice_key):
    d = engine.decide(method="GET", path="/", headers=token(alice_key))
    assert d.allowed is True
    assert d.status == 200
    assert d.code is None and d.detail is None
    assert d.headers == {}
    assert d.user.username == "alice" and d.user.id == 1 and d.user.is_authenticated
    assert d.auth == {"type": "token", "name": "laptop"}
    assert d.authenticator == "TokenAuthentication"


def test_basic_decision_is_allowed_and_auth_is_none(engine):
    d = engine.decide(headers=basic("alice", "alice-pw"))
    assert d.allowed and d.authenticator == "BasicAuthentication"
    assert d.auth is None


def test_missing_credentials_give_401_with_first_authenticators_challenge(engine):
    d = engine.decide(method="GET", path="/")
    assert not d.allowed
    assert d.status == 401
    assert d.code == "not_authenticated"
    assert d.detail == "Authentication credentials were not provided."
    assert d.headers == {"WWW-Authenticate": 'Basic realm="api"'}
    assert d.user is not None and d.user.is_anonymous and d.user.username == "" and d.user.id is None


def test_wrong_password_gives_401_authentication_failed(engine):
    d = engine.decide(headers=basic("alice", "nope"))
    assert (d.status, d.code, d.detail) == (401, "authentication_failed", "Invalid username/password.")


def test_invalid_token_gives_invalid_token_detail(engine):
    d = engine.decide(headers=token("0" * 40))
    assert (d.status, d.detail) == (401, "Invalid token.")


def test_to_dict_is_the_cli_decision_json(engine, alice_key):
    d = engine.decide(headers=token(alice_key))
    assert d.to_dict() == json.loads(d.to_json())
    assert d.to_dict() == {
        "allowed": True,
        "status": 200,
        "code": None,
        "detail": None,
        "authenticator": "TokenAuthentication",
        "user": {
            "id": 1,
            "username": "alice",
            "is_authenticated": True,
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
        },
        "auth": {"type": "token", "name": "laptop"},
        "headers": {},
        "body": None,
    }
    assert d.body is None
    denied = engine.decide()
    assert denied.body == {"detail": denied.detail} == denied.to_dict()["body"]


def test_denial_to_dict_carries_challenge_header(engine):
    assert engine.decide().to_dict()["headers"] == {"WWW-Authenticate": 'Basic realm="api"'}


def test_views_select_their_policy(engine, alice_key):
    assert engine.decide(view="public").allowed
    assert engine.decide(view="admin", headers=token(alice_key)).status == 403
    assert engine.decide(view="admin", headers=basic("root", "root-pw")).allowed
    tokens_only = engine.decide(view="tokens", headers=basic("alice", "alice-pw"))
    assert tokens_only.status == 401 and tokens_only.headers == {"WWW-Authenticate": "Token"}
    assert engine.has_view("admin") and not engine.has_view("nope")


def test_unknown_view_raises_not_found(engine):
    with pytest.raises(authpolicy.NotFoundError, match="unknown view"):
        engine.decide(view="nope")


def test_headers_accept_pairs_bytes_and_any_case(engine, alice_key):
    assert engine.decide(headers=[("authorization", "Token " + alice_key)]).allowed
    assert engine.decide(headers=[(b"AUTHORIZATION", b"Token " + alice_key.encode())]).allowed
    assert engine.decide(headers={"aUtHoRiZaTiOn": "Token " + alice_key}).allowed


def test_positional_method_and_path(engine, alice_key):
    assert engine.decide("POST", "/things", headers=token(alice_key)).allowed


def test_is_authenticated_or_read_only_uses_the_method():
    e = authpolicy.Engine(make_config(DEFAULT_PERMISSION_CLASSES=["IsAuthenticatedOrReadOnly"]))
    assert e.decide(method="GET").allowed
    assert e.decide(method="HEAD").allowed
    assert e.decide(method="POST").status == 401


def test_remote_user_authentication_reads_the_server_variable():
    e = authpolicy.Engine(make_config(DEFAULT_AUTHENTICATION_CLASSES=["RemoteUserAuthentication"]))
    d = e.decide(remote_user="carol")
    assert d.allowed and d.user.username == "carol" and d.authenticator == "RemoteUserAuthentication"
    assert e.decide().status == 403  # RemoteUserAuthentication has no challenge: DRF answers 403


def test_unauthenticated_user_null_gives_no_user():
    e = authpolicy.Engine(make_config(UNAUTHENTICATED_USER=None, DEFAULT_PERMISSION_CLASSES=["AllowAny"]))
    d = e.decide()
    assert d.allowed and d.user is None


def test_unauthenticated_token_is_the_anonymous_auth_value():
    e = authpolicy.Engine(make_config(UNAUTHENTICATED_TOKEN={"anon": True}, DEFAULT_PERMISSION_CLASSES=["AllowAny"]))
    assert e.decide().auth == {"anon": True}


def test_throttled_decision_has_429_and_retry_after():
    e = authpolicy.Engine(
        make_config(
            DEFAULT_PERMISSION_CLASSES=["AllowAny"],
            DEFAULT_THROTTLE_CLASSES=["AnonRateThrottle"],
            DEFAULT_THROTTLE_RATES={"anon": "2/min"},
        )
    )
    assert e.decide(remote_addr="10.0.0.1").allowed
    assert e.decide(remote_addr="10.0.0.1").allowed
    d = e.decide(remote_addr="10.0.0.1")
    assert (d.status, d.code) == (429, "throttled")
    assert int(d.headers["Retry-After"]) > 0
    assert e.decide(remote_addr="10.0.0.2").allowed


def test_config_from_json_text(alice_key):
    e = authpolicy.Engine(json.dumps(make_config()))
    assert e.decide().status == 401


def test_config_from_file_resolves_database_next_to_it(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(make_config(DATABASE="users.sqlite3")))
    first = authpolicy.Engine(path)
    first.users.add("dora", password="pw")
    assert (tmp_path / "users.sqlite3").exists()
    second = authpolicy.Engine(str(path))  # str path, same database
    assert second.decide(headers=basic("dora", "pw")).allowed


def test_dict_config_database_resolves_against_base_dir(tmp_path):
    e = authpolicy.Engine(make_config(DATABASE="db.sqlite3"), base_dir=tmp_path)
    e.users.add("erin")
    assert (tmp_path / "db.sqlite3").exists()


def test_invalidate_caches_is_callable(engine, alice_key):
    assert engine.decide(headers=token(alice_key)).allowed
    engine.invalidate_caches()
    assert engine.decide(headers=token(alice_key)).allowed


def test_decision_repr_names_status_and_code(engine):
    assert repr(engine.decide()) == "<Decision 401 denied not_authenticated>"


def test_user_attributes_and_to_dict():
    e = authpolicy.Engine(
        make_config(DEFAULT_AUTHENTICATION_CLASSES=["BasicAuthentication"]),
        user_lookup=lambda username=None, id=None: {
            "id": 5,
            "username": username,
            "password": authpolicy.hash_password("pw", iterations=1000),
            "attributes": {"team": "blue", "scopes": ["read"]},
        },
    )
    user = e.decide(headers=basic("fred", "pw")).user
    assert user.attributes == {"team": "blue", "scopes": ["read"]}
    assert user.to_dict()["attributes"] == {"team": "blue", "scopes": ["read"]}
    assert repr(user) == "<User 'fred' id=5>"


def test_engine_repr_and_registered_authenticators(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(FAST))
    assert repr(authpolicy.Engine(path)) == f"<authpolicy.Engine {path}>"
