"""Differential test: DRF 3.14's throttles (Debian's python3-djangorestframework) and the engine
replay the same request sequences with the same mocked clock and must agree on every status and
every Retry-After header."""
import random

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework import throttling
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from capi import Engine

RATES = ["1/sec", "3/sec", "2/min", "3/min", "5/min", "6/min", "10/hour", "1/day", "0/min"]
STEPS = [0, 0, 0.2, 0.5, 1, 1, 3, 10, 20, 29.9, 59.9, 60, 61]
ADDRS = ["1.1.1.1", "2.2.2.2", None]
XFFS = [None, "0.0.0.0, 1.1.1.1, 2.2.2.2", "4.4.4.4, 5.5.5.5, 2.2.2.2", " 9.9.9.9 ", ""]
CLASSES = {"anon": throttling.AnonRateThrottle, "user": throttling.UserRateThrottle}

NOW = [0.0]


class FakeUser:
    """What DRF's throttles read from an authenticated user."""

    is_authenticated = True

    def __init__(self, pk):
        self.pk = pk


def scenario(seed):
    rng = random.Random(seed)
    throttles = []
    for i in range(rng.choice([1, 1, 2, 3])):
        kind = rng.choice(["anon", "user", "user", "scoped"])
        throttles.append({"kind": kind, "rate": rng.choice(RATES), "scope": f"s{i}" if kind != "scoped" else None})
    num_proxies = rng.choice([None, None, 0, 1, 2])
    view_scope = rng.choice(["up", "down"])
    requests, t = [], 0.0
    for _ in range(rng.randint(15, 30)):
        t += rng.choice(STEPS)
        requests.append({"t": t, "addr": rng.choice(ADDRS), "xff": rng.choice(XFFS), "user": rng.choice([None, None, 1, 2])})
    return throttles, num_proxies, view_scope, requests


def drf_view(throttles, view_scope):
    classes = []
    scoped_rates = {}
    for spec in throttles:
        if spec["kind"] == "scoped":
            scoped_rates[view_scope] = spec["rate"]
            cls = type("Scoped", (throttling.ScopedRateThrottle,), {"THROTTLE_RATES": scoped_rates,
                                                                    "timer": lambda self: NOW[0]})
        else:
            cls = type(spec["scope"], (CLASSES[spec["kind"]],), {"rate": spec["rate"], "scope": spec["scope"],
                                                                 "timer": lambda self: NOW[0]})
        classes.append(cls)

    class View(APIView):
        authentication_classes = []
        permission_classes = []
        throttle_classes = classes
        throttle_scope = view_scope

        def get(self, request):
            return Response({"ok": True})

    return View.as_view()


def engine_config(throttles, num_proxies, view_scope):
    classes, rates = [], {}
    for spec in throttles:
        if spec["kind"] == "scoped":
            classes.append("ScopedRateThrottle")
            rates[view_scope] = spec["rate"]
        else:
            cls = "AnonRateThrottle" if spec["kind"] == "anon" else "UserRateThrottle"
            classes.append({"class": cls, "rate": spec["rate"], "scope": spec["scope"]})
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [{"class": "RemoteUserAuthentication", "create_unknown_user": False}],
        "DEFAULT_PERMISSION_CLASSES": ["AllowAny"],
        "DEFAULT_THROTTLE_CLASSES": classes,
        "DEFAULT_THROTTLE_RATES": rates,
        "NUM_PROXIES": num_proxies,
        "CLIENT_IDENTITY": "drf",  # DRF's unset NUM_PROXIES rule (the engine's default ignores X-Forwarded-For)
        "LOGIN_FAILURES": None,  # DRF never refuses a login for earlier failures
        "VIEWS": {"v": {"throttle_scope": view_scope}},
    }


SEEDS = range(40)
TOTALS = {"cases": 0, "agreements": 0}


@pytest.mark.parametrize("seed", SEEDS)
def test_throttle_sequences_match_drf(seed):
    throttles, num_proxies, view_scope, requests = scenario(seed)
    cache.clear()
    engine = Engine(engine_config(throttles, num_proxies, view_scope))
    engine.add_user("u1")  # ids 1 and 2, as the DRF users' pks
    engine.add_user("u2")
    factory = APIRequestFactory()
    with override_settings(REST_FRAMEWORK={"NUM_PROXIES": num_proxies}):
        view = drf_view(throttles, view_scope)
        for r in requests:
            NOW[0] = engine.now = r["t"]
            meta = {}
            if r["xff"] is not None:
                meta["HTTP_X_FORWARDED_FOR"] = r["xff"]
            request = factory.get("/", **meta)
            if r["addr"] is None:
                del request.META["REMOTE_ADDR"]
            else:
                request.META["REMOTE_ADDR"] = r["addr"]
            if r["user"]:
                force_authenticate(request, user=FakeUser(r["user"]))
            response = view(request)
            expected = (response.status_code, response.get("Retry-After"))

            headers = [("X-Forwarded-For", r["xff"])] if r["xff"] is not None else []
            got = engine.decide(view="v", remote_addr=r["addr"], remote_user=f"u{r['user']}" if r["user"] else None,
                                headers=headers)
            actual = (got["status"], got["headers"].get("Retry-After"))
            TOTALS["cases"] += 1
            TOTALS["agreements"] += expected == actual
            assert actual == expected, f"seed {seed} at t={r['t']} request {r}: DRF {expected}, engine {actual}"


def test_report_totals():
    print(f"\nthrottle differential: {TOTALS['cases']} requests replayed, {TOTALS['agreements']} agreements")
    assert TOTALS["cases"] >= 600
    assert TOTALS["cases"] == TOTALS["agreements"]
