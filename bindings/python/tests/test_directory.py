"""The built-in directory (engine.users, engine.tokens) and Django-format password hashes."""

from __future__ import annotations

import base64
import hashlib

import pytest

import authpolicy
from support import basic, make_config, token


def test_users_add_returns_ids_and_list_has_no_hashes(engine):
    assert engine.users.add("bob", password="pw", is_staff=True) == 3
    listed = {u["username"]: u for u in engine.users.list()}
    assert set(listed) == {"alice", "root", "bob"}
    assert listed["bob"]["is_staff"] is True and listed["bob"]["is_superuser"] is False
    assert all("password" not in u for u in listed.values())


def test_users_add_duplicate_raises_exists_error(engine):
    with pytest.raises(authpolicy.ExistsError) as info:
        engine.users.add("alice", password="x")
    assert info.value.code == -3 and isinstance(info.value, authpolicy.Error)


def test_user_without_password_cannot_use_basic(engine):
    engine.users.add("nopw")
    assert engine.decide(headers=basic("nopw", "")).status == 401


def test_set_password_takes_effect_at_once(engine):
    assert engine.decide(headers=basic("alice", "alice-pw")).allowed
    engine.users.set_password("alice", "new-pw")
    assert engine.decide(headers=basic("alice", "alice-pw")).status == 401
    assert engine.decide(headers=basic("alice", "new-pw")).allowed


def test_set_password_of_unknown_user_raises_not_found(engine):
    with pytest.raises(authpolicy.NotFoundError):
        engine.users.set_password("ghost", "pw")


def test_deactivate_and_activate(engine, alice_key):
    engine.users.deactivate("alice")
    d = engine.decide(headers=token(alice_key))
    assert (d.status, d.detail) == (401, "User inactive or deleted.")
    engine.users.activate("alice")
    assert engine.decide(headers=token(alice_key)).allowed


def test_set_roles_makes_a_user_admin(engine, alice_key):
    assert engine.decide(view="admin", headers=token(alice_key)).status == 403
    engine.users.set_roles("alice", is_staff=True)
    assert engine.decide(view="admin", headers=token(alice_key)).allowed


def test_tokens_create_list_and_revoke(engine):
    key = engine.tokens.create("alice", name="laptop", expires_in=3600)
    assert len(key) == 40 and int(key, 16) >= 0
    listed = engine.tokens.list("alice")
    assert [(t["username"], t["name"]) for t in listed] == [("alice", "laptop")]
    assert listed[0]["expires"] - listed[0]["created"] == 3600
    assert all(key not in str(t) for t in engine.tokens.list())
    assert engine.decide(headers=token(key)).allowed
    engine.tokens.revoke(key)
    assert engine.decide(headers=token(key)).detail == "Invalid token."
    with pytest.raises(authpolicy.NotFoundError):
        engine.tokens.revoke(key)


def test_token_for_unknown_user_raises_not_found(engine):
    with pytest.raises(authpolicy.NotFoundError):
        engine.tokens.create("ghost")


def test_token_expiry_follows_the_injected_clock():
    now = [1_000_000.0]
    e = authpolicy.Engine(make_config(), clock=lambda: now[0])
    e.users.add("alice", password="pw")
    key = e.tokens.create("alice", expires_in=60)
    assert e.decide(headers=token(key)).allowed
    now[0] += 61
    assert e.decide(headers=token(key)).detail == "Token has expired."


def test_expires_in_must_be_an_int():
    e = authpolicy.Engine(make_config())
    e.users.add("alice")
    with pytest.raises(TypeError, match="expires_in"):
        e.tokens.create("alice", expires_in=1.5)
    with pytest.raises(authpolicy.InvalidArgumentError, match="expires_in"):
        e.tokens.create("alice", expires_in=-1)


def test_hash_password_is_django_format_and_verifies():
    encoded = authpolicy.hash_password("s3cret", iterations=1000)
    algorithm, iterations, salt, digest = encoded.split("$")
    assert (algorithm, iterations) == ("pbkdf2_sha256", "1000") and len(salt) == 22
    assert authpolicy.verify_password("s3cret", encoded)
    assert not authpolicy.verify_password("wrong", encoded)
    assert authpolicy.check_password("s3cret", encoded, min_iterations=1000) == (True, False)
    assert authpolicy.check_password("s3cret", encoded) == (True, True)  # below 1,000,000: rehash


def test_verify_password_accepts_a_hash_made_the_way_django_makes_it():
    # django.contrib.auth.hashers.PBKDF2PasswordHasher.encode, spelled out with hashlib.
    digest = hashlib.pbkdf2_hmac("sha256", b"django-pw", b"saltsaltsaltsaltsaltsa", 1000)
    encoded = "pbkdf2_sha256$1000$saltsaltsaltsaltsaltsa$" + base64.b64encode(digest).decode()
    assert authpolicy.verify_password("django-pw", encoded)
    assert not authpolicy.verify_password("other", encoded)


def test_malformed_hash_is_false_not_an_error():
    assert authpolicy.verify_password("x", "not-a-hash") is False
