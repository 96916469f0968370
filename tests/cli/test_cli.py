"""The `authpolicy` command: decisions, users, tokens, configuration and password hashes.
Each test works in its own temporary directory with its own SQLite database."""
import base64
import json
import os
import subprocess

import pytest

CLI = os.environ["AUTHPOLICY_CLI"]

CONFIG = {
    "DATABASE": "auth.sqlite3",
    "PASSWORD_ITERATIONS": 1000,
    "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", {"class": "TokenAuthentication", "keyword": ["Token", "Bearer"]}],
    "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
    "VIEWS": {"public": {"permission_classes": ["AllowAny"]}, "admin": {"permission_classes": ["IsAdminUser"]}},
}


def run(*args, stdin="", check=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
    return p


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "authpolicy.json"
    path.write_text(json.dumps(CONFIG))
    c = str(path)
    run("user", "add", "--config", c, "alice", "--password-stdin", stdin="wonderland\n", check=0)
    run("user", "add", "--config", c, "bob", "--staff", "--password-stdin", stdin="glass\n", check=0)
    run("user", "add", "--config", c, "carol", "--password-stdin", stdin="cheshire\n", check=0)
    return c


def basic(userpass):
    return "Basic " + base64.b64encode(userpass.encode()).decode()


def decide(conf, headers=None, *extra, **fields):
    request = dict(fields)
    if headers is not None:
        request["headers"] = headers
    p = run("decide", "--config", conf, *extra, stdin=json.dumps(request))
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def test_valid_basic_is_allowed_with_exit_0(conf):
    rc, d, _ = decide(conf, {"Authorization": basic("alice:wonderland")})
    assert rc == 0
    assert d["allowed"] is True and d["status"] == 200
    assert d["authenticator"] == "BasicAuthentication"
    assert d["user"]["username"] == "alice" and d["user"]["is_authenticated"] is True
    assert d["auth"] is None and d["headers"] == {}


def test_wrong_password_is_401_invalid_username_password_with_exit_1(conf):
    rc, d, _ = decide(conf, {"Authorization": basic("alice:queen")})
    assert rc == 1
    assert (d["status"], d["code"], d["detail"]) == (401, "authentication_failed", "Invalid username/password.")
    assert d["headers"] == {"WWW-Authenticate": 'Basic realm="api"'}
    assert d["user"]["is_authenticated"] is False


def test_no_credentials_is_401_not_provided(conf):
    rc, d, _ = decide(conf, {})
    assert rc == 1
    assert (d["status"], d["code"], d["detail"]) == (401, "not_authenticated", "Authentication credentials were not provided.")


def test_token_create_then_use_then_revoke(conf):
    key = run("token", "create", "--config", conf, "alice", "--name", "laptop", check=0).stdout.strip()
    assert len(key) == 40 and all(c in "0123456789abcdef" for c in key)
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 0 and d["auth"] == {"type": "token", "name": "laptop"}
    rc, d, _ = decide(conf, {"Authorization": f"Bearer {key}"})
    assert rc == 0
    run("token", "revoke", "--config", conf, "--key-stdin", stdin=key + "\n", check=0)
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 1 and d["detail"] == "Invalid token."
    assert run("token", "revoke", "--config", conf, key).returncode == 1  # already gone


def test_bad_token_is_401_invalid_token(conf):
    rc, d, _ = decide(conf, {"Authorization": "Token " + "0" * 40})
    assert rc == 1 and d["detail"] == "Invalid token."


def test_inactive_user_basic_invalid_username_password_and_token_user_inactive(conf):
    key = run("token", "create", "--config", conf, "carol", check=0).stdout.strip()
    run("user", "deactivate", "--config", conf, "carol", check=0)
    assert decide(conf, {"Authorization": basic("carol:cheshire")})[1]["detail"] == "Invalid username/password."
    assert decide(conf, {"Authorization": f"Token {key}"})[1]["detail"] == "User inactive or deleted."
    run("user", "activate", "--config", conf, "carol", check=0)
    assert decide(conf, {"Authorization": f"Token {key}"})[0] == 0


def test_staff_only_view(conf):
    rc, d, _ = decide(conf, {"Authorization": basic("alice:wonderland")}, "--view", "admin")
    assert rc == 1 and (d["status"], d["code"]) == (403, "permission_denied")
    rc, d, _ = decide(conf, {"Authorization": basic("bob:glass")}, "--view", "admin")
    assert rc == 0 and d["user"]["is_staff"] is True


def test_view_in_the_request_overrides_the_option(conf):
    rc, d, _ = decide(conf, {}, "--view", "admin", view="public")
    assert rc == 0


def test_expired_token_with_now(conf):
    key = run("token", "create", "--config", conf, "alice", "--expires-in", "60", check=0).stdout.strip()
    import time
    now = int(time.time())
    assert decide(conf, {"Authorization": f"Token {key}"}, "--now", str(now + 30))[0] == 0
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"}, "--now", str(now + 120))
    assert rc == 1 and d["detail"] == "Token has expired."


def test_headers_as_a_list_of_pairs(conf):
    rc, d, _ = decide(conf, [["authorization", basic("alice:wonderland")], ["X-Other", "1"]])
    assert rc == 0


def test_set_password(conf):
    run("user", "set-password", "--config", conf, "alice", "--password-stdin", stdin="new-secret\n", check=0)
    assert decide(conf, {"Authorization": basic("alice:wonderland")})[0] == 1
    assert decide(conf, {"Authorization": basic("alice:new-secret")})[0] == 0


def test_batch_mixes_allowed_denied_and_malformed_lines(conf):
    lines = [
        json.dumps({"headers": {"Authorization": basic("alice:wonderland")}}),
        "{not json",
        json.dumps({"view": "public"}),
        json.dumps({"bogus": 1}),
        json.dumps({"headers": {"Authorization": basic("alice:nope")}}),
    ]
    p = run("decide", "--config", conf, "--batch", stdin="\n".join(lines) + "\n")
    assert p.returncode == 1
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["allowed"] is True
    assert "not valid JSON" in out[1]["error"]
    assert out[2]["allowed"] is True
    assert 'unknown key "bogus"' in out[3]["error"]
    assert out[4]["status"] == 401


def test_batch_of_allowed_lines_exits_0(conf):
    p = run("decide", "--config", conf, "--batch", stdin=json.dumps({"view": "public"}) + "\n" + json.dumps({"view": "public"}) + "\n")
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 2


def test_malformed_request_json_is_exit_2_without_echoing_it(conf):
    p = run("decide", "--config", conf, stdin='{"headers": {"Authorization": "Token s3cr3t"')
    assert p.returncode == 2
    assert "not valid JSON" in p.stderr and "s3cr3t" not in p.stderr


def test_wrong_types_in_the_request_name_the_key(conf):
    p = run("decide", "--config", conf, stdin=json.dumps({"secure": "yes"}))
    assert p.returncode == 2 and '"secure"' in p.stderr
    p = run("decide", "--config", conf, stdin=json.dumps({"headers": {"Authorization": 7}}))
    assert p.returncode == 2 and "strings" in p.stderr


def test_unknown_view_is_exit_2(conf):
    p = run("decide", "--config", conf, "--view", "nope", stdin="{}")
    assert p.returncode == 2 and "unknown view 'nope'" in p.stderr


def test_bad_config_names_the_key(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"VIEWS": {"admin": {"bogus": 1}}}))
    p = run("config", "check", "--config", str(path))
    assert p.returncode == 2 and "$.VIEWS.admin.bogus" in p.stderr


def test_missing_config_file_is_exit_2(tmp_path):
    p = run("config", "check", "--config", str(tmp_path / "missing.json"))
    assert p.returncode == 2 and "cannot read configuration file" in p.stderr


def test_config_check_ok(conf):
    assert run("config", "check", "--config", conf, check=0).stdout.strip() == "ok"


def test_listings_never_show_keys_or_hashes(conf):
    key = run("token", "create", "--config", conf, "alice", "--name", "ci", check=0).stdout.strip()
    tokens = run("token", "list", "--config", conf, check=0).stdout
    users = run("user", "list", "--config", conf, check=0).stdout
    assert key not in tokens and key[:10] not in tokens
    assert json.loads(tokens)[0]["name"] == "ci"
    assert "pbkdf2" not in users and [u["username"] for u in json.loads(users)] == ["alice", "bob", "carol"]
    table = run("user", "list", "--config", conf, "--format", "table", check=0).stdout
    assert "alice" in table and "bob" in table
    assert json.loads(run("token", "list", "--config", conf, "--user", "bob", check=0).stdout) == []


def test_duplicate_user_and_unknown_user_exit_1(conf):
    p = run("user", "add", "--config", conf, "alice")
    assert p.returncode == 1 and "already exists" in p.stderr
    p = run("token", "create", "--config", conf, "nobody")
    assert p.returncode == 1 and "no such user" in p.stderr


def test_password_hash_and_verify(conf):
    encoded = run("password", "hash", "--iterations", "1000", stdin="pw\n", check=0).stdout.strip()
    assert encoded.startswith("pbkdf2_sha256$1000$")
    assert run("password", "verify", encoded, "--iterations", "1000", stdin="pw\n", check=0).stdout.strip() == "match"
    assert run("password", "verify", encoded, stdin="pw\n", check=0).stdout.strip() == "match needs_rehash"
    assert run("password", "verify", encoded, stdin="nope\n").returncode == 1


def test_django_vector_verifies():
    encoded = "pbkdf2_sha256$260000$seasalt1234567890ab$9WnkR8KkBGVTAx1qmk06ghvhZwk+F3wPDe90dlCqG/Y="
    assert run("password", "verify", encoded, stdin="password\n").returncode == 0


def test_usage_errors_exit_2():
    assert run().returncode == 2
    assert run("decide").returncode == 2  # --config is required
    assert run("token", "revoke", "--config", "x.json").returncode == 2


def test_version():
    assert run("--version", check=0).stdout.strip() == "0.1.0"
