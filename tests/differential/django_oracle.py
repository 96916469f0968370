"""The Django side of test_django_drf.py, run in its own process (it needs its own settings):
builds a real Django 3.2 project database (migrate), users with several hashers, DRF tokens and
logged-in sessions, then answers a list of requests through DRF 3.14 APIViews.

Usage: django_oracle.py build DIR  → writes DIR/db.sqlite3 and prints the fixtures as JSON
       django_oracle.py replay DIR CASES.json → prints DRF's answers as JSON

DIR/oracle.json, when present, chooses the project: {"database": <a DATABASES["default"] dict,
default: SQLite DIR/db.sqlite3>, "user_model": "auth" (django.contrib.auth's User, default),
"email" (emailusers.EmailUser: AbstractUser, USERNAME_FIELD email) or "base" (baseusers.Account:
AbstractBaseUser, USERNAME_FIELD login, no is_active/is_staff/is_superuser fields)}.
"""
import json
import os
import sys
from datetime import timedelta

import django
from django.conf import settings

DIR = sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the custom user apps
OPTIONS = {}
if os.path.exists(os.path.join(DIR, "oracle.json")):
    with open(os.path.join(DIR, "oracle.json")) as f:
        OPTIONS = json.load(f)
DATABASE = OPTIONS.get("database") or {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(DIR, "db.sqlite3")}
USER_MODEL = OPTIONS.get("user_model", "auth")
USER_APPS = {"auth": ([], "auth.User"), "email": (["emailusers"], "emailusers.EmailUser"),
             "base": (["baseusers"], "baseusers.Account")}[USER_MODEL]
SECRET_KEY = "differential-django-secret"
HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
settings.configure(
    DEBUG=False,
    SECRET_KEY=SECRET_KEY,
    ALLOWED_HOSTS=["*"],
    USE_TZ=True,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions",
                    "rest_framework", "rest_framework.authtoken"] + USER_APPS[0],
    AUTH_USER_MODEL=USER_APPS[1],
    DATABASES={"default": DATABASE},
    PASSWORD_HASHERS=HASHERS,
    MIDDLEWARE=[],
    ROOT_URLCONF=__name__,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    REST_FRAMEWORK={"UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser"},
)
django.setup()
urlpatterns = []

from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher, make_password  # noqa: E402
from django.contrib.auth.middleware import AuthenticationMiddleware  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework import authentication, permissions  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

AUTH = {"SessionAuthentication": authentication.SessionAuthentication,
        "TokenAuthentication": authentication.TokenAuthentication,
        "BasicAuthentication": authentication.BasicAuthentication}
PERMS = {"AllowAny": permissions.AllowAny, "IsAuthenticated": permissions.IsAuthenticated,
         "IsAdminUser": permissions.IsAdminUser, "IsAuthenticatedOrReadOnly": permissions.IsAuthenticatedOrReadOnly}


def perm_class(spec):
    if isinstance(spec, str):
        return PERMS[spec]
    if "or" in spec:
        a, b = spec["or"]
        return perm_class(a) | perm_class(b)
    if "and" in spec:
        a, b = spec["and"]
        return perm_class(a) & perm_class(b)
    return ~perm_class(spec["not"])


User = get_user_model()


def login_of(name):
    """The USERNAME_FIELD value of fixture user `name`."""
    return {"auth": name, "email": f"{name}@example.com", "base": f"acct-{name}"}[USER_MODEL]


def create_user(name, password, is_active=True, is_staff=False, is_superuser=False):
    if USER_MODEL == "base":  # no such fields: every user is active, none is staff
        return User.objects.create(login=login_of(name), password=password)
    extra = {"email": login_of(name)} if USER_MODEL == "email" else {}
    return User.objects.create(username=name, password=password, is_active=is_active, is_staff=is_staff,
                               is_superuser=is_superuser, **extra)


def build():
    call_command("migrate", verbosity=0)
    pbkdf = PBKDF2PasswordHasher()
    sha1 = PBKDF2SHA1PasswordHasher()
    users = {
        "john": dict(password=pbkdf.encode("pw-john", "saltsaltsaltsaltsalt22", 1000)),
        "jane": dict(password=pbkdf.encode("pw-jane", "janesaltjanesaltjanes1", 2000)),
        "slow": dict(password=pbkdf.encode("pw-slow", "slowsaltslowsaltslows1", 260000)),
        "sha1": dict(password=sha1.encode("pw-sha1", "sha1saltsha1saltsha1s1", 1500)),
        "argon": dict(password=make_password("pw-argon", hasher="argon2")),
        "md5": dict(password=make_password("pw-md5", hasher="md5")),
        "staff": dict(password=pbkdf.encode("pw-staff", "staffsaltstaffsaltsta1", 1000), is_staff=True),
        "root": dict(password=pbkdf.encode("pw-root", "rootsaltrootsaltrootsa", 1000), is_staff=True,
                     is_superuser=True),
        "off": dict(password=pbkdf.encode("pw-off", "offsaltoffsaltoffsalt1", 1000), is_active=False),
        "nopw": dict(password=make_password(None)),
        "changed": dict(password=pbkdf.encode("pw-old", "changedsaltchangedsal1", 1000)),
    }
    for name, fields in users.items():
        create_user(name, **fields)
    tokens = {name: Token.objects.create(user=User.objects.get_by_natural_key(login_of(name))).key
              for name in ["john", "staff", "off", "argon"]}
    Token.objects.create(key="abcd1234", user=User.objects.get_by_natural_key(login_of("jane")))
    tokens["short"] = "abcd1234"

    sessions = {}
    # A real password login (its hash needs no upgrade, so the stored hash stays as it is) …
    client = Client()
    assert client.login(username=login_of("slow"), password="pw-slow")
    sessions["slow"] = client.cookies["sessionid"].value
    # … and force_login for the others: login() would re-hash their passwords at 260000 iterations.
    for name in ["john", "staff", "root", "md5", "changed", "expired", "tampered", "off"]:
        client = Client()
        user = {"expired": "jane", "tampered": "sha1"}.get(name, name)
        client.force_login(User.objects.get_by_natural_key(login_of(user)))
        sessions[name] = client.cookies["sessionid"].value
    # The password changes after login: Django's session auth hash no longer matches.
    changed = User.objects.get_by_natural_key(login_of("changed"))
    changed.set_password("pw-new")
    changed.save()
    Session.objects.filter(session_key=sessions["expired"]).update(expire_date=timezone.now() - timedelta(minutes=1))
    row = Session.objects.get(session_key=sessions["tampered"])
    row.session_data = row.session_data[:-2] + ("AA" if not row.session_data.endswith("AA") else "BB")
    row.save()
    secret = _get_new_csrf_string()
    csrf = {"secret": secret, "masked": _mask_cipher_secret(secret), "masked2": _mask_cipher_secret(secret),
            "other": _mask_cipher_secret(_get_new_csrf_string())}
    print(json.dumps({"tokens": tokens, "sessions": sessions, "csrf": csrf, "secret_key": SECRET_KEY,
                      "hashers": HASHERS, "logins": {name: login_of(name) for name in list(users) + ["ghost"]}}))


def replay(cases_path):
    with open(cases_path) as f:
        cases = json.load(f)
    # Django upgrades a password hash on a successful check when its hasher or iteration count is
    # not the preferred one (a write, which also changes the user's session auth hash). The engine
    # never writes the Django database, so the oracle does not either: every case then sees the
    # same database (docs/django.md, "Limits and differences").
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.hashers import check_password
    AbstractBaseUser.check_password = lambda self, raw: check_password(raw, self.password)
    factory = APIRequestFactory(enforce_csrf_checks=True)
    views = {}
    out = []
    for case in cases:
        key = json.dumps(case["view"], sort_keys=True)
        if key not in views:
            spec = case["view"]

            class View(APIView):
                authentication_classes = [AUTH[a] for a in spec["auth"]]
                permission_classes = [perm_class(p) for p in spec["perms"]]

                def get(self, request):
                    return Response({"user": request.user.get_username()})

                post = put = delete = get

            views[key] = View.as_view()
        extra = {"HTTP_HOST": "testserver", "secure": case.get("secure", False)}
        for name, value in case.get("headers", {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        method = case["method"].lower()
        if case.get("form") is not None:
            request = getattr(factory, method)("/x", data=case["form"], **extra)
        else:
            request = getattr(factory, method)("/x", **extra)
        SessionMiddleware(lambda r: None).process_request(request)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        response = views[key](request)
        response.render()
        data = response.data or {}
        out.append({"status": response.status_code, "detail": str(data["detail"]) if "detail" in data else None,
                    "www_authenticate": response.get("WWW-Authenticate"),
                    "user": data.get("user") if response.status_code == 200 else None})
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build()
    else:
        replay(sys.argv[3])
