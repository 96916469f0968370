"""Differential tests of the Django ecosystem's credentials: Debian's djangorestframework-simplejwt
5.2, django-oauth-toolkit 1.7 and djangorestframework-api-key 2.0 inside real DRF 3.14 views
(ecosystem_oracle.py, one process per settings block) against the engine reading the same
Django 3.2 database. Every generated request must get the same status, whole JSON body,
WWW-Authenticate and user — with the engine's cache off, and again with it on (each case twice,
so the second answer is a cache hit). AUTHP_DIFF_DJANGO_DB=postgresql runs it all with Django on
PostgreSQL (a fresh database under AUTHP_TEST_PG_URL, which must then be set)."""
import base64
import json
import os
import subprocess
import sys
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from capi import Engine
from pg_databases import Database

BACKEND = os.environ.get("AUTHP_DIFF_DJANGO_DB", "sqlite")
assert BACKEND in ("sqlite", "postgresql"), f"AUTHP_DIFF_DJANGO_DB={BACKEND!r}: expected sqlite or postgresql"
PG = {}  # project directory → its PostgreSQL Database

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "ecosystem_oracle.py")
JWT_AUTH = "rest_framework_simplejwt.authentication.JWTAuthentication"
DOT_AUTH = "oauth2_provider.contrib.rest_framework.OAuth2Authentication"
DOT = "oauth2_provider.contrib.rest_framework."
HAS_KEY = "rest_framework_api_key.permissions.HasAPIKey"


@pytest.fixture(scope="module")
def project(request, tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("ecosystem_project"))
    database = os.path.join(directory, "db.sqlite3")
    if BACKEND == "postgresql":
        pg = PG[directory] = Database()
        request.addfinalizer(pg.drop)
        database = pg.url
        with open(os.path.join(directory, "oracle.json"), "w") as f:
            json.dump({"database": pg.django}, f)
    out = subprocess.run([sys.executable, ORACLE, "build", directory], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    fx = json.loads(out.stdout)
    fx["database"] = database  # the engine's DJANGO.DATABASE
    return directory, fx


def basic(text):
    return "Basic " + base64.b64encode(text.encode()).decode()


def differential(project, block, views, cases, minimum):
    """Runs `cases` through DRF with `block` as Django settings and through the engine with the same
    block as top-level configuration keys; returns the mismatches."""
    directory, fx = project
    cases_path = os.path.join(directory, "cases.json")
    settings_path = os.path.join(directory, "settings.json")
    with open(cases_path, "w") as f:
        json.dump([dict(c, view=views[c["view"]]) for c in cases], f)
    with open(settings_path, "w") as f:
        json.dump(block, f)
    out = subprocess.run([sys.executable, ORACLE, "replay", directory, cases_path, settings_path], check=True,
                         capture_output=True, text=True)
    expected = json.loads(out.stdout)
    engine_views = {}
    for name, spec in views.items():
        engine_views[name] = {"authentication_classes": spec["auth"], "permission_classes": spec["perms"]}
        if "required_scopes" in spec:
            engine_views[name]["required_scopes"] = spec["required_scopes"]
    mismatches = []
    for ttl in (0, 60):
        config = {"CACHE": {"TTL": ttl}, "LOGIN_FAILURES": None, "VIEWS": engine_views,
                  "DJANGO": {"DATABASE": fx["database"], "SECRET_KEY": fx["secret_key"],
                             "VERSION": "3.2", "PASSWORD_HASHERS": fx["hashers"]}}
        config.update(block)
        engine = Engine(config)
        for case, want in zip(cases, expected):
            for _ in range(2 if ttl else 1):
                engine.now = time.time()
                d = engine.decide(view=case["view"], method=case["method"],
                                  headers=[("Host", "testserver")] + list(case["headers"].items()),
                                  form=case.get("form"))
                got = {"status": d["status"], "body": d["body"] if not d["allowed"] else None,
                       "www_authenticate": d["headers"].get("WWW-Authenticate"),
                       "user": d["user"]["username"] if d["allowed"] and d["user"] else None}
                want_cmp = {k: want[k] for k in ("status", "body", "www_authenticate", "user")}
                if want["status"] == 500:  # Django's own error page: only the status is compared
                    got["body"], got["www_authenticate"] = None, None
                if got != want_cmp:
                    mismatches.append((ttl, case, want, got))
    kinds = {json.dumps([w["status"], w["body"], w["www_authenticate"]], sort_keys=True) for w in expected}
    print(f"\n{len(cases)} cases, {len(kinds)} distinct answers, {len(mismatches)} mismatches")
    if os.environ.get("AUTHP_SHOW_ANSWERS"):
        for k in sorted(kinds):
            print("  ", k[:250])
    for ttl, case, want, got in mismatches[:15]:
        print("MISMATCH ttl", ttl, json.dumps(case)[:300], "\n  drf:   ", want, "\n  engine:", got)
    assert len(cases) >= minimum
    return mismatches


# --- djangorestframework-simplejwt ---------------------------------------------------------------

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header, payload, key):
    """An HS256 token with any header (PyJWT's encoder refuses some of them)."""
    import hashlib
    import hmac
    head = b64(json.dumps(dict({"alg": "HS256", "typ": "JWT"}, **header)).encode())
    signing_input = head + "." + b64(json.dumps(payload).encode())
    return signing_input + "." + b64(hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest())


def jwt_cases_hs(fx):
    now = int(time.time())
    key = fx["secret_key"]
    alice, off = fx["users"]["alice"], fx["users"]["off"]
    base = {"token_type": "access", "exp": now + 600, "iat": now - 5, "jti": "j1", "user_id": alice}

    def t(**changes):
        p = dict(base)
        for k, v in changes.items():
            if v is Ellipsis:
                p.pop(k, None)
            else:
                p[k] = v
        return jwt.encode(p, key, "HS256")

    valid = t()
    sig_start = valid.rindex(".") + 1
    tokens = {
        "valid_access": valid, "valid_sliding": t(token_type="sliding"), "refresh": t(token_type="refresh"),
        "expired": t(exp=now - 600), "no_exp": t(exp=...), "no_jti": t(jti=...), "no_type": t(token_type=...),
        "type_int": t(token_type=1), "nbf_future": t(nbf=now + 600), "nbf_past": t(nbf=now - 600),
        "iat_future": t(iat=now + 600), "iat_string": t(iat="123"), "exp_string": t(exp=str(now + 600)),
        "exp_string_bad": t(exp="soon"), "exp_null": t(exp=None), "exp_float": t(exp=now + 600.5),
        "exp_huge": t(exp=10 ** 13), "exp_true": t(exp=True), "unknown_user": t(user_id=999), "inactive": t(user_id=off),
        "user_string": t(user_id=str(alice)), "user_float": t(user_id=alice + 0.7), "user_bad": t(user_id="abc"),
        "user_null": t(user_id=None), "user_bool": t(user_id=True), "no_user": t(user_id=...),
        "user_list": t(user_id=[1]), "aud_ignored": t(aud="someone"),
        "wrong_key": jwt.encode(base, "another-secret-another-secret-another-secret", "HS256"),
        "hs512": jwt.encode(base, key, "HS512"),
        "alg_none": b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(json.dumps(base).encode()) + ".",
        "kid_int": forge({"kid": 5}, base, key), "kid_str": forge({"kid": "k1"}, base, key),
        "crit_bad": forge({"crit": ["exp"]}, base, key), "crit_b64": forge({"crit": ["b64"], "b64": True}, base, key),
        "lenient_sig": valid[:sig_start + 5] + "!" + valid[sig_start + 5:],
        "lenient_sig_ok": valid[:sig_start + 5] + "!!" + valid[sig_start + 5:],
        "lenient_pad": valid + "==", "truncated": valid[:-4], "two_parts": valid[:valid.rindex(".")],
        "four_parts": valid + ".x", "garbage": "abc", "dots": "...", "non_json": b64(b"xx") + "." + b64(b"{}") + ".sig",
    }
    headers = [{"Authorization": "Bearer " + tok} for tok in tokens.values()]
    headers += [{"Authorization": "bearer " + valid}, {"Authorization": "JWT " + valid}, {"Authorization": "Bearer"},
                {"Authorization": "Bearer " + valid + " x"}, {"Authorization": ""}, {"Authorization": "Token abc"},
                {}, {"Authorization": "Bearer\t" + valid}, {"Authorization": " Bearer  " + valid + " "}]
    return headers


def rsa_keys():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem_public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, pem_public


def test_simplejwt_hs256_access_and_sliding_tokens(project):
    directory, fx = project
    views = {"jwt": {"auth": [JWT_AUTH], "perms": ["IsAuthenticated"]},
             "session_jwt": {"auth": ["SessionAuthentication", JWT_AUTH], "perms": ["IsAuthenticated"]},
             "jwt_any": {"auth": [JWT_AUTH], "perms": ["AllowAny"]}}
    block = {"SIMPLE_JWT": {"AUTH_TOKEN_CLASSES": ["rest_framework_simplejwt.tokens.AccessToken",
                                                   "rest_framework_simplejwt.tokens.SlidingToken"]}}
    cases = [{"view": v, "method": m, "headers": h} for h in jwt_cases_hs(fx) for v in views
             for m in (["GET", "POST"] if v == "jwt" else ["GET"])]
    assert not differential(project, block, views, cases, 150)


def test_simplejwt_rs256_with_issuer_audience_and_custom_header(project):
    directory, fx = project
    private, public = rsa_keys()
    now = int(time.time())
    base = {"typ": "access", "exp": now + 600, "iat": now, "sub": "alice", "iss": "https://issuer",
            "aud": ["api", "other"]}

    def t(alg="RS256", key=private, **changes):
        p = dict(base)
        for k, v in changes.items():
            if v is Ellipsis:
                p.pop(k, None)
            else:
                p[k] = v
        return jwt.encode(p, key, alg)

    other, _ = rsa_keys()
    tokens = [t(), t(aud="api"), t(aud="nope"), t(aud=[]), t(aud=...), t(aud=[1]), t(iss="https://evil"), t(iss=...),
              t(exp=now - 20), t(exp=now - 100), t(nbf=now + 20), t(nbf=now + 100), t(typ="sliding"), t(typ=...),
              t(sub="bob"), t(sub="off"), t(sub="ghost"), t(sub=5), t(sub=True), t(sub=None), t(sub=...),
              t(key=other), jwt.encode(base, "x" * 40, "HS256"), t(alg="RS512"), t(jti=...)]
    headers = [{"X-JWT": "JWT " + tok} for tok in tokens]
    headers += [{"X-JWT": "Bearer " + tokens[0]}, {"X-JWT": "jwt " + tokens[0]}, {"Authorization": "JWT " + tokens[0]},
                {"X-JWT": "JWT"}, {}]
    views = {"jwt": {"auth": [JWT_AUTH], "perms": ["IsAuthenticated"]},
             "basic_jwt": {"auth": ["BasicAuthentication", JWT_AUTH], "perms": ["IsAuthenticated"]}}
    block = {"SIMPLE_JWT": {"ALGORITHM": "RS256", "VERIFYING_KEY": public, "SIGNING_KEY": "unused-for-rs256",
                            "AUDIENCE": "api", "ISSUER": "https://issuer", "LEEWAY": 30,
                            "AUTH_HEADER_TYPES": ["JWT", "Bearer"], "AUTH_HEADER_NAME": "HTTP_X_JWT",
                            "USER_ID_FIELD": "username", "USER_ID_CLAIM": "sub", "TOKEN_TYPE_CLAIM": "typ",
                            "JTI_CLAIM": None, "ACCESS_TOKEN_LIFETIME": None}}
    cases = [{"view": v, "method": "GET", "headers": h} for h in headers for v in views]
    # ACCESS_TOKEN_LIFETIME is a timedelta to simplejwt: the oracle leaves it out.
    del block["SIMPLE_JWT"]["ACCESS_TOKEN_LIFETIME"]
    assert not differential(project, block, views, cases, 60)


# --- django-oauth-toolkit ------------------------------------------------------------------------

DOT_VIEWS = {
    "auth": {"auth": [DOT_AUTH], "perms": ["IsAuthenticated"]},
    "any": {"auth": [DOT_AUTH], "perms": ["AllowAny"]},
    "scope_read": {"auth": [DOT_AUTH], "perms": [DOT + "TokenHasScope"], "required_scopes": ["read"]},
    "scope_groups": {"auth": [DOT_AUTH], "perms": [DOT + "TokenHasScope"], "required_scopes": ["write", "groups"]},
    "rw": {"auth": [DOT_AUTH], "perms": [DOT + "TokenHasReadWriteScope"]},
    "rw_groups": {"auth": [DOT_AUTH], "perms": [DOT + "TokenHasReadWriteScope"], "required_scopes": ["groups"]},
    "or_basic": {"auth": [DOT_AUTH, "BasicAuthentication"], "perms": [DOT + "IsAuthenticatedOrTokenHasScope"],
                 "required_scopes": ["read"]},
    "session_first": {"auth": ["SessionAuthentication", DOT_AUTH], "perms": [DOT + "TokenHasScope"],
                      "required_scopes": ["read"]},
}


def dot_cases(fx):
    dot = fx["dot"]
    creds = [({"Authorization": "Bearer " + tok}, None) for tok in dot.values()]
    creds += [({"Authorization": "bearer " + dot["rw"]}, None), ({"Authorization": "BEARER " + dot["rw"]}, None),
              ({"Authorization": "Bearer"}, None), ({"Authorization": "Bearer a b"}, None),
              ({"Authorization": "Bearer unknown-token"}, None), ({"Authorization": "Bearer " + dot["rw"][:-1]}, None),
              ({"Authorization": "Token " + dot["rw"]}, None), ({}, None),
              ({}, {"access_token": dot["rw"]}), ({}, {"access_token": dot["expired"]}),
              ({"Authorization": "Basic abc"}, {"access_token": dot["rw"]}),
              ({"Authorization": basic("alice:pw-alice")}, None), ({"Authorization": basic("alice:wrong")}, None),
              ({"Authorization": "Bearer\xa0" + dot["rw"]}, None)]
    cases = []
    for view in DOT_VIEWS:
        for headers, form in creds:
            for method in ("GET", "POST"):
                cases.append({"view": view, "method": method, "headers": headers, "form": form})
    return cases


@pytest.mark.parametrize("block", [{}, {"OAUTH2_PROVIDER": {"ERROR_RESPONSE_WITH_SCOPES": True, "WRITE_SCOPE": "groups",
                                                            "SCOPES": {"read": "r", "write": "w", "groups": "g"}}}],
                         ids=["defaults", "error_response_with_scopes"])
def test_django_oauth_toolkit_tokens_and_scopes(project, block):
    directory, fx = project
    assert not differential(project, block, DOT_VIEWS, dot_cases(fx), 300)


# --- djangorestframework-api-key -----------------------------------------------------------------

KEY_VIEWS = {
    "key_only": {"auth": [], "perms": [HAS_KEY]},
    "key_basic": {"auth": ["BasicAuthentication"], "perms": [HAS_KEY]},
    "key_session": {"auth": ["SessionAuthentication"], "perms": [HAS_KEY]},
    "key_or_user": {"auth": ["BasicAuthentication"], "perms": [{"or": [HAS_KEY, "IsAuthenticated"]}]},
    "user_and_key": {"auth": ["BasicAuthentication"], "perms": [{"and": ["IsAuthenticated", HAS_KEY]}]},
}


def key_cases(fx, custom):
    keys = fx["keys"]
    valid = keys["valid"]
    prefix = valid.split(".")[0]
    values = [valid, keys["revoked"], keys["expired"], keys["later"], prefix + ".wrongsecret", prefix, "", "nodot",
              valid + "x", "." + valid.split(".")[1]]
    if custom:
        creds = [{"X-Api-Key": v} for v in values] + [{"Authorization": "Api-Key " + valid}, {},
                                                      {"X-Api-Key": valid, "Authorization": basic("bob:pw-bob")}]
    else:
        creds = [{"Authorization": "Api-Key " + v} for v in values]
        creds += [{"Authorization": "api-key " + valid}, {"Authorization": "Token Api-Key " + valid},
                  {"Authorization": "Api-Key " + valid + " Api-Key " + valid}, {"Authorization": "Api-Key  " + valid},
                  {"Authorization": "Bearer " + valid}, {}, {"Authorization": basic("bob:pw-bob")},
                  {"Authorization": basic("bob:nope")}, {"X-Api-Key": valid}]
    return [{"view": v, "method": m, "headers": h} for h in creds for v in KEY_VIEWS for m in ("GET", "POST")]


@pytest.mark.parametrize("custom", [False, True], ids=["authorization", "custom_header"])
def test_drf_api_key_permission(project, custom):
    directory, fx = project
    block = {"API_KEY_CUSTOM_HEADER": "HTTP_X_API_KEY"} if custom else {}
    assert not differential(project, block, KEY_VIEWS, key_cases(fx, custom), 100)



def test_the_packages_tables_are_never_written(project):
    """DOT would not write either, but knox deletes expired rows and Django upgrades hashes: the
    engine opens the database read-only and leaves every byte as it was."""
    directory, fx = project
    path = fx["database"]

    def state():
        return PG[directory].snapshot() if directory in PG else open(path, "rb").read()

    before = state()
    views = {"dot": {"authentication_classes": [DOT_AUTH], "permission_classes": ["IsAuthenticated"]},
             "key": {"authentication_classes": [], "permission_classes": [HAS_KEY]}}
    engine = Engine({"DJANGO": {"DATABASE": path, "SECRET_KEY": fx["secret_key"], "VERSION": "3.2"},
                     "LOGIN_FAILURES": None, "VIEWS": views})
    engine.now = time.time()
    for token in fx["dot"].values():
        engine.decide(view="dot", headers=[("Authorization", "Bearer " + token)])
    for key in fx["keys"].values():
        engine.decide(view="key", headers=[("Authorization", "Api-Key " + key)])
    assert state() == before

# --- django-rest-knox (not packaged in Debian) ---------------------------------------------------
# knox 5.0's table (its migrations 0001–0009) and tokens are built here from its documented format:
# token = TOKEN_PREFIX + 64 hex characters, token_key = token[:15], digest = sha512(token).hexdigest(),
# and each case's answer comes from knox.auth.TokenAuthentication's documented rules (knox_expect).

KNOX = "knox.auth.TokenAuthentication"
KNOX_VIEWS = {"knox": {"auth": [KNOX], "perms": ["IsAuthenticated"]},
              "session_knox": {"auth": ["SessionAuthentication", KNOX], "perms": ["IsAuthenticated"]},
              "knox_any": {"auth": [KNOX], "perms": ["AllowAny"]}}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}


def knox_table(directory, users, now):
    import hashlib
    import sqlite3
    from datetime import datetime, timezone

    if directory in PG:  # knox 5.0's table as Django's PostgreSQL backend makes it
        import psycopg2
        db = psycopg2.connect(PG[directory].url)
        db.cursor().execute(
            'DROP TABLE IF EXISTS "knox_authtoken";'
            'CREATE TABLE "knox_authtoken" ("digest" varchar(128) NOT NULL PRIMARY KEY, '
            '"created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL REFERENCES "auth_user" ("id") '
            'DEFERRABLE INITIALLY DEFERRED, "expiry" timestamp with time zone NULL, "token_key" varchar(25) NOT NULL);'
            'CREATE INDEX "knox_authtoken_token_key_8f4f7d47" ON "knox_authtoken" ("token_key");'
            'CREATE INDEX "knox_authtoken_token_key_8f4f7d47_like" ON "knox_authtoken" '
            '("token_key" varchar_pattern_ops);')
        stamp = (lambda t: None if t is None else datetime.fromtimestamp(t, timezone.utc))
        insert = "INSERT INTO knox_authtoken VALUES (%s, %s, %s, %s, %s)"
    else:
        db = sqlite3.connect(os.path.join(directory, "db.sqlite3"))
        db.executescript(
            'DROP TABLE IF EXISTS "knox_authtoken";'
            'CREATE TABLE "knox_authtoken" ("digest" varchar(128) NOT NULL PRIMARY KEY, "created" datetime NOT NULL, '
            '"user_id" integer NOT NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, '
            '"expiry" datetime NULL, "token_key" varchar(25) NOT NULL);'
            'CREATE INDEX "knox_authtoken_token_key_8f4f7d47" ON "knox_authtoken" ("token_key");')
        stamp = (lambda t: None if t is None
                 else datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"))
        insert = "INSERT INTO knox_authtoken VALUES (?, ?, ?, ?, ?)"
    rows = {}
    for name, user, expiry, prefix in [("valid", "alice", now + 3600, ""), ("forever", "bob", None, ""),
                                       ("expired", "alice", now - 3600, ""), ("inactive", "off", now + 3600, ""),
                                       ("prefixed", "bob", now + 3600, "pfx_")]:
        token = prefix + os.urandom(32).hex()
        rows[name] = dict(token=token, user=user, expiry=expiry)
    # A second token sharing the valid one's first 15 characters (knox compares every such row).
    twin = rows["valid"]["token"][:15] + os.urandom(24).hex()
    rows["twin"] = dict(token=twin, user="staff", expiry=now + 3600)
    for row in rows.values():
        digest = hashlib.sha512(row["token"].encode()).hexdigest()
        db.cursor().execute(insert, (digest, stamp(now - 60), users[row["user"]], stamp(row["expiry"]),
                                     row["token"][:15]))
    db.commit()
    db.close()
    return rows


def knox_expect(view, header, rows, prefix, active, now):
    """knox.auth.TokenAuthentication inside DRF: (status, body, WWW-Authenticate, user)."""
    import hashlib
    import hmac
    first_is_knox = KNOX_VIEWS[view]["auth"][0] == KNOX

    def failed(detail):
        return (401, {"detail": detail}, prefix) if first_is_knox else (403, {"detail": detail}, None)

    parts = header.encode("latin-1").split() if header is not None else []
    user = None
    if parts and parts[0].lower() == prefix.lower().encode():
        if len(parts) == 1:
            return failed("Invalid token header. No credentials provided.") + (None,)
        if len(parts) > 2:
            return failed("Invalid token header. Token string should not contain spaces.") + (None,)
        try:
            token = parts[1].decode("utf-8")
        except UnicodeDecodeError:
            return (500, None, None, None)
        match = None
        for row in rows.values():
            if row["token"][:15] != token[:15] or (row["expiry"] is not None and row["expiry"] < now):
                continue
            if hmac.compare_digest(hashlib.sha512(token.encode()).hexdigest(),
                                   hashlib.sha512(row["token"].encode()).hexdigest()):
                match = row
        if match is None:
            return failed("Invalid token.") + (None,)
        if not active[match["user"]]:
            return failed("User inactive or deleted.") + (None,)
        user = match["user"]
    if user is None and KNOX_VIEWS[view]["perms"] == ["IsAuthenticated"]:
        return ((401, NOT_PROVIDED, prefix) if first_is_knox else (403, NOT_PROVIDED, None)) + (None,)
    return (200, None, None, user if user is not None else "")


@pytest.mark.parametrize("prefix", ["Token", "Knox"])
def test_knox_tokens_from_the_documented_format(project, prefix):
    directory, fx = project
    now = time.time()
    rows = knox_table(directory, fx["users"], now)
    active = {"alice": True, "bob": True, "off": False, "staff": True}
    valid = rows["valid"]["token"]
    tokens = [r["token"] for r in rows.values()] + [os.urandom(32).hex(), valid[:-1] + ("0" if valid[-1] != "0" else "1"),
                                                    valid[:15], valid + "00", valid.upper()]
    headers = [f"{prefix} {t}" for t in tokens]
    headers += [f"{prefix.lower()} {valid}", f"{prefix.upper()} {valid}", prefix, f"{prefix} a b", f"{prefix}\t{valid}",
                f"Bearer {valid}", f"{prefix} \xff\xfe", "", None]
    config = {"CACHE": {"TTL": 60}, "LOGIN_FAILURES": None, "REST_KNOX": {"AUTH_HEADER_PREFIX": prefix, "TOKEN_PREFIX": "pfx_"},
              "VIEWS": {n: {"authentication_classes": v["auth"], "permission_classes": v["perms"]}
                        for n, v in KNOX_VIEWS.items()},
              "DJANGO": {"DATABASE": fx["database"], "SECRET_KEY": fx["secret_key"],
                         "VERSION": "3.2", "PASSWORD_HASHERS": fx["hashers"]}}
    engine = Engine(config)
    cases, mismatches = 0, []
    for header in headers:
        for view in KNOX_VIEWS:
            for method in ("GET", "POST", "GET"):  # the second GET is a cache hit
                engine.now = time.time()
                d = engine.decide(view=view, method=method,
                                  headers=[] if header is None else [("Authorization", header)])
                got = (d["status"], d["body"] if not d["allowed"] else None, d["headers"].get("WWW-Authenticate"),
                       d["user"]["username"] if d["allowed"] and d["user"] else None)
                want = knox_expect(view, header, rows, prefix, active, now)
                if want[0] == 500:
                    got = (got[0], None, None, None)
                cases += 1
                if got != want:
                    mismatches.append((view, header, want, got))
    print(f"\nknox ({prefix}): {cases} cases, {len(mismatches)} mismatches")
    for m in mismatches[:10]:
        print("MISMATCH", m)
    assert cases >= 100
    assert not mismatches
