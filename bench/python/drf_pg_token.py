#!/usr/bin/env python3
"""DRF's TokenAuthentication on PostgreSQL: the per-request cost of a token-authenticated view
through APIRequestFactory, for comparison with authp_pg_bench's BM_PgTokenCold on the same server
(docs/performance.md "PostgreSQL directory").

Debian's Django 3.2 + DRF 3.14 + psycopg2, the database over the same Unix socket as the C++
benchmark (AUTHP_TEST_PG_SOCKET_URL from scripts/pg-cluster.sh). The timed call is
``view(factory.get("/", HTTP_AUTHORIZATION="Token <key>"))`` on an APIView with
TokenAuthentication and IsAuthenticated, one of 1,000 tokens per call in turn (DRF caches nothing:
one SELECT of the token joined with its user per request, as the cold decision). A fresh database
is created and dropped.

    eval "$(bash scripts/pg-cluster.sh start /tmp/pgb)"
    /usr/bin/python3 bench/python/drf_pg_token.py [--rounds 5] [--number 2000]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import timeit
from urllib.parse import parse_qs, urlparse


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--number", type=int, default=2000)
    args = ap.parse_args()
    url = os.environ.get("AUTHP_TEST_PG_SOCKET_URL")
    if not url:
        print("AUTHP_TEST_PG_SOCKET_URL is not set (scripts/pg-cluster.sh start DIR)", file=sys.stderr)
        return 2
    u = urlparse(url)
    q = parse_qs(u.query)
    host, port = q["host"][0], q["port"][0]
    dbname = "authp_d_" + secrets.token_hex(4)

    import psycopg2

    admin = psycopg2.connect(host=host, port=port, user=u.username, dbname=u.path.lstrip("/"))
    admin.autocommit = True
    admin.cursor().execute("CREATE DATABASE " + dbname)
    try:
        from django.conf import settings

        settings.configure(
            DEBUG=False,
            SECRET_KEY="authpolicy-bench",
            ALLOWED_HOSTS=["*"],
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "rest_framework",
                "rest_framework.authtoken",
            ],
            DATABASES={
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": dbname,
                    "USER": u.username,
                    "HOST": host,
                    "PORT": port,
                    "CONN_MAX_AGE": None,  # one persistent connection, as the engine's pool
                }
            },
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
            USE_TZ=True,
            REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
        )
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from rest_framework.authentication import TokenAuthentication
        from rest_framework.authtoken.models import Token
        from rest_framework.permissions import IsAuthenticated
        from rest_framework.response import Response
        from rest_framework.test import APIRequestFactory
        from rest_framework.views import APIView

        call_command("migrate", verbosity=0)
        user = User.objects.create_user("alice", password=None)
        keys = [secrets.token_hex(20) for _ in range(1000)]
        # authtoken's key is the primary key: one token per user in DRF, so 1,000 users.
        users = [user] + [User.objects.create_user(f"u{i}", password=None) for i in range(1, 1000)]
        Token.objects.bulk_create([Token(key=k, user=x) for k, x in zip(keys, users)])

        class V(APIView):
            authentication_classes = [TokenAuthentication]
            permission_classes = [IsAuthenticated]

            def get(self, request):
                return Response(status=200)

        view = V.as_view()
        factory = APIRequestFactory()
        requests = [factory.get("/", HTTP_AUTHORIZATION="Token " + k) for k in keys]
        state = {"i": 0}

        def one():
            r = view(requests[state["i"] % 1000])
            state["i"] += 1
            if r.status_code != 200:
                raise SystemExit("not allowed: %d" % r.status_code)

        # The same path without the database: an AllowAny view with no authenticator (the floor of
        # DRF's own machinery, for reading the figure).
        class Open(APIView):
            authentication_classes = []
            permission_classes = []

            def get(self, request):
                return Response(status=200)

        open_view = Open.as_view()
        open_req = factory.get("/")

        def floor():
            open_view(open_req)

        for _ in range(200):
            one()
        per_call = [t / args.number * 1e6 for t in timeit.repeat(one, number=args.number, repeat=args.rounds)]
        per_floor = [t / args.number * 1e6 for t in timeit.repeat(floor, number=args.number, repeat=args.rounds)]
        print(f"python {sys.version.split()[0]}, Django {django.get_version()}, DRF "
              f"{__import__('rest_framework').VERSION}, psycopg2 {psycopg2.__version__.split()[0]}")
        print(f"DRF TokenAuthentication + IsAuthenticated, APIView via APIRequestFactory, PostgreSQL over the Unix socket: "
              f"median {statistics.median(per_call):.1f} us (min {min(per_call):.1f}) per request, rounds "
              + ", ".join(f"{x:.1f}" for x in per_call))
        print(f"DRF APIView with no authenticator or permission (no database): "
              f"median {statistics.median(per_floor):.1f} us (min {min(per_floor):.1f})")
        from django.db import connections

        connections.close_all()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
