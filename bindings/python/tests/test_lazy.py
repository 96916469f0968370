"""engine.request(): DRF's lazy request.user / request.auth (authenticate on first read, once)."""

from __future__ import annotations

import authpolicy
from support import basic, make_config


class CountingAuth(authpolicy.BaseAuthentication):
    """Authenticates X-User: <name>; counts its calls."""

    def __init__(self):
        self.calls = 0

    def authenticate(self, request):
        self.calls += 1
        name = request.headers.get("X-User")
        return ({"username": name}, {"via": "x-user"}) if name else None

    def authenticate_header(self, request):
        return "XUser"


def lazy_engine():
    counter = CountingAuth()
    config = make_config(
        DEFAULT_AUTHENTICATION_CLASSES=["Counting"],
        DEFAULT_PERMISSION_CLASSES=["AllowAny"],
        PERFORM_AUTHENTICATION=False,
        VIEWS={"private": {"permission_classes": ["IsAuthenticated"]}},
    )
    return authpolicy.Engine(config, authenticators={"Counting": counter}), counter


def test_authenticator_not_called_for_allow_any_lazy_view_when_nobody_reads_user():
    engine, counter = lazy_engine()
    req = engine.request(headers={"X-User": "alice"})
    d = req.decide()
    assert d.allowed and counter.calls == 0
    assert req.auth_status == "not_run" and d.user is None  # authentication did not run
    assert engine.decide(headers={"X-User": "alice"}).allowed and counter.calls == 0


def test_authenticator_called_exactly_once_when_user_is_read_twice():
    engine, counter = lazy_engine()
    req = engine.request(headers={"X-User": "alice"})
    assert counter.calls == 0 and req.auth_status == "not_run"
    assert req.user.username == "alice"
    assert req.user.username == "alice"
    assert req.auth == {"via": "x-user"}
    assert counter.calls == 1
    assert req.auth_status == "authenticated" and req.authenticator == "Counting"


def test_decide_after_reading_user_reuses_the_authentication():
    engine, counter = lazy_engine()
    req = engine.request(headers={"X-User": "alice"}, view="private")
    assert req.user.username == "alice"
    d = req.decide()
    assert d.allowed and d.user.username == "alice" and counter.calls == 1


def test_permission_that_reads_the_user_authenticates_once():
    engine, counter = lazy_engine()
    d = engine.decide(view="private")
    assert d.status == 401 and d.headers == {"WWW-Authenticate": "XUser"} and counter.calls == 1


def test_request_authenticate_returns_the_status():
    engine, counter = lazy_engine()
    assert engine.request().authenticate() == "anonymous"
    assert engine.request(headers={"X-User": "bo"}).authenticate() == "authenticated"
    assert counter.calls == 2


def test_failed_authentication_is_reported_and_user_is_anonymous():
    engine = authpolicy.Engine(make_config(DEFAULT_PERMISSION_CLASSES=["AllowAny"]))
    req = engine.request(headers=basic("nobody", "x"))
    assert req.auth_failure is None  # does not authenticate
    assert req.user.is_anonymous
    assert req.auth_status == "failed" and req.auth_failure == "Invalid username/password."
    assert req.decide().status == 401


def test_request_exposes_its_fields_and_challenge():
    engine, _ = lazy_engine()
    req = engine.request("DELETE", "/x", headers={"X-User": "a"}, view="private", remote_addr="::1", secure=True)
    assert (req.method, req.path, req.view, req.remote_addr, req.secure) == ("DELETE", "/x", "private", "::1", True)
    assert req.headers.get("x-user") == "a"
    assert req.challenge == "XUser"
    assert req.auth_status == "not_run"  # reading the challenge does not authenticate
    assert repr(req) == "<Request DELETE /x auth=not_run>"


def test_challenge_of_basic_view_and_none_for_remote_user():
    engine = authpolicy.Engine(
        make_config(VIEWS={"remote": {"authentication_classes": ["RemoteUserAuthentication"]}})
    )
    assert engine.request().challenge == 'Basic realm="api"'
    assert engine.request(view="remote").challenge is None
