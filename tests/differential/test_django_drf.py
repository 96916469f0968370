"""Differential test: a real Django 3.2 project database (built by django_oracle.py in its own
process: migrate, users with several hashers, DRF tokens, logged-in sessions, CSRF cookies) and
DRF 3.14's APIViews on one side; the engine reading the same database through "DJANGO" on the
other. Every generated request must get the same status, detail, WWW-Authenticate and user."""
import base64
import json
import os
import subprocess
import sys

import pytest

from capi import Engine

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
    tokens, sessions, csrf = fx["tokens"], fx["sessions"], fx["csrf"]
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
        creds.append({"Authorization": basic(f"{user}:{pw}")})
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


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("django_project"))
    out = subprocess.run([sys.executable, ORACLE, "build", directory], check=True, capture_output=True, text=True)
    return directory, json.loads(out.stdout)


def engine_for(directory, fx, version="3.2"):
    views = {name: {"authentication_classes": spec["auth"], "permission_classes": spec["perms"]}
             for name, spec in VIEWS.items()}
    return Engine({
        "PASSWORD_ITERATIONS": 1000,
        "CACHE": {"TTL": 0},
        "LOGIN_FAILURES": None,  # DRF's behaviour exactly: no brute-force lockout
        "DJANGO": {"DATABASE": os.path.join(directory, "db.sqlite3"), "SECRET_KEY": fx["secret_key"],
                   "VERSION": version, "PASSWORD_HASHERS": fx["hashers"],
                   "AUTHENTICATION_BACKENDS": ["django.contrib.auth.backends.ModelBackend"]},
        "VIEWS": views,
    })


def test_engine_decides_as_drf_on_a_django_database(project):
    directory, fx = project
    cases = generate(fx)
    cases_path = os.path.join(directory, "cases.json")
    with open(cases_path, "w") as f:
        json.dump([dict(c, view=VIEWS[c["view"]]) for c in cases], f)
    out = subprocess.run([sys.executable, ORACLE, "replay", directory, cases_path], check=True, capture_output=True,
                         text=True)
    expected = json.loads(out.stdout)
    engine = engine_for(directory, fx)
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
    print(f"\ndjango differential: {len(cases)} cases, {agreements} agreements")
    for case, want, got in mismatches[:20]:
        print("MISMATCH", json.dumps(case), "\n  drf:   ", want, "\n  engine:", got)
    assert len(cases) >= 300
    assert not mismatches


def test_the_django_database_is_never_written(project):
    directory, fx = project
    path = os.path.join(directory, "db.sqlite3")
    before = os.stat(path).st_mtime_ns, open(path, "rb").read()
    engine = engine_for(directory, fx)
    engine.now = __import__("time").time()
    for key in fx["sessions"].values():
        engine.decide(view="all", headers=[("Cookie", f"sessionid={key}")])
    engine.decide(view="all", headers=[("Authorization", basic("md5:pw-md5"))])  # Django would upgrade this hash
    assert (os.stat(path).st_mtime_ns, open(path, "rb").read()) == before
