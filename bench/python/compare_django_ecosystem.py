#!/usr/bin/env python3
"""Per-call cost of the Django packages' own classes against the engine, on the same database:
simplejwt's JWTAuthentication().authenticate(request), DOT's OAuth2Authentication().authenticate
(request) and drf-api-key's HasAPIKey().has_permission(request, view) — Debian's Django 3.2,
DRF 3.14, simplejwt 5.2, DOT 1.7, drf-api-key 2.0 — on prebuilt DRF Requests, against one whole
engine decision through the C API (ctypes, tests/differential/capi.py: the ctypes call overhead
is included; the C figures are bench/django_ecosystem_bench.cc's). The database is the one
tests/differential/ecosystem_oracle.py builds (API keys re-hashed with 1,000 PBKDF2 iterations, so
the DRF figure for HasAPIKey is a lower bound: Django's default is 260,000).

    AUTHPOLICY_LIB=build-bench/capi/libauthpolicy.so.0 /usr/bin/python3 bench/python/compare_django_ecosystem.py
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DIFF = os.path.join(HERE, "..", "..", "tests", "differential")
sys.path.insert(0, DIFF)


def per_call_us(fn, calls=2000, rounds=5):
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter_ns() - start) / calls / 1000.0)
    return statistics.median(samples), min(samples)


def main():
    tmp = tempfile.mkdtemp(prefix="authp-eco-compare-")
    out = subprocess.run([sys.executable, os.path.join(DIFF, "ecosystem_oracle.py"), "build", tmp], check=True,
                         capture_output=True, text=True)
    fx = json.loads(out.stdout)
    import django
    from django.conf import settings
    settings.configure(
        SECRET_KEY=fx["secret_key"], USE_TZ=True, ALLOWED_HOSTS=["*"], PASSWORD_HASHERS=fx["hashers"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework",
                        "oauth2_provider", "rest_framework_api_key"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(tmp, "db.sqlite3")}},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    django.setup()
    from oauth2_provider.contrib.rest_framework import OAuth2Authentication
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory
    from rest_framework_api_key.permissions import HasAPIKey
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.tokens import AccessToken

    from capi import Engine
    from django.contrib.auth.models import User

    token = str(AccessToken.for_user(User.objects.get(username="alice")))
    factory = APIRequestFactory()

    def drf_request(header):
        return Request(factory.get("/x", HTTP_AUTHORIZATION=header))

    rows = []
    jwt_req = drf_request("Bearer " + token)
    dot_req = drf_request("Bearer " + fx["dot"]["rw"])
    key_req = drf_request("Api-Key " + fx["keys"]["valid"])
    assert JWTAuthentication().authenticate(jwt_req) and OAuth2Authentication().authenticate(dot_req)
    assert HasAPIKey().has_permission(key_req, None)
    drf = {"simplejwt": lambda: JWTAuthentication().authenticate(jwt_req),
           "dot": lambda: OAuth2Authentication().authenticate(dot_req),
           "api_key": lambda: HasAPIKey().has_permission(key_req, None)}
    engine = Engine({"CACHE": {"TTL": 60},
                     "DJANGO": {"DATABASE": os.path.join(tmp, "db.sqlite3"), "SECRET_KEY": fx["secret_key"],
                                "VERSION": "3.2", "PASSWORD_HASHERS": fx["hashers"]},
                     "VIEWS": {"simplejwt": {"authentication_classes": [
                                   "rest_framework_simplejwt.authentication.JWTAuthentication"],
                                   "permission_classes": ["IsAuthenticated"]},
                               "dot": {"authentication_classes": [
                                   "oauth2_provider.contrib.rest_framework.OAuth2Authentication"],
                                   "permission_classes": ["IsAuthenticated"]},
                               "api_key": {"authentication_classes": [],
                                           "permission_classes": ["rest_framework_api_key.permissions.HasAPIKey"]}}})
    headers = {"simplejwt": "Bearer " + token, "dot": "Bearer " + fx["dot"]["rw"],
               "api_key": "Api-Key " + fx["keys"]["valid"]}
    print(f"{'package':10} {'DRF + package (us/call)':>24} {'engine via ctypes (us/call)':>28} {'ratio':>7}")
    for name in ("simplejwt", "dot", "api_key"):
        def engine_call(name=name):
            engine.now = time.time()
            d = engine.decide(view=name, headers=[("Authorization", headers[name])])
            assert d["allowed"], d
        engine_call()
        drf_med, drf_min = per_call_us(drf[name], calls=500)
        eng_med, eng_min = per_call_us(engine_call, calls=2000)
        print(f"{name:10} {drf_med:15.1f} (min {drf_min:5.1f}) {eng_med:18.1f} (min {eng_min:5.1f}) {drf_med / eng_med:6.1f}x")
        rows.append((name, drf_med, eng_med))
    return 0


if __name__ == "__main__":
    sys.exit(main())
