"""authpolicy.Directory: opened from a configuration without an engine, or engine.directory."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

import authpolicy
from support import FAST, make_config, token

NEVER = 4102444800  # 2100-01-01: a session that has not expired


def sqlite_config(path):
    return {"DATABASE": str(path), **FAST}


def add_session(path, username, expires):
    """Bindings cannot log users in (authp_session_login is the host's), so a test writes the row
    docs/sessions.md describes straight into the SQLite file."""
    with sqlite3.connect(str(path)) as db:
        db.execute(
            "INSERT INTO authp_session VALUES (randomblob(32), "
            "(SELECT id FROM authp_user WHERE username = ?), 'hash', 0, 0, ?)",
            (username, expires),
        )


def test_open_from_a_sqlite_file_creates_and_migrates_it(tmp_path):
    db = tmp_path / "dir.sqlite3"
    with authpolicy.Directory.open(sqlite_config(db)) as directory:
        current, latest = directory.schema()
        assert current == latest and latest >= 1
        directory.migrate()  # already current: a no-op, not an error
        assert directory.schema() == (latest, latest)
    assert db.is_file()


def test_open_takes_a_config_file_and_a_relative_database(tmp_path):
    (tmp_path / "policy.json").write_text(json.dumps({"DATABASE": "rel.sqlite3", **FAST}))
    with authpolicy.Directory.open(tmp_path / "policy.json") as directory:
        directory.users.add("alice", "pw")
    assert (tmp_path / "rel.sqlite3").is_file()
    with authpolicy.Directory.open({"DATABASE": "rel.sqlite3", **FAST}, base_dir=tmp_path) as directory:
        assert [u["username"] for u in directory.users.list()] == ["alice"]


def test_user_and_token_lifecycle_without_an_engine(tmp_path):
    db = tmp_path / "dir.sqlite3"
    with authpolicy.Directory.open(sqlite_config(db)) as directory:
        assert directory.users.add("alice", "pw") == 1
        assert directory.users.add("bob", None, is_staff=True) == 2
        with pytest.raises(authpolicy.ExistsError):
            directory.users.add("alice", "pw")
        directory.users.set_password("alice", "new-pw")
        directory.users.set_roles("alice", is_staff=True, is_superuser=True)
        directory.users.deactivate("bob")
        users = {u["username"]: u for u in directory.users.list()}
        assert users["alice"]["is_superuser"] is True and users["bob"]["is_active"] is False
        key = directory.tokens.create("alice", name="ci", expires_in=60)
        assert len(key) == 40
        assert [(t["username"], t["name"]) for t in directory.tokens.list("alice")] == [("alice", "ci")]
        oauth = directory.oauth_tokens.create("alice", client_id="app", scope="read  write", expires_in=60)
        assert len(oauth) == 43
        [listed] = directory.oauth_tokens.list()
        assert (listed["client_id"], listed["scope"]) == ("app", "read write")
        assert oauth not in json.dumps(directory.oauth_tokens.list()) and key not in json.dumps(directory.tokens.list())

    # An engine on the same file sees what the directory wrote.
    engine = authpolicy.Engine(make_config(DATABASE=str(db)))
    assert engine.decide(headers=token(key)).user.username == "alice"

    with authpolicy.Directory.open(sqlite_config(db)) as directory:
        directory.tokens.revoke(key)
        directory.oauth_tokens.revoke(oauth)
        assert directory.tokens.list() == [] and directory.oauth_tokens.list() == []
        directory.users.delete("alice")
        assert [u["username"] for u in directory.users.list()] == ["bob"]


def test_unknown_users_and_credentials_raise_not_found(tmp_path):
    with authpolicy.Directory.open(sqlite_config(tmp_path / "d.sqlite3")) as directory:
        calls = [
            lambda: directory.users.set_password("ghost", "pw"),
            lambda: directory.users.activate("ghost"),
            lambda: directory.users.set_roles("ghost", is_staff=True),
            lambda: directory.users.delete("ghost"),
            lambda: directory.tokens.create("ghost"),
            lambda: directory.tokens.list("ghost"),
            lambda: directory.tokens.revoke("0" * 40),
            lambda: directory.oauth_tokens.create("ghost"),
            lambda: directory.oauth_tokens.list("ghost"),
            lambda: directory.oauth_tokens.revoke("x" * 43),
            lambda: directory.sessions.logout_user("ghost"),
        ]
        for call in calls:
            with pytest.raises(authpolicy.NotFoundError) as info:
                call()
            assert info.value.code == -2 and str(info.value)


def test_invalid_arguments_raise_invalid_argument_error(tmp_path):
    with authpolicy.Directory.open(sqlite_config(tmp_path / "d.sqlite3")) as directory:
        with pytest.raises(authpolicy.InvalidArgumentError):
            directory.users.add("has space", "pw")
        directory.users.add("alice", "pw")
        with pytest.raises(authpolicy.InvalidArgumentError):
            directory.oauth_tokens.create("alice", scope='read "write"')
        with pytest.raises(authpolicy.InvalidArgumentError, match="DJANGO"):
            directory.django_notify(True)
        with pytest.raises(TypeError, match="expires_in"):
            directory.oauth_tokens.create("alice", expires_in="60")


def test_sessions_logout_user_and_purge_return_counts(tmp_path):
    db = tmp_path / "d.sqlite3"
    with authpolicy.Directory.open(sqlite_config(db)) as directory:
        directory.users.add("alice", "pw")
        directory.users.add("bob", "pw")
        add_session(db, "alice", NEVER)
        add_session(db, "alice", NEVER)
        add_session(db, "alice", 1)  # expired in 1970
        add_session(db, "bob", NEVER)
        assert directory.sessions.purge() == 1
        assert directory.sessions.purge() == 0
        assert directory.sessions.logout_user("alice") == 2
        assert directory.sessions.logout_user("alice") == 0
        assert directory.sessions.logout_user("bob") == 1


def test_engine_directory_writes_reach_the_engines_decisions(tmp_path):
    engine = authpolicy.Engine(make_config(DATABASE=str(tmp_path / "e.sqlite3"), CACHE={"TTL": 3600}))
    with engine.directory as directory:
        directory.users.add("alice", "pw")
        key = directory.tokens.create("alice")
        assert engine.decide(headers=token(key)).allowed  # now cached for an hour
        directory.tokens.revoke(key)
        d = engine.decide(headers=token(key))
        assert (d.status, d.detail) == (401, "Invalid token.")
        # The engine's older views see the same database.
        assert [u["username"] for u in engine.users.list()] == ["alice"]


def test_engine_directory_outlives_its_engine():
    engine = authpolicy.Engine(make_config())  # DATABASE ":memory:": only the engine's directory has it
    engine.users.add("alice", "pw")
    directory = engine.directory
    del engine
    import gc

    gc.collect()
    assert [u["username"] for u in directory.users.list()] == ["alice"]
    directory.close()


def test_a_closed_directory_raises_misuse_and_close_is_idempotent(tmp_path):
    directory = authpolicy.Directory.open(sqlite_config(tmp_path / "d.sqlite3"))
    users = directory.users
    directory.close()
    directory.close()
    assert directory.closed and "closed" in repr(directory)
    with pytest.raises(authpolicy.MisuseError, match="closed"):
        users.list()
    with pytest.raises(authpolicy.MisuseError, match="closed"):
        directory.schema()


def test_open_refuses_a_bad_configuration():
    with pytest.raises(authpolicy.ConfigError):
        authpolicy.Directory.open({"DATABASE": 42})
    with pytest.raises(TypeError, match="config"):
        authpolicy.Directory.open(42)


def test_calls_release_the_gil(tmp_path):
    # Hashing at 1,000,000 iterations takes a while; another thread must run meanwhile.
    with authpolicy.Directory.open({"DATABASE": str(tmp_path / "d.sqlite3")}) as directory:
        ticks = []
        done = threading.Event()

        def tick():
            while not done.is_set():
                ticks.append(1)
                done.wait(0.001)

        t = threading.Thread(target=tick)
        t.start()
        try:
            directory.users.add("alice", "slow-pw")
        finally:
            done.set()
            t.join()
        assert len(ticks) > 5


def test_an_unclosed_directory_is_freed_with_its_last_reference(tmp_path):
    import gc
    import os

    def fds():
        return len(os.listdir("/proc/self/fd"))

    db = tmp_path / "d.sqlite3"
    before = fds()
    directories = [authpolicy.Directory.open(sqlite_config(db)) for _ in range(50)]
    for d in directories:
        d.schema()
    opened = fds()
    assert opened >= before + 50, (before, opened)
    del directories, d
    gc.collect()
    assert fds() <= before + 5, (before, opened, fds())
