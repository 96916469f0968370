"""Differential test: a real Django 3.2 project database (built by django_oracle.py in its own
process: migrate, users with several hashers, DRF tokens, logged-in sessions, CSRF cookies) and
DRF 3.14's APIViews on one side; the engine reading the same database through "DJANGO" on the
other. Every generated request must get the same status, detail, WWW-Authenticate and user.

Each user model runs: Django's auth.User, an AbstractUser logging in by e-mail (is_active in a
column named `active`), and an AbstractBaseUser without is_active/is_staff/is_superuser fields
(DJANGO.USER_MODEL). AUTHP_DIFF_DJANGO_DB=postgresql runs everything with Django on PostgreSQL
(a fresh database under AUTHP_TEST_PG_URL, which must be set); the default is SQLite."""
import base64
import json
import os
import subprocess
import sys

import pytest

from capi import Engine, EngineError
from pg_databases import Database

BACKEND = os.environ.get("AUTHP_DIFF_DJANGO_DB", "sqlite")
assert BACKEND in ("sqlite", "postgresql"), f"AUTHP_DIFF_DJANGO_DB={BACKEND!r}: expected sqlite or postgresql"
# DJANGO.USER_MODEL for each model of django_oracle.py (None: Django's default auth_user).
USER_MODELS = {
    "auth": None,
    "email": {"TABLE": "emailusers_emailuser", "USERNAME_FIELD": "email", "FIELDS": {"is_active": "active"}},
    "base": {"TABLE": "base_account", "USERNAME_FIELD": "login",
             "FIELDS": {"is_active": None, "is_staff": None, "is_superuser": None}},
}

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "django_oracle.py")

VIEWS = {
    "session": {"auth": ["SessionAuthentication"], "perms": ["IsAuthenticated"]},
    "drf_default": {"auth": ["SessionAuthentication", "BasicAuthentication"], "perms": ["IsAuthenticated"]},
    "all": {"auth": ["SessionAuthentication", "TokenAuthentication", "BasicAuthentication"],
            "perms": ["IsAuthenticated"]},
    "token_first": {"auth": ["TokenAuthentication", "SessionAuthentication", "BasicAuthentication"],
                    "perms": ["IsAuthenticatedOrReadOnly"]},
    "basic_first": {"auth": ["BasicAuthentication", "SessionAuthentication", "TokenAuthentication"],
                    "perms": ["IsAdminUser"]},
    "admin_or_ro": {"auth": ["SessionAuthentication", "TokenAuthentication"],
                    "perms": [{"or": ["IsAdminUser", "IsAuthenticatedOrReadOnly"]}]},
    "not_auth": {"auth": ["SessionAuthentication", "TokenAuthentication"], "perms": [{"not": "IsAuthenticated"}]},
    "anyone": {"auth": ["SessionAuthentication", "TokenAuthentication", "BasicAuthentication"], "perms": ["AllowAny"]},
}


def basic(text):
    return "Basic " + base64.b64encode(text.encode()).decode()


def generate(fx):
    tokens, sessions, csrf, logins = fx["tokens"], fx["sessions"], fx["csrf"], fx["logins"]
    creds = [{}]
    for name in ["john", "staff", "off", "argon", "short"]:
        creds.append({"Authorization": "Token " + tokens[name]})
    creds += [{"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"},
              {"Authorization": "Token " + tokens["john"][:8]},
              {"Authorization": "Token"}, {"Authorization": "Token a b"},
              {"Authorization": "token " + tokens["john"]}, {"Authorization": "Bearer " + tokens["john"]}]
    for user, pw in [("john", "pw-john"), ("john", "wrong"), ("jane", "pw-jane"), ("slow", "pw-slow"),
                     ("sha1", "pw-sha1"), ("argon", "pw-argon"), ("argon", "pw-argo"), ("md5", "pw-md5"),
                     ("staff", "pw-staff"), ("root", "pw-root"), ("off", "pw-off"), ("nopw", "x"),
                     ("ghost", "pw-john")]:
        creds.append({"Authorization": basic(f"{logins[user]}:{pw}")})
    # ("Basic !!!!" decodes to text without ':': DRF 3.14 and ≥ 3.15 differ there; the engine is 3.15.)
    creds += [{"Authorization": "Basic"}, {"Authorization": "Basic a b"}, {"Authorization": "Basic a"}]

    cases = []
    for view in VIEWS:
        for headers in creds:
            for method in ["GET", "POST"]:
                cases.append({"view": view, "method": method, "headers": headers})
        for name, key in sessions.items():
            cookie = f"sessionid={key}; csrftoken={csrf['masked']}"
            cases.append({"view": view, "method": "GET", "headers": {"Cookie": f"sessionid={key}"}})
            cases.append({"view": view, "method": "POST", "headers": {"Cookie": f"sessionid={key}"}})
            cases.append({"view": view, "method": "PUT", "headers": {"Cookie": cookie, "X-CSRFToken": csrf["masked2"]}})
        key = sessions["john"]
        csrf_cases = [
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}"}, None, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}", "X-CSRFToken": csrf["secret"]}, None, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['secret']}", "X-CSRFToken": csrf["masked"]}, None, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}", "X-CSRFToken": csrf["other"]}, None, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}", "X-CSRFToken": csrf["secret"][:31] + "!"},
             None, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked'][:63]}!", "X-CSRFToken": csrf["secret"]},
             None, False),
            ({"Cookie": f"sessionid={key}; csrftoken=", "X-CSRFToken": csrf["secret"]}, None, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}"}, {"csrfmiddlewaretoken": csrf["masked2"]},
             False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}", "X-CSRFToken": csrf["other"]},
             {"csrfmiddlewaretoken": csrf["secret"]}, False),
            ({"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}", "X-CSRFToken": csrf["masked2"],
              "Origin": "https://evil.com"}, None, False),
        ]
        good = {"Cookie": f"sessionid={key}; csrftoken={csrf['masked']}", "X-CSRFToken": csrf["masked2"]}
        for referer in [None, "https://evil.com/", "http://testserver/", "nonsense", "https://testserver/x",
                        "https://testserver:8443/", "HTTPS://testserver/y?#"]:
            headers = dict(good)
            if referer:
                headers["Referer"] = referer
            csrf_cases.append((headers, None, True))
        for headers, form, secure in csrf_cases:
            cases.append({"view": view, "method": "POST", "headers": headers, "form": form, "secure": secure})
    return cases


class Project:
    def __init__(self, directory, fx, user_model, database, pg=None):
        self.directory, self.fx, self.user_model, self.database, self.pg = directory, fx, user_model, database, pg


@pytest.fixture(scope="module", params=list(USER_MODELS))
def project(request, tmp_path_factory):
    directory = str(tmp_path_factory.mktemp(f"django_project_{request.param}"))
    options = {"user_model": request.param}
    database, pg = os.path.join(directory, "db.sqlite3"), None
    if BACKEND == "postgresql":
        pg = Database()
        request.addfinalizer(pg.drop)
        options["database"], database = pg.django, pg.url
    with open(os.path.join(directory, "oracle.json"), "w") as f:
        json.dump(options, f)
    out = subprocess.run([sys.executable, ORACLE, "build", directory], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return Project(directory, json.loads(out.stdout), request.param, database, pg)


def engine_for(project, version="3.2"):
    views = {name: {"authentication_classes": spec["auth"], "permission_classes": spec["perms"]}
             for name, spec in VIEWS.items()}
    django = {"DATABASE": project.database, "SECRET_KEY": project.fx["secret_key"], "VERSION": version,
              "PASSWORD_HASHERS": project.fx["hashers"],
              "AUTHENTICATION_BACKENDS": ["django.contrib.auth.backends.ModelBackend"]}
    if USER_MODELS[project.user_model] is not None:
        django["USER_MODEL"] = USER_MODELS[project.user_model]
    return Engine({
        "PASSWORD_ITERATIONS": 1000,
        "CACHE": {"TTL": 0},
        "LOGIN_FAILURES": None,  # DRF's behaviour exactly: no brute-force lockout
        "DJANGO": django,
        "VIEWS": views,
    })


def test_engine_decides_as_drf_on_a_django_database(project):
    directory, fx = project.directory, project.fx
    cases = generate(fx)
    cases_path = os.path.join(directory, "cases.json")
    with open(cases_path, "w") as f:
        json.dump([dict(c, view=VIEWS[c["view"]]) for c in cases], f)
    out = subprocess.run([sys.executable, ORACLE, "replay", directory, cases_path], check=True, capture_output=True,
                         text=True)
    expected = json.loads(out.stdout)
    engine = engine_for(project)
    engine.now = __import__("time").time()
    agreements, mismatches = 0, []
    for case, want in zip(cases, expected):
        # The oracle's requests carry Host: testserver (Django's get_host()).
        d = engine.decide(view=case["view"], method=case["method"],
                          headers=[("Host", "testserver")] + list(case["headers"].items()),
                          secure=case.get("secure", False), form=case.get("form"))
        got = {"status": d["status"], "detail": d["detail"],
               "www_authenticate": d["headers"].get("WWW-Authenticate"),
               "user": d["user"]["username"] if d["allowed"] and d["user"] else None}
        if got == want:
            agreements += 1
        else:
            mismatches.append((case, want, got))
    print(f"\ndjango differential ({BACKEND}, user model {project.user_model}): {len(cases)} cases, "
          f"{agreements} agreements")
    for case, want, got in mismatches[:20]:
        print("MISMATCH", json.dumps(case), "\n  drf:   ", want, "\n  engine:", got)
    assert len(cases) >= 300
    assert not mismatches


def test_the_django_database_is_never_written(project):
    fx = project.fx

    def state():
        if project.pg:
            return project.pg.snapshot()
        return os.stat(project.database).st_mtime_ns, open(project.database, "rb").read()

    before = state()
    engine = engine_for(project)
    engine.now = __import__("time").time()
    for key in fx["sessions"].values():
        engine.decide(view="all", headers=[("Cookie", f"sessionid={key}")])
    # Django would upgrade this hash (and set last_login on a login).
    d = engine.decide(view="all", headers=[("Authorization", basic(fx["logins"]["md5"] + ":pw-md5"))])
    assert d["allowed"]
    assert state() == before


def test_a_postgresql_failure_is_a_503_that_names_no_password():
    if BACKEND != "postgresql":
        pytest.skip("PostgreSQL only (AUTHP_DIFF_DJANGO_DB=postgresql): an open SQLite file stays readable")
    import psycopg2
    from urllib.parse import unquote, urlsplit
    pg = Database()
    try:
        conn = psycopg2.connect(pg.url)
        with conn, conn.cursor() as cur:  # the columns the engine reads, as Django 3.2 makes them
            cur.execute("CREATE TABLE auth_user (id serial PRIMARY KEY, password varchar(128) NOT NULL, "
                        "username varchar(150) UNIQUE NOT NULL, is_active boolean NOT NULL, "
                        "is_staff boolean NOT NULL, is_superuser boolean NOT NULL);"
                        "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, "
                        "user_id integer UNIQUE REFERENCES auth_user);"
                        "CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text, "
                        "expire_date timestamptz);"
                        "INSERT INTO auth_user VALUES (1, 'x', 'john', true, false, false);"
                        "INSERT INTO authtoken_token VALUES ('9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b', now(), 1);")
        conn.close()
        engine = Engine({"CACHE": {"TTL": 0}, "DJANGO": {"DATABASE": pg.url, "SECRET_KEY": "k",
                                                         "DATABASE_OPTIONS": {"CONNECT_TIMEOUT": 1}},
                         "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
                         "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})
        token = [("Authorization", "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")]
        d = engine.decide(headers=token)
        assert d["allowed"] and d["user"]["username"] == "john"
        pg.drop()  # ends the engine's sessions; the database is gone
        # The C API answers AUTHP_ESTORE (-6) with the safe 503 denial; capi.py raises on the code.
        with pytest.raises(EngineError) as failure:
            engine.decide(headers=token)
        message = str(failure.value)
        password = unquote(urlsplit(pg.url).password or "")
        assert message.startswith("-6: PostgreSQL"), message
        assert password and password not in message
        assert ":***@" in message, message
    finally:
        pg.drop()


def test_install_notify_makes_djangos_own_revocations_reach_the_engine_at_once(tmp_path):
    """issue 13: a Django database does not notify; `authpolicy django install-notify` adds the
    triggers that make a token Django deletes and a user Django deactivates reach an engine whose
    cache would otherwise keep them for CACHE.TTL (300 s here)."""
    if BACKEND != "postgresql":
        pytest.skip("PostgreSQL only (AUTHP_DIFF_DJANGO_DB=postgresql): SQLite cannot notify another process")
    import psycopg2
    import time
    cli = os.environ.get("AUTHPOLICY_CLI")
    assert cli, "AUTHPOLICY_CLI (the authpolicy command) is not set"
    pg = Database()
    try:
        conn = psycopg2.connect(pg.url)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE auth_user (id serial PRIMARY KEY, password varchar(128) NOT NULL, "
                    "last_login timestamptz, username varchar(150) UNIQUE NOT NULL, is_active boolean NOT NULL, "
                    "is_staff boolean NOT NULL, is_superuser boolean NOT NULL);"
                    "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz, "
                    "user_id integer UNIQUE REFERENCES auth_user);"
                    "CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text, "
                    "expire_date timestamptz);"
                    "INSERT INTO auth_user VALUES (1, 'x', NULL, 'john', true, false, false);")
        key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
        add_token = f"INSERT INTO authtoken_token VALUES ('{key}', now(), 1)"
        cur.execute(add_token)
        django = {"DATABASE": pg.url, "SECRET_KEY": "k"}
        config = tmp_path / "policy.json"
        config.write_text(json.dumps({"DJANGO": django}))
        run = subprocess.run([cli, "django", "install-notify", "--config", str(config)], capture_output=True,
                             text=True)
        assert run.returncode == 0, run.stderr
        engine = Engine({"CACHE": {"TTL": 300}, "DJANGO": django, "LOGIN_FAILURES": None,
                         "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
                         "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})
        token = [("Authorization", f"Token {key}")]

        def eventually(detail):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                d = engine.decide(headers=token)
                if not d["allowed"]:
                    return d["detail"] == detail
                time.sleep(0.02)
            return False

        assert engine.decide(headers=token)["allowed"]  # now cached for 300 s
        cur.execute("UPDATE auth_user SET last_login = now() WHERE id = 1")  # a login: not a revocation
        cur.execute("DELETE FROM authtoken_token")
        assert eventually("Invalid token.")
        cur.execute(add_token)
        assert engine.decide(headers=token)["allowed"]
        cur.execute("UPDATE auth_user SET is_active = false WHERE id = 1")
        assert eventually("User inactive or deleted.")

        run = subprocess.run([cli, "django", "uninstall-notify", "--config", str(config)], capture_output=True,
                             text=True)
        assert run.returncode == 0, run.stderr
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'authp_revocation%'")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM pg_proc WHERE proname = 'authp_django_revocation'")
        assert cur.fetchone()[0] == 0
        conn.close()
        # A SQLite DJANGO database cannot notify: refused with a reason, exit 2.
        sqlite_config = tmp_path / "sqlite.json"
        sqlite_config.write_text(json.dumps({"DJANGO": {"DATABASE": str(tmp_path / "db.sqlite3"), "SECRET_KEY": "k"}}))
        run = subprocess.run([cli, "django", "install-notify", "--config", str(sqlite_config)], capture_output=True,
                             text=True)
        assert run.returncode != 0 and "SQLite cannot notify" in run.stderr, run.stderr
    finally:
        pg.drop()
