"""Engine.reload: a new policy without a restart; a bad one raises and the old one keeps serving."""

from __future__ import annotations

import threading

import pytest

import authpolicy
from support import FAST, basic


def test_reload_swaps_the_policy_and_refuses_a_bad_one():
    # LOGIN_FAILURES off: the decisions below repeat one unknown user's Basic login on purpose.
    open_policy = {"DEFAULT_PERMISSION_CLASSES": ["AllowAny"], "VIEWS": {"a": {}}, "LOGIN_FAILURES": None, **FAST}
    closed = {"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"], "VIEWS": {"b": {}}, "LOGIN_FAILURES": None, **FAST}
    seen = []
    engine = authpolicy.Engine(open_policy, user_lookup=lambda username=None, id=None: seen.append(username))
    assert engine.decide().allowed and engine.has_view("a")

    stop = threading.Event()
    odd = []

    def decide_forever():
        while not stop.is_set():
            d = engine.decide(headers=basic("bob", "pw"))
            if d.status not in (200, 401, 403):
                odd.append(d.status)

    threads = [threading.Thread(target=decide_forever) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(20):
            engine.reload(closed if i % 2 == 0 else open_policy)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert odd == []

    engine.reload(closed)
    assert engine.decide().status == 401 and engine.has_view("b") and not engine.has_view("a")
    assert "bob" in seen  # the callback registered at construction is still used after reloads
    with pytest.raises(authpolicy.ConfigError, match="NoSuchAuthentication"):
        engine.reload({"DEFAULT_AUTHENTICATION_CLASSES": ["NoSuchAuthentication"]})
    assert engine.decide().status == 401  # the old policy keeps serving
