"""A fresh PostgreSQL database per test run, under the cluster AUTHP_TEST_PG_URL names
(scripts/pg-cluster.sh: role with CREATEDB). Without the variable the run FAILS: a PostgreSQL
differential that silently skipped would prove nothing."""
import os
import secrets
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest


def server_url():
    url = os.environ.get("AUTHP_TEST_PG_URL")
    if not url:
        pytest.fail("AUTHP_TEST_PG_URL is not set: this test needs a PostgreSQL server. Start a throwaway one with\n"
                    "  eval \"$(bash scripts/pg-cluster.sh start /tmp/pgc)\"\nand run it again.", pytrace=False)
    return url


class Database:
    """CREATE DATABASE on construction; drop() removes it (closing any session still open)."""

    def __init__(self):
        import psycopg2
        self._server = server_url()
        self.name = "authp_dj_" + secrets.token_hex(6)
        with self._admin() as conn:
            conn.cursor().execute(f"CREATE DATABASE {self.name}")
        parts = urlsplit(self._server)
        self.url = urlunsplit(parts._replace(path="/" + self.name))  # the engine's DJANGO.DATABASE
        self.django = {"ENGINE": "django.db.backends.postgresql", "NAME": self.name,
                       "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
                       "HOST": parts.hostname or "", "PORT": str(parts.port or "")}
        self._psycopg2 = psycopg2

    def _admin(self):
        import psycopg2

        class Admin:
            def __enter__(inner):
                inner.conn = psycopg2.connect(self._server)
                inner.conn.autocommit = True
                return inner.conn

            def __exit__(inner, *exc):
                inner.conn.close()
        return Admin()

    def snapshot(self):
        """Every row of every table, as text: equal snapshots mean nothing was written."""
        conn = self._psycopg2.connect(self.url)
        try:
            cur = conn.cursor()
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                        "ORDER BY table_name")
            out = {}
            for (table,) in cur.fetchall():
                cur.execute(f'SELECT * FROM "{table}"')
                out[table] = sorted(repr(row) for row in cur.fetchall())
            return out
        finally:
            conn.close()

    def drop(self):
        with self._admin() as conn:
            conn.cursor().execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
