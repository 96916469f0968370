"""The `authpolicy` command: decisions, users, tokens, configuration and password hashes.

Each test works in its own temporary directory with its own configuration and SQLite database and
runs the real binary (AUTHPOLICY_CLI) with subprocess. Run: AUTHPOLICY_CLI=build/cli/authpolicy
/usr/bin/python3 -m pytest -q tests/cli
"""
import base64
import json
import os
import select
import sqlite3
import subprocess
import time

import pytest

CLI = os.environ["AUTHPOLICY_CLI"]

CONFIG = {
    "DATABASE": "authpolicy.sqlite3",
    "PASSWORD_ITERATIONS": 1000,  # keeps PBKDF2 fast in tests
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "BasicAuthentication",
        {"class": "TokenAuthentication", "keyword": ["Token", "Bearer"]},
    ],
    "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
    "VIEWS": {
        "public": {"permission_classes": ["AllowAny"]},
        "admin": {"permission_classes": ["IsAdminUser"]},
        "remote": {"authentication_classes": ["RemoteUserAuthentication"]},
    },
}

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="api"'}
ANONYMOUS = {
    "id": None,
    "username": "",
    "is_authenticated": False,
    "is_active": False,
    "is_staff": False,
    "is_superuser": False,
}


def user_json(id_, username, staff=False, superuser=False, active=True):
    return {
        "id": id_,
        "username": username,
        "is_authenticated": True,
        "is_active": active,
        "is_staff": staff,
        "is_superuser": superuser,
    }


def denial(status, code, detail, user=ANONYMOUS, headers=BASIC_CHALLENGE, authenticator=None, auth=None):
    return {
        "allowed": False,
        "status": status,
        "code": code,
        "detail": detail,
        "authenticator": authenticator,
        "user": user,
        "auth": auth,
        "headers": headers,
        "body": {"detail": detail},
    }


def allowed(user, authenticator, auth=None):
    return {
        "allowed": True,
        "status": 200,
        "code": None,
        "detail": None,
        "authenticator": authenticator,
        "user": user,
        "auth": auth,
        "headers": {},
        "body": None,
    }


def run(*args, stdin="", check=None, cwd=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=cwd)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
    return p


def write_config(directory, config=None, name="authpolicy.json"):
    path = directory / name
    path.write_text(json.dumps(CONFIG if config is None else config))
    return str(path)


@pytest.fixture
def conf(tmp_path):
    """alice (id 1, password wonderland), bob (id 2, staff, glass), carol (id 3, cheshire)."""
    c = write_config(tmp_path)
    run("user", "add", "--config", c, "alice", "--password-stdin", stdin="wonderland\n", check=0)
    run("user", "add", "--config", c, "bob", "--staff", "--password-stdin", stdin="glass\n", check=0)
    run("user", "add", "--config", c, "carol", "--password-stdin", stdin="cheshire\n", check=0)
    return c


ALICE = user_json(1, "alice")
BOB = user_json(2, "bob", staff=True)


def basic(userpass):
    return "Basic " + base64.b64encode(userpass.encode()).decode()


def decide(conf, headers=None, *extra, **fields):
    """Runs `decide` on one request; returns (exit status, decision or None, stderr)."""
    request = dict(fields)
    if headers is not None:
        request["headers"] = headers
    p = run("decide", "--config", conf, *extra, stdin=json.dumps(request))
    return p.returncode, (json.loads(p.stdout) if p.stdout.strip() else None), p.stderr


def create_token(conf, user="alice", *extra):
    return run("token", "create", "--config", conf, user, *extra, check=0).stdout.strip()


# --- decide: outcomes ------------------------------------------------------------------------


def test_valid_basic_is_allowed_exit_0(conf):
    rc, d, err = decide(conf, {"Authorization": basic("alice:wonderland")})
    assert (rc, err) == (0, "")
    assert d == allowed(ALICE, "BasicAuthentication")


def test_decision_is_one_json_line(conf):
    p = run("decide", "--config", conf, stdin=json.dumps({"headers": {"Authorization": basic("alice:wonderland")}}))
    assert p.returncode == 0
    assert p.stdout.endswith("\n") and p.stdout.count("\n") == 1


def test_valid_token_is_allowed_with_token_auth(conf):
    key = create_token(conf, "alice", "--name", "laptop")
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 0
    assert d == allowed(ALICE, "TokenAuthentication", auth={"type": "token", "name": "laptop"})


def test_bearer_keyword_is_accepted_for_tokens(conf):
    key = create_token(conf)
    rc, d, _ = decide(conf, {"Authorization": f"Bearer {key}"})
    assert rc == 0 and d["authenticator"] == "TokenAuthentication" and d["user"] == ALICE


def test_wrong_password_is_401_invalid_username_password_exit_1(conf):
    rc, d, _ = decide(conf, {"Authorization": basic("alice:queen-of-hearts")})
    assert rc == 1
    assert d == denial(401, "authentication_failed", "Invalid username/password.")


def test_bad_token_is_401_invalid_token(conf):
    rc, d, _ = decide(conf, {"Authorization": "Token " + "0" * 40})
    assert rc == 1
    assert d == denial(401, "authentication_failed", "Invalid token.")


def test_no_credentials_is_401_not_provided_with_www_authenticate(conf):
    rc, d, _ = decide(conf, {})
    assert rc == 1
    assert d == denial(401, "not_authenticated", "Authentication credentials were not provided.")
    assert d["headers"]["WWW-Authenticate"] == 'Basic realm="api"'


def test_inactive_user_basic_is_401_invalid_username_password(conf):
    run("user", "deactivate", "--config", conf, "carol", check=0)
    rc, d, _ = decide(conf, {"Authorization": basic("carol:cheshire")})
    assert rc == 1
    assert d == denial(401, "authentication_failed", "Invalid username/password.")


def test_inactive_user_token_is_401_user_inactive_or_deleted(conf):
    key = create_token(conf, "carol")
    run("user", "deactivate", "--config", conf, "carol", check=0)
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 1
    assert d == denial(401, "authentication_failed", "User inactive or deleted.")


def test_user_created_inactive_is_refused(conf):
    run("user", "add", "--config", conf, "dave", "--inactive", "--password-stdin", stdin="pw\n", check=0)
    rc, d, _ = decide(conf, {"Authorization": basic("dave:pw")})
    assert rc == 1 and d["detail"] == "Invalid username/password."


def test_reactivated_user_is_allowed_again(conf):
    run("user", "deactivate", "--config", conf, "carol", check=0)
    run("user", "activate", "--config", conf, "carol", check=0)
    rc, d, _ = decide(conf, {"Authorization": basic("carol:cheshire")})
    assert rc == 0 and d["user"] == user_json(3, "carol")


def test_staff_only_view_denies_non_staff_with_403(conf):
    rc, d, _ = decide(conf, {"Authorization": basic("alice:wonderland")}, "--view", "admin")
    assert rc == 1
    assert d == denial(
        403,
        "permission_denied",
        "You do not have permission to perform this action.",
        user=ALICE,
        headers={},
        authenticator="BasicAuthentication",
    )


def test_staff_only_view_allows_staff_with_200(conf):
    rc, d, _ = decide(conf, {"Authorization": basic("bob:glass")}, "--view", "admin")
    assert rc == 0
    assert d == allowed(BOB, "BasicAuthentication")


def test_public_view_allows_anonymous(conf):
    rc, d, _ = decide(conf, {}, "--view", "public")
    assert rc == 0
    assert d == allowed(ANONYMOUS, None)


def test_view_in_request_overrides_view_option(conf):
    rc, d, _ = decide(conf, {}, "--view", "admin", view="public")
    assert rc == 0 and d["allowed"] is True


def test_expired_token_with_now_is_401_token_has_expired(conf):
    t0 = int(time.time())
    key = create_token(conf, "alice", "--expires-in", "60")
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"}, "--now", str(t0 + 3600))
    assert rc == 1
    assert d == denial(401, "authentication_failed", "Token has expired.")


def test_unexpired_token_with_fractional_now_is_allowed(conf):
    t0 = int(time.time())
    key = create_token(conf, "alice", "--expires-in", "60")
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"}, "--now", f"{t0 + 30}.5")
    assert rc == 0 and d["user"] == ALICE


def test_revoked_token_is_401_invalid_token(conf):
    key = create_token(conf)
    run("token", "revoke", "--config", conf, "--key-stdin", stdin=key + "\n", check=0)
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 1
    assert d == denial(401, "authentication_failed", "Invalid token.")


def test_headers_as_list_of_pairs_are_accepted(conf):
    rc, d, _ = decide(conf, [["authorization", basic("alice:wonderland")], ["X-Trace", "1"], ["X-Trace", "2"]])
    assert rc == 0 and d == allowed(ALICE, "BasicAuthentication")


def test_repeated_header_pairs_are_joined_with_comma(conf):
    # Two Authorization headers become "Basic …, Basic …", which Basic rejects as DRF does.
    auth = basic("alice:wonderland")
    rc, d, _ = decide(conf, [["Authorization", auth], ["Authorization", auth]])
    assert rc == 1
    assert d == denial(
        401, "authentication_failed", "Invalid basic header. Credentials string should not contain spaces."
    )


def test_header_names_are_case_insensitive(conf):
    rc, _, _ = decide(conf, {"AUTHORIZATION": basic("alice:wonderland")})
    assert rc == 0


def test_remote_user_key_reaches_remote_user_authentication(conf):
    rc, d, _ = decide(conf, {}, "--view", "remote", remote_user="alice")
    assert rc == 0 and d["authenticator"] == "RemoteUserAuthentication" and d["user"] == ALICE


def test_all_request_keys_are_accepted(conf):
    rc, d, _ = decide(
        conf,
        {"Authorization": basic("alice:wonderland")},
        method="post",
        path="/items",
        remote_addr="127.0.0.1",
        secure=True,
        view="public",
        remote_user=None,
    )
    assert rc == 0 and d["user"] == ALICE


def test_null_request_values_mean_absent(conf):
    rc, d, _ = decide(conf, None, "--view", "public", method=None, path=None, view=None, secure=None, remote_addr=None)
    assert rc == 0 and d["user"] == ANONYMOUS


def test_request_option_reads_file(conf, tmp_path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"headers": {"Authorization": basic("alice:wonderland")}}))
    p = run("decide", "--config", conf, "--request", str(request), stdin="this is ignored")
    assert p.returncode == 0 and json.loads(p.stdout)["user"] == ALICE


def test_request_option_missing_file_is_exit_2(conf, tmp_path):
    p = run("decide", "--config", conf, "--request", str(tmp_path / "none.json"))
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("authpolicy: --request: cannot read")


def test_database_failure_prints_safe_denial_503_exit_1(conf, tmp_path):
    key = create_token(conf)
    with sqlite3.connect(tmp_path / "authpolicy.sqlite3") as db:
        db.execute("DROP TABLE authp_token")  # evaluation now fails inside the token store
    rc, d, err = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 1
    assert d == denial(
        503, "service_unavailable", "Authentication is temporarily unavailable.", user=None, headers={}
    )
    assert err.startswith("authpolicy: ") and "authp_token" in err
    assert key not in err


def test_now_must_be_finite(conf):
    for bad in ("nan", "inf", "-1", "soon"):
        p = run("decide", "--config", conf, "--now", bad, stdin="{}")
        assert p.returncode == 2 and p.stdout == "" and p.stderr.startswith("authpolicy: "), bad


# --- decide: request errors ------------------------------------------------------------------


def test_malformed_request_json_is_exit_2_without_echoing_it(conf):
    p = run("decide", "--config", conf, stdin='{"headers": {"Authorization": "Token s3cr3t"')
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("authpolicy: request: not valid JSON (near byte")
    assert "s3cr3t" not in p.stderr


def test_request_with_an_out_of_range_number_is_exit_2_not_a_crash(conf):
    # Found by fuzz_cli_request_json: nlohmann throws out_of_range (not parse_error) for 2e988.
    for text in ("[2e988", '{"secure": 2e988}'):
        p = run("decide", "--config", conf, stdin=text)
        assert p.returncode == 2 and p.stdout == ""
        assert p.stderr == "authpolicy: request: not valid JSON (a number is out of range)\n"


def test_empty_request_is_exit_2(conf):
    p = run("decide", "--config", conf, stdin="")
    assert p.returncode == 2 and p.stderr == "authpolicy: request: empty input (expected a JSON object)\n"


def test_request_that_is_not_an_object_is_exit_2(conf):
    p = run("decide", "--config", conf, stdin="[1, 2]")
    assert p.returncode == 2 and p.stderr == "authpolicy: request: expected a JSON object, not array\n"


def test_unknown_request_key_is_exit_2_naming_the_key(conf):
    p = run("decide", "--config", conf, stdin=json.dumps({"bogus": 1}))
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith('authpolicy: request: unknown key "bogus" (expected method, path, headers')


def test_credential_at_top_level_is_refused_without_echoing_it(conf):
    p = run("decide", "--config", conf, stdin=json.dumps({"Authorization": "Token s3cr3t"}))
    assert p.returncode == 2 and '"Authorization"' in p.stderr and "s3cr3t" not in p.stderr


@pytest.mark.parametrize(
    "request_, message",
    [
        ({"secure": "yes"}, '"secure" must be true or false, not string'),
        ({"method": 1}, '"method" must be a string, not number'),
        ({"path": ["/"]}, '"path" must be a string, not array'),
        ({"view": True}, '"view" must be a string, not boolean'),
        ({"remote_addr": 1}, '"remote_addr" must be a string, not number'),
        ({"remote_user": {}}, '"remote_user" must be a string, not object'),
        ({"headers": "Authorization: x"}, '"headers" must be an object or a list of [name, value] pairs, not string'),
        ({"headers": {"Authorization": 7}}, '"headers"."Authorization": the header value must be a string, not number'),
        ({"headers": [["Authorization"]]}, '"headers"[0]: expected a [name, value] pair'),
        ({"headers": [[1, "x"]]}, '"headers"[0]: the header name must be a string, not number'),
        ({"headers": [["", "x"]]}, '"headers"[0]: empty header name'),
    ],
)
def test_wrong_request_types_are_exit_2_naming_the_key(conf, request_, message):
    p = run("decide", "--config", conf, stdin=json.dumps(request_))
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == f"authpolicy: request: {message}\n"


def test_header_values_never_appear_in_errors(conf):
    for request_ in (
        {"headers": {"Authorization": "Token s3cr3t", "X": 1}},
        {"headers": [["Authorization", "Token s3cr3t"], ["X"]]},
        {"headers": {"Authorization": "Token s3cr3t"}, "bogus": 1},
    ):
        p = run("decide", "--config", conf, stdin=json.dumps(request_))
        assert p.returncode == 2 and "s3cr3t" not in p.stderr, request_


def test_unknown_view_option_is_exit_2(conf):
    p = run("decide", "--config", conf, "--view", "nope", stdin="{}")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "authpolicy: --view: unknown view 'nope'\n"


def test_unknown_view_in_request_is_exit_2(conf):
    p = run("decide", "--config", conf, stdin=json.dumps({"view": "nope"}))
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "authpolicy: unknown view 'nope'\n"


# --- decide --batch --------------------------------------------------------------------------


def test_batch_mixes_allowed_denied_and_malformed_lines(conf):
    lines = [
        json.dumps({"headers": {"Authorization": basic("alice:wonderland")}}),
        '{"headers": {"Authorization": "Token s3cr3t"',
        json.dumps({"view": "public"}),
        json.dumps({"bogus": 1}),
        json.dumps({"headers": {"Authorization": basic("alice:nope")}}),
        json.dumps({"view": "nope"}),
        json.dumps({"headers": [["Authorization", basic("bob:glass")]], "view": "admin"}),
    ]
    p = run("decide", "--config", conf, "--batch", stdin="\n".join(lines) + "\n")
    assert p.returncode == 1
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(out) == 7
    assert out[0] == allowed(ALICE, "BasicAuthentication")
    assert out[1] == {"error": "request: not valid JSON (near byte 45)"}
    assert out[2] == allowed(ANONYMOUS, None)
    assert out[3]["error"].startswith('request: unknown key "bogus"')
    assert out[4] == denial(401, "authentication_failed", "Invalid username/password.")
    assert out[5] == {"error": "unknown view 'nope'"}
    assert out[6] == allowed(BOB, "BasicAuthentication")
    assert "s3cr3t" not in p.stdout + p.stderr


def test_batch_of_allowed_lines_exits_0(conf):
    line = json.dumps({"headers": {"Authorization": basic("alice:wonderland")}})
    p = run("decide", "--config", conf, "--batch", stdin=f"{line}\n{line}\n{line}")  # no final newline
    assert p.returncode == 0
    assert [json.loads(x)["user"] for x in p.stdout.splitlines()] == [ALICE, ALICE, ALICE]


def test_batch_with_one_denied_line_exits_1(conf):
    ok = json.dumps({"view": "public"})
    p = run("decide", "--config", conf, "--batch", stdin=f"{ok}\n{{}}\n{ok}\n")
    assert p.returncode == 1
    assert [json.loads(x)["status"] for x in p.stdout.splitlines()] == [200, 401, 200]


def test_batch_with_only_malformed_lines_exits_1(conf):
    p = run("decide", "--config", conf, "--batch", stdin="nope\n")
    assert p.returncode == 1 and json.loads(p.stdout) == {"error": "request: not valid JSON (near byte 2)"}


def test_batch_skips_blank_lines(conf):
    ok = json.dumps({"view": "public"})
    p = run("decide", "--config", conf, "--batch", stdin=f"\n{ok}\n   \n\r\n{ok}\n")
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 2


def test_batch_empty_input_exits_0_without_output(conf):
    p = run("decide", "--config", conf, "--batch", stdin="")
    assert (p.returncode, p.stdout) == (0, "")


def test_batch_view_option_applies_to_every_line_unless_overridden(conf):
    lines = [json.dumps({}), json.dumps({"view": "admin"}), json.dumps({"view": ""})]
    p = run("decide", "--config", conf, "--batch", "--view", "public", stdin="\n".join(lines))
    assert [json.loads(x)["status"] for x in p.stdout.splitlines()] == [200, 401, 401]


def test_batch_unknown_view_option_is_exit_2_before_any_output(conf):
    p = run("decide", "--config", conf, "--batch", "--view", "nope", stdin=json.dumps({"view": "public"}) + "\n")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "authpolicy: --view: unknown view 'nope'\n"


def test_batch_bad_config_is_exit_2(tmp_path):
    c = write_config(tmp_path, {"VIEWS": {"admin": {"bogus": 1}}})
    p = run("decide", "--config", c, "--batch", stdin="{}\n")
    assert p.returncode == 2 and p.stdout == "" and "$.VIEWS.admin.bogus" in p.stderr


def test_batch_reads_request_file(conf, tmp_path):
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps({"view": "public"}) + "\n" + json.dumps({}) + "\n")
    p = run("decide", "--config", conf, "--batch", "--request", str(requests))
    assert p.returncode == 1
    assert [json.loads(x)["status"] for x in p.stdout.splitlines()] == [200, 401]


def test_batch_answers_each_line_before_the_next_arrives(conf):
    # A host may hold the pipe open and wait for each answer: every line is flushed as it is decided.
    proc = subprocess.Popen(
        [CLI, "decide", "--config", conf, "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(2):
            proc.stdin.write(json.dumps({"headers": {"Authorization": basic("alice:wonderland")}}) + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 20)
            assert ready, "no answer while the input stays open: the line was not flushed"
            assert json.loads(proc.stdout.readline())["user"] == ALICE
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_batch_database_failure_prints_safe_denial_and_goes_on(conf, tmp_path):
    key = create_token(conf)
    with sqlite3.connect(tmp_path / "authpolicy.sqlite3") as db:
        db.execute("DROP TABLE authp_token")
    lines = [json.dumps({"headers": {"Authorization": f"Token {key}"}}), json.dumps({"view": "public"})]
    p = run("decide", "--config", conf, "--batch", stdin="\n".join(lines) + "\n")
    assert p.returncode == 1
    assert [json.loads(x)["status"] for x in p.stdout.splitlines()] == [503, 200]
    assert p.stderr.startswith("authpolicy: ")


# --- configuration ---------------------------------------------------------------------------


def test_bad_config_is_exit_2_naming_the_key(tmp_path):
    c = write_config(tmp_path, {"VIEWS": {"admin": {"bogus": 1}}})
    for args in (("config", "check"), ("decide",), ("user", "list")):
        p = run(*args, "--config", c, stdin="{}")
        assert p.returncode == 2 and p.stdout == "", args
        assert p.stderr.startswith("authpolicy: configuration error at $.VIEWS.admin.bogus: unknown key"), args


def test_config_that_is_not_json_is_exit_2(tmp_path):
    path = tmp_path / "authpolicy.json"
    path.write_text("{not json")
    p = run("config", "check", "--config", str(path))
    assert p.returncode == 2 and "configuration is not valid JSON" in p.stderr


def test_missing_config_file_is_exit_2(tmp_path):
    missing = str(tmp_path / "missing.json")
    for args in (("config", "check"), ("decide",), ("token", "list")):
        p = run(*args, "--config", missing, stdin="{}")
        assert p.returncode == 2, args
        assert p.stderr == f"authpolicy: cannot read configuration file '{missing}'\n", args


def test_config_check_prints_ok_and_the_view_names(conf):
    p = run("config", "check", "--config", conf, check=0)
    assert p.stdout == "ok\nview: admin\nview: public\nview: remote\n"


def test_config_check_without_views_prints_ok_only(tmp_path):
    c = write_config(tmp_path, {"DATABASE": "x.sqlite3"})
    assert run("config", "check", "--config", c, check=0).stdout == "ok\n"


def test_database_path_is_relative_to_the_config_directory(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "elsewhere").mkdir()
    c = write_config(tmp_path / "etc")
    run("user", "add", "--config", c, "alice", cwd=str(tmp_path / "elsewhere"), check=0)
    assert (tmp_path / "etc" / "authpolicy.sqlite3").exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_directory_commands_refuse_an_in_memory_database(tmp_path):
    for config in ({}, {"DATABASE": ":memory:"}, {"DATABASE": "file::memory:"}):
        c = write_config(tmp_path, config)
        for args in (("user", "add", "alice"), ("user", "list"), ("token", "create", "alice"), ("token", "list")):
            p = run(*args, "--config", c)
            assert p.returncode == 2, (config, args)
            assert "DATABASE is in memory" in p.stderr, (config, args)


# --- users -----------------------------------------------------------------------------------


def test_user_list_shows_flags_and_no_password_hash(conf):
    run("user", "add", "--config", conf, "root", "--staff", "--superuser", check=0)
    run("user", "add", "--config", conf, "gone", "--inactive", check=0)
    p = run("user", "list", "--config", conf, check=0)
    users = json.loads(p.stdout)
    assert [{k: v for k, v in u.items() if k != "date_joined"} for u in users] == [
        {"id": 1, "username": "alice", "is_active": True, "is_staff": False, "is_superuser": False},
        {"id": 2, "username": "bob", "is_active": True, "is_staff": True, "is_superuser": False},
        {"id": 3, "username": "carol", "is_active": True, "is_staff": False, "is_superuser": False},
        {"id": 4, "username": "root", "is_active": True, "is_staff": True, "is_superuser": True},
        {"id": 5, "username": "gone", "is_active": False, "is_staff": False, "is_superuser": False},
    ]
    assert all(isinstance(u["date_joined"], int) for u in users)
    assert "pbkdf2" not in p.stdout and "password" not in p.stdout and "wonderland" not in p.stdout


def test_user_list_table_format(conf):
    run("user", "deactivate", "--config", conf, "carol", check=0)
    lines = run("user", "list", "--config", conf, "--format", "table", check=0).stdout.splitlines()
    assert lines[0].split() == ["ID", "USERNAME", "ACTIVE", "STAFF", "SUPERUSER", "JOINED"]
    assert lines[1].split()[:5] == ["1", "alice", "yes", "no", "no"]
    assert lines[2].split()[:5] == ["2", "bob", "yes", "yes", "no"]
    assert lines[3].split()[:5] == ["3", "carol", "no", "no", "no"]
    assert len(lines) == 4 and "pbkdf2" not in "\n".join(lines)


def test_user_list_format_must_be_json_or_table(conf):
    p = run("user", "list", "--config", conf, "--format", "xml")
    assert p.returncode == 2 and p.stderr.startswith("authpolicy: ")


def test_user_add_duplicate_is_exit_1(conf):
    p = run("user", "add", "--config", conf, "alice")
    assert p.returncode == 1
    assert p.stderr == "authpolicy: user add: a user with that username already exists\n"


def test_user_add_invalid_username_is_exit_2(conf):
    p = run("user", "add", "--config", conf, "al ice")
    assert p.returncode == 2
    assert p.stderr == ("authpolicy: user add: username may not contain whitespace, control, invisible or "
                        "bidirectional-control characters or ':'\n")


def test_user_add_without_password_stdin_gets_an_unusable_password(conf):
    run("user", "add", "--config", conf, "svc", stdin="ignored\n", check=0)
    assert decide(conf, {"Authorization": basic("svc:ignored")})[0] == 1
    assert decide(conf, {"Authorization": basic("svc:")})[0] == 1
    key = create_token(conf, "svc")
    rc, d, _ = decide(conf, {"Authorization": f"Token {key}"})
    assert rc == 0 and d["user"]["username"] == "svc"


def test_user_add_empty_password_is_exit_2(conf):
    for stdin in ("\n", ""):
        p = run("user", "add", "--config", conf, "dave", "--password-stdin", stdin=stdin)
        assert p.returncode == 2 and p.stderr.startswith("authpolicy: "), repr(stdin)
    assert "dave" not in run("user", "list", "--config", conf, check=0).stdout


def test_password_stdin_strips_the_trailing_newline_only(conf):
    run("user", "add", "--config", conf, "dave", "--password-stdin", stdin=" two words \r\n", check=0)
    assert decide(conf, {"Authorization": basic("dave: two words \r")})[0] == 0
    assert decide(conf, {"Authorization": basic("dave:two words")})[0] == 1
    assert decide(conf, {"Authorization": basic("dave: two words ")})[0] == 1


def test_password_stdin_reads_the_first_line_only(conf):
    run("user", "add", "--config", conf, "dave", "--password-stdin", stdin="first\nsecond\n", check=0)
    assert decide(conf, {"Authorization": basic("dave:first")})[0] == 0


def test_password_stdin_without_final_newline(conf):
    run("user", "add", "--config", conf, "dave", "--password-stdin", stdin="no-newline", check=0)
    assert decide(conf, {"Authorization": basic("dave:no-newline")})[0] == 0


def test_set_password_replaces_the_password(conf):
    run("user", "set-password", "--config", conf, "alice", "--password-stdin", stdin="new-secret\n", check=0)
    assert decide(conf, {"Authorization": basic("alice:wonderland")})[0] == 1
    assert decide(conf, {"Authorization": basic("alice:new-secret")})[0] == 0


def test_set_password_requires_password_stdin(conf):
    p = run("user", "set-password", "--config", conf, "alice", stdin="new-secret\n")
    assert p.returncode == 2 and p.stderr.startswith("authpolicy: --password-stdin is required")
    assert decide(conf, {"Authorization": basic("alice:wonderland")})[0] == 0


def test_set_password_unknown_user_is_exit_1(conf):
    p = run("user", "set-password", "--config", conf, "nobody", "--password-stdin", stdin="s3cr3t\n")
    assert p.returncode == 1 and p.stderr == "authpolicy: user set-password: no such user\n"


def test_activate_and_deactivate_unknown_user_is_exit_1(conf):
    for verb in ("activate", "deactivate"):
        p = run("user", verb, "--config", conf, "nobody")
        assert p.returncode == 1 and p.stderr == f"authpolicy: user {verb}: no such user\n"


def test_errors_never_show_the_password(conf):
    p = run("user", "add", "--config", conf, "alice", "--password-stdin", stdin="s3cr3t-pw\n")
    assert p.returncode == 1 and "s3cr3t-pw" not in p.stdout + p.stderr
    p = run("user", "add", "--config", conf, "eve", "--password-stdin", stdin="x" * 5000 + "\n")
    assert p.returncode == 2 and "password longer than 4096 bytes" in p.stderr and "xxxx" not in p.stderr


# --- tokens ----------------------------------------------------------------------------------


def test_token_create_prints_the_key_alone(conf):
    p = run("token", "create", "--config", conf, "alice", check=0)
    key = p.stdout.strip()
    assert p.stdout == key + "\n"
    assert len(key) == 40 and all(c in "0123456789abcdef" for c in key)
    assert key not in p.stderr


def test_token_create_unknown_user_is_exit_1(conf):
    p = run("token", "create", "--config", conf, "nobody")
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr == "authpolicy: token create: no such user\n"


def test_token_create_name_and_expires_in_show_in_token_list(conf):
    create_token(conf, "alice", "--name", "laptop", "--expires-in", "3600")
    create_token(conf, "bob")
    tokens = json.loads(run("token", "list", "--config", conf, check=0).stdout)
    assert [(t["id"], t["username"], t["name"]) for t in tokens] == [(1, "alice", "laptop"), (2, "bob", "")]
    assert tokens[0]["expires"] == tokens[0]["created"] + 3600
    assert tokens[1]["expires"] is None


def test_token_create_negative_expires_in_is_exit_2(conf):
    p = run("token", "create", "--config", conf, "alice", "--expires-in", "-5")
    assert p.returncode == 2 and p.stdout == "" and p.stderr.startswith("authpolicy: ")


def test_token_list_never_shows_keys(conf):
    keys = [create_token(conf, "alice", "--name", "ci"), create_token(conf, "bob")]
    out = run("token", "list", "--config", conf, check=0).stdout
    out += run("token", "list", "--config", conf, "--format", "table", check=0).stdout
    for key in keys:
        assert key not in out and key[:8] not in out and key[-8:] not in out
    assert set(json.loads(out.splitlines()[0])[0]) == {"id", "username", "name", "created", "expires"}


def test_token_list_user_filter(conf):
    create_token(conf, "alice", "--name", "a")
    create_token(conf, "bob", "--name", "b")
    tokens = json.loads(run("token", "list", "--config", conf, "--user", "bob", check=0).stdout)
    assert [(t["username"], t["name"]) for t in tokens] == [("bob", "b")]
    assert json.loads(run("token", "list", "--config", conf, "--user", "carol", check=0).stdout) == []


def test_token_list_unknown_user_is_exit_1(conf):
    p = run("token", "list", "--config", conf, "--user", "nobody")
    assert p.returncode == 1 and p.stdout == "" and p.stderr == "authpolicy: token list: no such user\n"


def test_token_list_table_format(conf):
    create_token(conf, "alice", "--name", "laptop")
    lines = run("token", "list", "--config", conf, "--format", "table", check=0).stdout.splitlines()
    assert lines[0].split() == ["ID", "USER", "NAME", "CREATED", "EXPIRES"]
    assert lines[1].split()[:3] == ["1", "alice", "laptop"] and lines[1].split()[-1] == "never"


def test_token_revoke_with_key_argument(conf):
    key = create_token(conf)
    run("token", "revoke", "--config", conf, key, check=0)
    assert run("token", "list", "--config", conf, check=0).stdout.strip() == "[]"


def test_token_revoke_with_key_stdin(conf):
    key = create_token(conf)
    keep = create_token(conf, "bob")
    p = run("token", "revoke", "--config", conf, "--key-stdin", stdin=key + "\r\n", check=0)
    assert key not in p.stdout + p.stderr
    assert decide(conf, {"Authorization": f"Token {keep}"})[0] == 0
    assert [t["username"] for t in json.loads(run("token", "list", "--config", conf, check=0).stdout)] == ["bob"]


def test_token_revoke_unknown_key_is_exit_1_without_echoing_it(conf):
    key = "f" * 40
    for args, stdin in (((key,), ""), (("--key-stdin",), key + "\n")):
        p = run("token", "revoke", "--config", conf, *args, stdin=stdin)
        assert p.returncode == 1 and p.stderr == "authpolicy: token revoke: no such token\n"


def test_token_revoke_needs_exactly_one_key_source(conf):
    key = create_token(conf)
    for args in ((), (key, "--key-stdin")):
        p = run("token", "revoke", "--config", conf, *args, stdin=key + "\n")
        assert p.returncode == 2 and "--key-stdin" in p.stderr and key not in p.stderr, args
    assert decide(conf, {"Authorization": f"Token {key}"})[0] == 0  # still valid


def test_token_revoke_empty_key_stdin_is_exit_2(conf):
    p = run("token", "revoke", "--config", conf, "--key-stdin", stdin="\n")
    assert p.returncode == 2 and p.stderr == "authpolicy: token revoke: the key is empty\n"


# --- passwords -------------------------------------------------------------------------------


def test_password_hash_prints_a_django_pbkdf2_hash(tmp_path):
    p = run("password", "hash", "--iterations", "1000", stdin="pw\n", check=0)
    algorithm, iterations, salt, digest = p.stdout.strip().split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "1000")
    assert len(salt) == 22 and len(base64.b64decode(digest)) == 32
    assert "pw" not in p.stderr


def test_password_hash_defaults_to_1000000_iterations():
    out = run("password", "hash", stdin="pw\n", check=0).stdout
    assert out.startswith("pbkdf2_sha256$1000000$")


def test_password_hash_iterations_out_of_range_is_exit_2():
    for n in ("0", "-5", "100000001", "many"):
        p = run("password", "hash", "--iterations", n, stdin="pw\n")
        assert p.returncode == 2 and p.stdout == "" and p.stderr.startswith("authpolicy: "), n


def test_password_hash_without_stdin_is_exit_2():
    p = run("password", "hash", stdin="")
    assert p.returncode == 2 and p.stderr == "authpolicy: expected the password on standard input\n"


def test_password_verify_match_exits_0():
    encoded = run("password", "hash", "--iterations", "1000", stdin="pw\n", check=0).stdout.strip()
    p = run("password", "verify", encoded, "--iterations", "1000", stdin="pw\n", check=0)
    assert p.stdout == "match\n"


def test_password_verify_mismatch_exits_1():
    encoded = run("password", "hash", "--iterations", "1000", stdin="pw\n", check=0).stdout.strip()
    p = run("password", "verify", encoded, stdin="nope\n")
    assert (p.returncode, p.stdout) == (1, "no match\n")


def test_password_verify_prints_needs_rehash_below_current_iterations():
    encoded = run("password", "hash", "--iterations", "1000", stdin="pw\n", check=0).stdout.strip()
    assert run("password", "verify", encoded, stdin="pw\n", check=0).stdout == "match\nneeds_rehash\n"
    assert run("password", "verify", encoded, "--iterations", "2000", stdin="pw\n", check=0).stdout == (
        "match\nneeds_rehash\n"
    )


def test_password_verify_django_vector():
    encoded = "pbkdf2_sha256$260000$seasalt1234567890ab$9WnkR8KkBGVTAx1qmk06ghvhZwk+F3wPDe90dlCqG/Y="
    p = run("password", "verify", encoded, stdin="password\n", check=0)
    assert p.stdout == "match\nneeds_rehash\n"  # 260,000 < 1,000,000


def test_password_verify_malformed_hash_is_no_match():
    p = run("password", "verify", "md5$nope", stdin="pw\n")
    assert (p.returncode, p.stdout) == (1, "no match\n")


def test_password_verify_needs_the_encoded_hash():
    p = run("password", "verify", stdin="pw\n")
    assert p.returncode == 2 and p.stderr.startswith("authpolicy: ENCODED is required")


# --- the command line itself -----------------------------------------------------------------


def test_version_prints_the_library_version():
    p = run("--version", check=0)
    assert p.stdout.strip() == "0.1.0"


def test_help_exits_0():
    p = run("--help", check=0)
    assert "decide" in p.stdout and "token" in p.stdout


def test_no_subcommand_is_exit_2():
    p = run()
    assert p.returncode == 2 and p.stderr.startswith("authpolicy: ")


def test_missing_config_option_is_exit_2():
    for args in (("decide",), ("user", "list"), ("token", "create", "alice"), ("config", "check")):
        p = run(*args)
        assert p.returncode == 2 and p.stderr.startswith("authpolicy: --config is required"), args


def test_unknown_option_is_exit_2(conf):
    p = run("decide", "--config", conf, "--bogus", stdin="{}")
    assert p.returncode == 2 and p.stdout == "" and p.stderr.startswith("authpolicy: ")


# --- session: embedded sessions ----------------------------------------------------------------

SESSION_CONFIG = dict(CONFIG, DEFAULT_AUTHENTICATION_CLASSES=["SessionAuthentication", "BasicAuthentication"])


@pytest.fixture
def session_conf(tmp_path):
    c = write_config(tmp_path, SESSION_CONFIG)
    run("user", "add", "--config", c, "alice", "--password-stdin", stdin="wonderland\n", check=0)
    return c


def create_session(conf, user="alice"):
    out = run("session", "create", "--config", conf, user, check=0).stdout.splitlines()
    assert len(out) == 2 and out[0].startswith("Set-Cookie: sessionid=") and out[1].startswith("Set-Cookie: csrftoken=")
    key = out[0].split("=", 1)[1].split(";", 1)[0]
    csrf = out[1].split("=", 1)[1].split(";", 1)[0]
    return key, csrf, out


def test_session_create_prints_both_set_cookie_values(session_conf):
    key, csrf, lines = create_session(session_conf)
    assert len(key) == 32 and key.isalnum() and key == key.lower()
    assert len(csrf) == 32
    assert "; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax" in lines[0]
    assert "HttpOnly" not in lines[1]


def test_session_cookie_authenticates_and_csrf_is_enforced(session_conf):
    key, csrf, _ = create_session(session_conf)
    rc, d, _ = decide(session_conf, {"Cookie": f"sessionid={key}"})
    assert rc == 0 and d["authenticator"] == "SessionAuthentication" and d["user"]["username"] == "alice"
    rc, d, _ = decide(session_conf, {"Cookie": f"sessionid={key}"}, method="POST")
    assert rc == 1 and d["status"] == 403 and d["detail"] == "CSRF Failed: CSRF cookie not set."
    rc, d, _ = decide(session_conf, {"Cookie": f"sessionid={key}; csrftoken={csrf}", "X-CSRFToken": csrf},
                      method="POST")
    assert rc == 0


def test_session_revoke_logs_out(session_conf):
    key, _, _ = create_session(session_conf)
    run("session", "revoke", "--config", session_conf, "--key-stdin", stdin=key + "\n", check=0)
    rc, d, _ = decide(session_conf, {"Cookie": f"sessionid={key}"})
    # SessionAuthentication is first and never challenges: 403, as DRF.
    assert rc == 1 and d["status"] == 403 and d["detail"] == "Authentication credentials were not provided."
    assert run("session", "revoke", "--config", session_conf, key).returncode != 0


def test_session_revoke_user_and_unknown_user(session_conf):
    create_session(session_conf)
    create_session(session_conf)
    p = run("session", "revoke-user", "--config", session_conf, "alice", check=0)
    assert "2 session(s) revoked" in p.stderr
    assert run("session", "create", "--config", session_conf, "nobody").returncode != 0


# --- oauth token: OAuth 2.0 opaque access tokens (docs/oauth2.md) ------------------------------

OAUTH_CONFIG = {
    "DATABASE": "authpolicy.sqlite3",
    "PASSWORD_ITERATIONS": 1000,
    "DEFAULT_AUTHENTICATION_CLASSES": ["OAuth2Authentication"],
    "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
    "VIEWS": {"write": {"permission_classes": ["TokenHasScope"], "required_scopes": ["write"]}},
}


def test_oauth_token_create_decide_list_revoke(tmp_path):
    conf = write_config(tmp_path, OAUTH_CONFIG)
    run("user", "add", "--config", conf, "alice", check=0)
    token = run("oauth", "token", "create", "--config", conf, "alice", "--scope", "read write",
                "--expires-in", "3600", "--client", "my-app", check=0).stdout.strip()
    assert len(token) == 43
    status, d, _ = decide(conf, {"Authorization": "Bearer " + token}, view="write")
    assert status == 0 and d["authenticator"] == "OAuth2Authentication"
    assert d["auth"]["client_id"] == "my-app" and d["auth"]["scopes"] == ["read", "write"]
    listing = json.loads(run("oauth", "token", "list", "--config", conf, check=0).stdout)
    assert [(t["username"], t["client_id"], t["scope"]) for t in listing] == [("alice", "my-app", "read write")]
    assert token not in (tmp_path / "authpolicy.sqlite3").read_bytes().decode("latin-1")
    table = run("oauth", "token", "list", "--config", conf, "--format", "table", check=0).stdout
    assert "my-app" in table and token not in table
    run("oauth", "token", "revoke", "--config", conf, "--token-stdin", stdin=token + "\n", check=0)
    status, d, _ = decide(conf, {"Authorization": "Bearer " + token})
    assert status == 1 and d["status"] == 401 and d["code"] == "invalid_token"
    assert d["headers"]["WWW-Authenticate"].startswith('Bearer realm="api", error="invalid_token"')
    assert run("oauth", "token", "revoke", "--config", conf, token).returncode == 1


def test_oauth_token_scope_checks_and_errors(tmp_path):
    conf = write_config(tmp_path, OAUTH_CONFIG)
    run("user", "add", "--config", conf, "alice", check=0)
    token = run("oauth", "token", "create", "--config", conf, "alice", "--scope", "read", check=0).stdout.strip()
    status, d, _ = decide(conf, {"Authorization": "Bearer " + token}, view="write")
    assert status == 1 and d["status"] == 403
    assert d["headers"]["WWW-Authenticate"] == 'Bearer realm="api", error="insufficient_scope", scope="write"'
    assert run("oauth", "token", "create", "--config", conf, "nobody").returncode == 1
    assert run("oauth", "token", "create", "--config", conf, "alice", "--scope", 'a"b').returncode == 2
    assert run("oauth", "token", "revoke", "--config", conf).returncode == 2
    status, d, _ = decide(conf, {"Authorization": "Bearer"})
    assert d["status"] == 400 and d["code"] == "invalid_request"


# --- security review (issue 22) ----------------------------------------------------------------


def test_finding_22_1_config_check_warns_when_throttles_have_no_proxy_setting(tmp_path):
    throttled = {"DATABASE": "x.sqlite3", "DEFAULT_THROTTLE_CLASSES": ["AnonRateThrottle"],
                 "DEFAULT_THROTTLE_RATES": {"anon": "10/min"}}
    p = run("config", "check", "--config", write_config(tmp_path, throttled), check=0)
    assert p.stdout == "ok\n"
    assert "warning: throttles are on but none of NUM_PROXIES, TRUSTED_PROXIES, CLIENT_IDENTITY is set" in p.stderr
    in_view = {"DATABASE": "x.sqlite3", "DEFAULT_THROTTLE_RATES": {"anon": "10/min"},
               "VIEWS": {"v": {"throttle_classes": ["AnonRateThrottle"]}}}
    assert "warning" in run("config", "check", "--config", write_config(tmp_path, in_view), check=0).stderr
    for extra in ({"NUM_PROXIES": 1}, {"TRUSTED_PROXIES": ["10.0.0.0/8"]}, {"CLIENT_IDENTITY": "remote_addr"}):
        p = run("config", "check", "--config", write_config(tmp_path, {**throttled, **extra}), check=0)
        assert p.stderr == "", extra
    assert run("config", "check", "--config", write_config(tmp_path, {"DATABASE": "x.sqlite3"}), check=0).stderr == ""


def test_finding_22_3_user_add_refuses_control_characters_and_tables_escape_them(conf, tmp_path):
    for bad in ("a\x1b[2Jb", "a b", "a:b", "x" * 151, "admin\u200b", "\u202enimda"):
        p = run("user", "add", "--config", conf, bad)
        assert p.returncode != 0, bad
    run("user", "add", "--config", conf, "\uff41\uff44\uff4d\uff49\uff4e", check=0)  # stored as NFKC "admin"
    assert "admin" in [u["username"] for u in json.loads(run("user", "list", "--config", conf, check=0).stdout)]
    # A name written by something else (an older version, a hand edit) still cannot reach the terminal raw.
    db = sqlite3.connect(str(tmp_path / "authpolicy.sqlite3"))
    db.execute("UPDATE authp_user SET username = ? WHERE username = 'carol'", ("ev\x1b]0;owned\x07il\x9b",))
    db.commit()
    db.close()
    out = run("user", "list", "--config", conf, "--format", "table", check=0).stdout
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "ev\\x1b]0;owned\\x07il\\x9b" in out


def test_finding_22_16_request_json_with_a_duplicate_key_is_exit_2(conf):
    for text in ('{"view": "public", "view": "admin"}', '{"headers": {"Authorization": "a", "Authorization": "b"}}'):
        p = run("decide", "--config", conf, stdin=text)
        assert p.returncode == 2 and p.stdout == "", text
        assert p.stderr == "authpolicy: request: a key appears twice in one object\n", text
    assert run("decide", "--config", conf, stdin='{"view": "public", "headers": {"a": "1"}}').returncode == 0
