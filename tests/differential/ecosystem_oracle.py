"""The Django side of test_django_ecosystem.py, run in its own process (each package reads its
settings once, at import): a real Django 3.2 project database with Debian's
djangorestframework-simplejwt 5.2, django-oauth-toolkit 1.7 and djangorestframework-api-key 2.0
(migrate), users, DOT applications and access tokens, API keys; then the cases' requests through
DRF 3.14 APIViews using those packages' classes, under one settings block.

Usage: ecosystem_oracle.py build DIR → writes DIR/db.sqlite3, prints the fixtures as JSON
       ecosystem_oracle.py replay DIR CASES.json SETTINGS.json → prints the answers as JSON
"""
import json
import os
import sys
from datetime import timedelta

import django
from django.conf import settings

DIR = sys.argv[2]
SECRET_KEY = "differential-ecosystem-secret-key-0123456789abcdefghij"
HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher"]
# DIR/oracle.json, when present: {"database": a DATABASES["default"] dict} (default: DIR/db.sqlite3).
DATABASE = {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(DIR, "db.sqlite3")}
if os.path.exists(os.path.join(DIR, "oracle.json")):
    with open(os.path.join(DIR, "oracle.json")) as f:
        DATABASE = json.load(f).get("database") or DATABASE
EXTRA = {}
if sys.argv[1] == "replay":
    with open(sys.argv[4]) as f:
        EXTRA = json.load(f)
settings.configure(
    DEBUG=False,
    SECRET_KEY=SECRET_KEY,
    ALLOWED_HOSTS=["*"],
    USE_TZ=True,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions",
                    "rest_framework", "rest_framework.authtoken", "oauth2_provider", "rest_framework_api_key"],
    DATABASES={"default": DATABASE},
    PASSWORD_HASHERS=HASHERS,
    MIDDLEWARE=[],
    ROOT_URLCONF=__name__,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    REST_FRAMEWORK={"UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser"},
    **EXTRA,
)
django.setup()
urlpatterns = []

from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402
from django.contrib.auth.middleware import AuthenticationMiddleware  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework import authentication, permissions  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


def classes():
    from oauth2_provider.contrib.rest_framework import (IsAuthenticatedOrTokenHasScope, OAuth2Authentication,
                                                        TokenHasReadWriteScope, TokenHasScope)
    from rest_framework_api_key.permissions import HasAPIKey
    from rest_framework_simplejwt.authentication import JWTAuthentication
    auth = {"SessionAuthentication": authentication.SessionAuthentication,
            "BasicAuthentication": authentication.BasicAuthentication,
            "TokenAuthentication": authentication.TokenAuthentication,
            "rest_framework_simplejwt.authentication.JWTAuthentication": JWTAuthentication,
            "oauth2_provider.contrib.rest_framework.OAuth2Authentication": OAuth2Authentication}
    perms = {"AllowAny": permissions.AllowAny, "IsAuthenticated": permissions.IsAuthenticated,
             "oauth2_provider.contrib.rest_framework.TokenHasScope": TokenHasScope,
             "oauth2_provider.contrib.rest_framework.TokenHasReadWriteScope": TokenHasReadWriteScope,
             "oauth2_provider.contrib.rest_framework.IsAuthenticatedOrTokenHasScope": IsAuthenticatedOrTokenHasScope,
             "rest_framework_api_key.permissions.HasAPIKey": HasAPIKey}
    return auth, perms


def perm_class(perms, spec):
    if isinstance(spec, str):
        return perms[spec]
    if "or" in spec:
        a, b = spec["or"]
        return perm_class(perms, a) | perm_class(perms, b)
    a, b = spec["and"]
    return perm_class(perms, a) & perm_class(perms, b)


def build():
    from oauth2_provider.models import AccessToken, Application
    from rest_framework_api_key.models import APIKey
    call_command("migrate", verbosity=0)
    pbkdf = PBKDF2PasswordHasher()
    users = {}
    for name, active in [("alice", True), ("bob", True), ("off", False), ("staff", True)]:
        u = User.objects.create(username=name, is_active=active, is_staff=name == "staff",
                                password=pbkdf.encode("pw-" + name, name + "saltsaltsaltsalt", 1000))
        users[name] = u.id
    app = Application.objects.create(name="app", client_type="confidential",
                                     authorization_grant_type="client-credentials")
    now = timezone.now()
    hour = timedelta(hours=1)
    dot = {}
    for name, user, scope, expires in [
        ("rw", "alice", "read write", now + hour), ("read", "bob", "read", now + hour),
        ("groups", "alice", "write groups", now + hour), ("all", "staff", "read write groups", now + hour),
        ("expired", "alice", "read write", now - hour), ("inactive", "off", "read write", now + hour),
        ("app_rw", None, "read write", now + hour), ("app_read", None, "read", now + hour),
        ("app_expired", None, "read write", now - hour), ("empty_scope", "bob", "", now + hour),
        ("spaced", "bob", "  read   write ", now + hour),
    ]:
        token = "dot-" + name + "-" + os.urandom(12).hex()
        AccessToken.objects.create(user=User.objects.get(username=user) if user else None, application=app,
                                   token=token, scope=scope, expires=expires)
        dot[name] = token
    # A second token sharing the first 8 characters of another (the engine's prefix lookup).
    AccessToken.objects.create(user=User.objects.get(username="bob"), application=app,
                               token=dot["rw"][:12] + "twin", scope="read", expires=now + hour)
    dot["twin"] = dot["rw"][:12] + "twin"
    keys = {}
    for name, revoked, expiry in [("valid", False, None), ("revoked", True, None), ("expired", False, now - hour),
                                  ("later", False, now + hour)]:
        obj, key = APIKey.objects.create_key(name=name, revoked=revoked, expiry_date=expiry)
        # Re-hashed with few iterations so that the cases run quickly; the format is Django's.
        obj.hashed_key = pbkdf.encode(key, "apikeysalt" + name, 1000)
        APIKey.objects.filter(pk=obj.pk).update(hashed_key=obj.hashed_key)
        keys[name] = key
    print(json.dumps({"users": users, "dot": dot, "keys": keys, "secret_key": SECRET_KEY, "hashers": HASHERS}))


def replay(cases_path):
    with open(cases_path) as f:
        cases = json.load(f)
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.hashers import check_password
    AbstractBaseUser.check_password = lambda self, raw: check_password(raw, self.password)  # no hash upgrade
    auth, perms = classes()
    factory = APIRequestFactory()
    views = {}
    out = []
    for case in cases:
        key = json.dumps(case["view"], sort_keys=True)
        if key not in views:
            spec = case["view"]
            attrs = {"authentication_classes": [auth[a] for a in spec["auth"]],
                     "permission_classes": [perm_class(perms, p) for p in spec["perms"]]}
            if "required_scopes" in spec:
                attrs["required_scopes"] = spec["required_scopes"]

            def get(self, request):
                return Response({"user": None if request.user is None else request.user.username})

            attrs.update(get=get, post=get, put=get, delete=get)
            views[key] = type("View", (APIView,), attrs).as_view()
        extra = {"HTTP_HOST": "testserver"}
        for name, value in case.get("headers", {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        method = case["method"].lower()
        if case.get("form") is not None:
            request = getattr(factory, method)("/x", data=case["form"], **extra)
        else:
            request = getattr(factory, method)("/x", **extra)
        SessionMiddleware(lambda r: None).process_request(request)
        AuthenticationMiddleware(lambda r: None).process_request(request)
        try:
            response = views[key](request)
            response.render()
        except Exception as e:  # the package raised something DRF does not handle: Django's 500
            out.append({"status": 500, "body": None, "www_authenticate": None, "user": None,
                        "error": type(e).__name__})
            continue
        data = json.loads(response.content) if response.content else None
        ok = response.status_code == 200
        out.append({"status": response.status_code, "body": None if ok else data,
                    "www_authenticate": response.get("WWW-Authenticate"), "user": data["user"] if ok else None})
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build()
    else:
        replay(sys.argv[3])
