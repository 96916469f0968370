"""Fixtures: an engine with users alice and root (cheap password hashing) and a token for alice."""

from __future__ import annotations

import pytest

import authpolicy
from support import make_config


@pytest.fixture
def engine() -> authpolicy.Engine:
    """An engine with Basic then Token, IsAuthenticated, and users alice (plain) and root (staff)."""
    e = authpolicy.Engine(
        make_config(
            VIEWS={
                "public": {"permission_classes": ["AllowAny"]},
                "admin": {"permission_classes": ["IsAdminUser"]},
                "tokens": {"authentication_classes": ["TokenAuthentication"]},
            }
        )
    )
    e.users.add("alice", password="alice-pw")
    e.users.add("root", password="root-pw", is_staff=True, is_superuser=True)
    return e


@pytest.fixture
def alice_key(engine: authpolicy.Engine) -> str:
    return engine.tokens.create("alice", name="laptop")
