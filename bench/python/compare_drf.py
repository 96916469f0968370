#!/usr/bin/env python3
"""Per-call cost of DRF's TokenAuthentication / BasicAuthentication against authpolicy's
engine.decide(), for the same users, passwords and token keys, in one process.

DRF side: Debian's Django 3.2 + DRF 3.14, SQLite, Django's default hasher (PBKDF2-SHA256,
260,000 iterations); the timed call is ``TokenAuthentication().authenticate(request)`` /
``BasicAuthentication().authenticate(request)`` on a prebuilt DRF Request.
authpolicy side: ``engine.decide(method="GET", path="/", headers={...}, view=...)`` on an engine
whose built-in SQLite directory holds the same users (PBKDF2 with the same 260,000 iterations)
and the same token keys (DRF's authtoken rows are created with the engine's keys), with DRF's
IsAuthenticated permission. Every figure is the median (and minimum) over rounds of the per-call
time of a timed loop.

Run from the repository root, after `pip install .` into a venv made with
`/usr/bin/python3 -m venv --system-site-packages .venv`:

    .venv/bin/python bench/python/compare_drf.py [--users 20] [--rounds 5] [--check]

Targets: a token decision >= 50x faster than DRF's TokenAuthentication; a repeated Basic
decision >= 10,000x faster than DRF's BasicAuthentication with Django's PBKDF2.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

DJANGO_PBKDF2_ITERATIONS = 260_000  # Django 3.2's PBKDF2PasswordHasher.iterations


def configure_django(tmp: Path) -> None:
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="authpolicy-bench",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "rest_framework.authtoken",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp / "django.sqlite3")}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
        # PASSWORD_HASHERS left at Django's default: PBKDF2PasswordHasher first.
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def per_call_us(fn: Callable[[], None], calls: int, rounds: int) -> Tuple[float, float]:
    """(median, min) over rounds of the per-call time in microseconds of `calls` calls."""
    samples = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter_ns()
        fn_calls = calls
        while fn_calls:
            fn()
            fn_calls -= 1
        samples.append((time.perf_counter_ns() - start) / calls / 1000.0)
    return statistics.median(samples), min(samples)


def cycler(items: Sequence) -> Callable[[], object]:
    state = {"i": 0}
    n = len(items)

    def next_item():
        i = state["i"]
        state["i"] = i + 1 if i + 1 < n else 0
        return items[i]

    return next_item


def basic_header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="users (and tokens) on each side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--token-calls", type=int, default=2_000, help="DRF token calls per round")
    parser.add_argument("--basic-calls", type=int, default=3, help="DRF Basic (PBKDF2) calls per round")
    parser.add_argument("--engine-calls", type=int, default=100_000, help="engine calls per round")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="authpolicy-bench-"))
    configure_django(tmp)

    import django
    import rest_framework
    from django.contrib.auth.models import User
    from django.test import RequestFactory
    from rest_framework.authentication import BasicAuthentication, TokenAuthentication
    from rest_framework.authtoken.models import Token
    from rest_framework.request import Request

    import authpolicy
    from authpolicy.drf import django_user_lookup

    engine = authpolicy.Engine(
        {
            "DATABASE": str(tmp / "policy.sqlite3"),
            "PASSWORD_ITERATIONS": DJANGO_PBKDF2_ITERATIONS,
            "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
            "VIEWS": {
                "token": {"authentication_classes": ["TokenAuthentication"]},
                "basic": {"authentication_classes": ["BasicAuthentication"]},
            },
        }
    )
    # The engine verifying Django's own auth_user hashes through a Python user_lookup.
    via_django = authpolicy.Engine(
        {"DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication"], "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]},
        user_lookup=django_user_lookup,
    )

    factory = RequestFactory()
    users = []
    for i in range(args.users):
        name, password = f"user{i:03d}", f"password-{i:03d}"
        django_user = User.objects.create_user(name, password=password)  # PBKDF2, 260,000 iterations
        engine.users.add(name, password=password)
        key = engine.tokens.create(name, name="bench")
        Token.objects.create(user=django_user, key=key)  # the same key on both sides
        users.append((name, password, key))

    token_headers = [{"Authorization": "Token " + key} for _, _, key in users]
    basic_headers = [{"Authorization": basic_header(name, pw)} for name, pw, _ in users]
    drf_token_requests = [Request(factory.get("/", HTTP_AUTHORIZATION=h["Authorization"])) for h in token_headers]
    drf_basic_requests = [Request(factory.get("/", HTTP_AUTHORIZATION=h["Authorization"])) for h in basic_headers]

    # Sanity: both sides accept every credential.
    for req, h in zip(drf_token_requests, token_headers):
        assert TokenAuthentication().authenticate(req) is not None
        assert engine.decide(method="GET", path="/", headers=h, view="token").allowed
    for h in basic_headers[:2]:
        assert engine.decide(method="GET", path="/", headers=h, view="basic").allowed
        assert via_django.decide(method="GET", path="/", headers=h).allowed
    assert BasicAuthentication().authenticate(drf_basic_requests[0]) is not None

    drf_token, drf_basic = TokenAuthentication(), BasicAuthentication()
    next_drf_token, next_drf_basic = cycler(drf_token_requests), cycler(drf_basic_requests)
    next_token, next_basic = cycler(token_headers), cycler(basic_headers)
    decide = engine.decide

    results: Dict[str, Dict[str, Tuple[float, float]]] = {}
    results["token"] = {
        "drf": per_call_us(lambda: drf_token.authenticate(next_drf_token()), args.token_calls, args.rounds),
        "engine": per_call_us(
            lambda: decide(method="GET", path="/", headers=next_token(), view="token"), args.engine_calls, args.rounds
        ),
    }
    results["basic_repeated"] = {
        "drf": per_call_us(lambda: drf_basic.authenticate(next_drf_basic()), args.basic_calls, args.rounds),
        "engine": per_call_us(
            lambda: decide(method="GET", path="/", headers=next_basic(), view="basic"), args.engine_calls, args.rounds
        ),
    }

    def engine_basic_cold():
        engine.invalidate_caches()
        decide(method="GET", path="/", headers=next_basic(), view="basic")

    results["basic_first"] = {
        "drf": results["basic_repeated"]["drf"],
        "engine": per_call_us(engine_basic_cold, args.basic_calls, args.rounds),
    }
    via_decide = via_django.decide
    results["basic_user_lookup"] = {
        "drf": results["basic_repeated"]["drf"],
        "engine": per_call_us(lambda: via_decide(method="GET", path="/", headers=next_basic()), args.engine_calls,
                              args.rounds),
    }

    rows = [
        ("Token, valid key", "token", "TokenAuthentication.authenticate()", 50),
        ("Basic, repeated credentials (engine cache hit)", "basic_repeated", "BasicAuthentication.authenticate()",
         10_000),
        ("Basic, first call (cache miss: one PBKDF2 each side)", "basic_first", "BasicAuthentication.authenticate()",
         None),
        ("Basic, repeated, users from Django's auth_user via user_lookup", "basic_user_lookup",
         "BasicAuthentication.authenticate()", 10_000),
    ]
    versions = (
        f"Python {platform.python_version()}, Django {django.get_version()}, DRF {rest_framework.VERSION}, "
        f"authpolicy {authpolicy.__version__}; {args.users} users, {args.rounds} rounds; "
        f"PBKDF2-SHA256 {DJANGO_PBKDF2_ITERATIONS:,} iterations on both sides"
    )
    print(versions)
    print()
    print("| scenario | DRF 3.14 call | DRF µs/call median (min) | engine.decide() µs/call median (min) | speed-up | target |")
    print("|---|---|---|---|---|---|")
    missed = []
    report = {"versions": versions, "rows": []}
    for label, key, drf_call, target in rows:
        drf, eng = results[key]["drf"], results[key]["engine"]
        ratio = drf[0] / eng[0]
        if target is None:
            verdict = "—"
        elif ratio >= target:
            verdict = f"≥ {target:,}×: met"
        else:
            verdict = f"≥ {target:,}×: MISSED"
            missed.append(label)
        print(f"| {label} | {drf_call} | {drf[0]:,.1f} ({drf[1]:,.1f}) | {eng[0]:,.2f} ({eng[1]:,.2f}) "
              f"| {ratio:,.0f}× | {verdict} |")
        report["rows"].append({"scenario": label, "drf_us": drf, "engine_us": eng, "speedup": ratio,
                               "target": target})
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if missed and args.check:
        print("targets missed: " + ", ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
