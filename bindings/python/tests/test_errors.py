"""Bad input gives clear exceptions: wrong types are TypeErrors, library failures are
authpolicy.Error subclasses carrying the C API's message and code."""

from __future__ import annotations

import json

import pytest

import authpolicy
from support import make_config


def test_error_classes_form_one_hierarchy():
    for cls in (
        authpolicy.ConfigError,
        authpolicy.StoreError,
        authpolicy.NotFoundError,
        authpolicy.ExistsError,
        authpolicy.InvalidArgumentError,
        authpolicy.CallbackError,
        authpolicy.MisuseError,
        authpolicy.CryptoError,
        authpolicy.VersionError,
        authpolicy.NoMemoryError,
    ):
        assert issubclass(cls, authpolicy.Error)
    assert issubclass(authpolicy.ConfigError, ValueError)
    assert issubclass(authpolicy.NotFoundError, LookupError)
    assert not issubclass(authpolicy.AuthenticationFailed, authpolicy.Error)


def test_config_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="config must be a dict, JSON text or the path of a JSON file, not int"):
        authpolicy.Engine(123)


def test_invalid_json_text_is_a_config_error():
    with pytest.raises(authpolicy.ConfigError, match="not valid JSON") as info:
        authpolicy.Engine("{not json")
    assert info.value.code == -10 and info.value.message == str(info.value)


def test_unknown_key_names_its_place():
    with pytest.raises(authpolicy.ConfigError, match=r"\$\.VIEWS\.admin\.colour: unknown key"):
        authpolicy.Engine({"VIEWS": {"admin": {"colour": "red"}}})


def test_unknown_authentication_class_names_its_index():
    with pytest.raises(authpolicy.ConfigError, match=r"DEFAULT_AUTHENTICATION_CLASSES\[1\].*'Nope'"):
        authpolicy.Engine({"DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "Nope"]})


def test_wrong_value_type_in_config_is_a_config_error():
    with pytest.raises(authpolicy.ConfigError, match=r"\$\.PASSWORD_ITERATIONS"):
        authpolicy.Engine({"PASSWORD_ITERATIONS": "many"})


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(authpolicy.ConfigError, match="cannot read configuration file"):
        authpolicy.Engine(str(tmp_path / "absent.json"))


def test_unopenable_database_is_a_store_error(tmp_path):
    with pytest.raises(authpolicy.StoreError, match="cannot open database") as info:
        authpolicy.Engine({"DATABASE": str(tmp_path / "no" / "such" / "dir.sqlite3")})
    assert info.value.code == -6


def test_store_error_during_decide_carries_the_safe_denial():
    # A throttle backend that cannot be reached, failing closed: the engine answers 503.
    e = authpolicy.Engine(
        make_config(
            DEFAULT_PERMISSION_CLASSES=["AllowAny"],
            DEFAULT_THROTTLE_CLASSES=["AnonRateThrottle"],
            DEFAULT_THROTTLE_RATES={"anon": "100/min"},
            THROTTLE_BACKEND={"TYPE": "redis", "HOST": "127.0.0.1", "PORT": 1, "TIMEOUT_MS": 50,
                              "FAILURE_MODE": "closed"},
        ),
        logger=None,
    )
    with pytest.raises(authpolicy.StoreError) as info:
        e.decide(remote_addr="10.0.0.1")
    assert info.value.decision is not None
    assert (info.value.decision.status, info.value.decision.code) == (503, "service_unavailable")
    assert info.value.decision.detail == "Authentication is temporarily unavailable."


def test_non_callable_user_lookup_is_a_type_error():
    with pytest.raises(TypeError, match="user_lookup must be callable or None, not str"):
        authpolicy.Engine({}, user_lookup="users.lookup")


def test_authenticator_without_authenticate_is_a_type_error():
    with pytest.raises(TypeError, match="must have an authenticate"):
        authpolicy.Engine({}, authenticators={"X": object()})
    with pytest.raises(TypeError, match="does not override authenticate"):
        authpolicy.Engine({}, authenticators={"X": authpolicy.BaseAuthentication})


def test_authenticator_with_a_builtin_name_is_exists_error():
    class Mine(authpolicy.BaseAuthentication):
        def authenticate(self, request):
            return None

    with pytest.raises(authpolicy.ExistsError, match="built-in"):
        authpolicy.Engine({}, authenticators={"BasicAuthentication": Mine})


def test_unregistered_custom_class_is_a_config_error():
    with pytest.raises(authpolicy.ConfigError, match="unknown authentication class 'ApiKey'"):
        authpolicy.Engine({"DEFAULT_AUTHENTICATION_CLASSES": ["ApiKey"]})


def test_decide_argument_types_are_checked(engine):
    with pytest.raises(TypeError, match="method must be str or bytes, not int"):
        engine.decide(method=1)
    with pytest.raises(TypeError, match="view must be str or bytes, not list"):
        engine.decide(view=["a"])
    with pytest.raises(TypeError, match="headers must be a mapping or an iterable of"):
        engine.decide(headers=5)
    with pytest.raises(TypeError, match="not a string"):
        engine.decide(headers="Authorization: x")
    with pytest.raises(TypeError, match="a header value must be str or bytes, not NoneType"):
        engine.decide(headers={"Authorization": None})
    with pytest.raises(TypeError, match=r"\(name, value\) pair"):
        engine.decide(headers=[("a", "b", "c")])
    with pytest.raises(TypeError):
        engine.decide(unknown=1)


def test_empty_header_name_is_invalid_argument(engine):
    with pytest.raises(authpolicy.InvalidArgumentError, match="empty header name"):
        engine.decide(headers={"": "x"})


def test_oversize_header_is_a_400_decision_not_an_error(engine):
    d = engine.decide(headers={"Authorization": "Token " + "a" * 100_000})
    assert (d.status, d.code) == (400, "parse_error")


def test_directory_argument_errors(engine):
    with pytest.raises(TypeError, match="username must be str or bytes, not int"):
        engine.users.add(5)
    with pytest.raises(authpolicy.InvalidArgumentError, match="username may not contain"):
        engine.users.add("with space")
    with pytest.raises(authpolicy.InvalidArgumentError, match="1 to 150 bytes"):
        engine.users.add("")


def test_error_message_never_quotes_the_configuration():
    secret = "hunter2-secret-value"
    with pytest.raises(authpolicy.ConfigError) as info:
        authpolicy.Engine(json.dumps({"DATABASE": 42, "X": secret}))
    assert secret not in str(info.value)


def test_strerror_gives_static_text():
    assert authpolicy.strerror(-2) == "not found"
