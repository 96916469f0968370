"""`authpolicy apikey create|list|revoke` (docs/api-keys.md) against a real SQLite directory, and the
keys it prints deciding requests through `authpolicy decide`.

Run: AUTHPOLICY_CLI=build/cli/authpolicy /usr/bin/python3 -m pytest -q tests/cli/test_apikey.py
"""
import json
import os
import re
import subprocess
import time

import pytest

CLI = os.environ["AUTHPOLICY_CLI"]
KEY = re.compile(r"^ap_(live|test)_[0-9A-Za-z]{50}$")


def run(*args, stdin="", check=None, env=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=60, env=env)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
    return p


@pytest.fixture
def conf(tmp_path):
    pepper = tmp_path / "pepper"
    pepper.write_text("a CLI test pepper of at least thirty-two bytes\n")
    config = {
        "DATABASE": "authpolicy.sqlite3",
        "PASSWORD_ITERATIONS": 1000,
        "API_KEYS": {"PEPPER_FILE": "pepper"},
        "DEFAULT_AUTHENTICATION_CLASSES": ["APIKeyAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
        "VIEWS": {"deploy": {"permission_classes": ["TokenHasScope"], "required_scopes": ["deploy"]}},
    }
    path = tmp_path / "authpolicy.json"
    path.write_text(json.dumps(config))
    for user in ("alice", "bob"):
        run("user", "add", "--config", str(path), user, check=0)
    return str(path)


def create(conf, user="alice", *extra):
    p = run("apikey", "create", "--config", conf, user, *extra, check=0)
    key = p.stdout.strip()
    assert p.stdout == key + "\n" and KEY.match(key), p.stdout
    assert key not in p.stderr
    return key


def decide(conf, key, view=None):
    request = {"headers": {"Authorization": f"Api-Key {key}"}}
    if view:
        request["view"] = view
    p = run("decide", "--config", conf, stdin=json.dumps(request))
    return json.loads(p.stdout)


def listed(conf, *extra):
    return json.loads(run("apikey", "list", "--config", conf, *extra, check=0).stdout)


def test_create_prints_a_live_key_once_and_it_authenticates(conf):
    key = create(conf, "alice", "--name", "ci", "--scopes", "read  deploy", "--expires-in", "3600")
    assert key.startswith("ap_live_")
    d = decide(conf, key, "deploy")
    assert d["status"] == 200 and d["user"]["username"] == "alice" and d["authenticator"] == "APIKeyAuthentication"
    [k] = listed(conf)
    assert k["selector"] == key[8:20] and k["prefix"] == "ap_live_" and k["username"] == "alice"
    assert k["name"] == "ci" and k["scopes"] == "read deploy" and k["expires"] == k["created"] + 3600
    assert k["revoked"] is None
    assert set(k) == {"id", "selector", "prefix", "username", "name", "scopes", "created", "expires", "last_used",
                      "revoked"}


def test_test_keys_and_scopes(conf):
    key = create(conf, "bob", "--test")
    assert key.startswith("ap_test_")
    d = decide(conf, key, "deploy")
    assert d["status"] == 403


def test_list_never_shows_keys_or_secrets_and_filters_by_user(conf):
    keys = [create(conf, "alice"), create(conf, "bob")]
    out = run("apikey", "list", "--config", conf, check=0).stdout
    out += run("apikey", "list", "--config", conf, "--format", "table", check=0).stdout
    for key in keys:
        assert key not in out and key[20:52] not in out and key[20:30] not in out
    assert [k["username"] for k in listed(conf, "bob")] == ["bob"]
    lines = run("apikey", "list", "--config", conf, "--format", "table", check=0).stdout.splitlines()
    assert lines[0].split()[:4] == ["SELECTOR", "USER", "NAME", "SCOPES"]
    assert lines[1].split()[0] == keys[0][:20]
    p = run("apikey", "list", "--config", conf, "nobody")
    assert p.returncode == 1 and p.stderr == "authpolicy: apikey list: no such user\n"


def test_revoke_by_selector_by_key_and_on_stdin(conf):
    a, b, c = create(conf), create(conf), create(conf, "bob")
    run("apikey", "revoke", "--config", conf, a[8:20], check=0)
    run("apikey", "revoke", "--config", conf, b, check=0)
    p = run("apikey", "revoke", "--config", conf, "--key-stdin", stdin=c + "\n", check=0)
    assert c not in p.stdout + p.stderr
    for key in (a, b, c):
        d = decide(conf, key)
        assert (d["status"], d["detail"]) == (401, "Invalid API key.")
        assert d["headers"]["WWW-Authenticate"] == "Api-Key"
    assert all(k["revoked"] is not None for k in listed(conf))
    p = run("apikey", "revoke", "--config", conf, a[8:20])
    assert p.returncode == 1 and p.stderr == "authpolicy: apikey revoke: no such API key (or it is already revoked)\n"


def test_revoke_refuses_what_is_neither_a_key_nor_a_selector_without_echoing_it(conf):
    key = create(conf)
    typo = key[:30] + ("x" if key[30] != "x" else "y") + key[31:]
    p = run("apikey", "revoke", "--config", conf, typo)
    assert p.returncode == 2 and typo not in p.stderr and typo[20:52] not in p.stderr
    assert "not an API key" in p.stderr
    assert decide(conf, key)["status"] == 200
    p = run("apikey", "revoke", "--config", conf)
    assert p.returncode == 2


def test_a_mistyped_key_is_refused_as_invalid(conf):
    key = create(conf)
    typo = key[:25] + ("Q" if key[25] != "Q" else "R") + key[26:]
    d = decide(conf, typo)
    assert (d["status"], d["detail"]) == (401, "Invalid API key.")


def test_create_without_api_keys_is_a_config_error(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text(json.dumps({"DATABASE": "db.sqlite3", "PASSWORD_ITERATIONS": 1000}))
    run("user", "add", "--config", str(path), "alice", check=0)
    p = run("apikey", "create", "--config", str(path), "alice")
    assert p.returncode == 2 and p.stdout == "" and "API_KEYS" in p.stderr


def test_a_short_pepper_is_refused_and_never_shown(conf, tmp_path):
    (tmp_path / "pepper").write_text("short-pepper-value\n")
    p = run("apikey", "create", "--config", conf, "alice")
    assert p.returncode == 2 and "at least 32 bytes" in p.stderr and "short-pepper-value" not in p.stderr


def test_unknown_user_and_bad_arguments(conf):
    p = run("apikey", "create", "--config", conf, "nobody")
    assert p.returncode == 1 and p.stdout == "" and p.stderr == "authpolicy: apikey create: no such user\n"
    assert run("apikey", "create", "--config", conf, "alice", "--expires-in", "-5").returncode == 2
    assert run("apikey", "create", "--config", conf, "alice", "--scopes", 'a"b').returncode == 2


def test_last_used_is_written_by_the_serving_process(conf, tmp_path):
    key = create(conf)
    assert listed(conf)[0]["last_used"] is None
    before = int(time.time())
    assert decide(conf, key)["status"] == 200  # the process's last batch is written as it exits
    last_used = listed(conf)[0]["last_used"]
    assert last_used is not None and before <= last_used <= int(time.time())
