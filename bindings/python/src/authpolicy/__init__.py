"""authpolicy: Django REST framework's authentication and permission policy, in C++.

Python bindings of libauthpolicy's C API::

    import authpolicy

    engine = authpolicy.Engine({"DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication"],
                                "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"]})
    with engine.directory as directory:
        directory.users.add("alice", password="s3cret")
        key = directory.tokens.create("alice", name="laptop")
    d = engine.decide(method="GET", path="/", headers={"Authorization": "Token " + key})
    d.allowed, d.status, d.user.username        # True, 200, 'alice'

Framework integrations live in :mod:`authpolicy.wsgi`, :mod:`authpolicy.asgi`,
:mod:`authpolicy.flask` and :mod:`authpolicy.drf`. See docs/python.md.
"""

from __future__ import annotations

from .errors import (
    AuthenticationFailed,
    CallbackError,
    ConfigError,
    CryptoError,
    Error,
    ExistsError,
    InvalidArgumentError,
    MisuseError,
    NoMemoryError,
    NotFoundError,
    Passthrough,
    StoreError,
    VersionError,
)
from ._native import (  # noqa: I001 (errors must be importable before the extension)
    ABI_VERSION,
    VERSION_INFO,
    Decision,
    Directory,
    Headers,
    OAuthTokens,
    Request,
    RequestView,
    Sessions,
    Tokens,
    User,
    Users,
    __version__,
    check_password,
    hash_password,
    strerror,
    verify_password,
)
from .authentication import BaseAuthentication
from ._engine import Engine

__all__ = [
    "ABI_VERSION",
    "AuthenticationFailed",
    "BaseAuthentication",
    "CallbackError",
    "ConfigError",
    "CryptoError",
    "Decision",
    "Directory",
    "Engine",
    "Error",
    "ExistsError",
    "Headers",
    "InvalidArgumentError",
    "MisuseError",
    "NoMemoryError",
    "NotFoundError",
    "OAuthTokens",
    "Passthrough",
    "Request",
    "RequestView",
    "Sessions",
    "StoreError",
    "Tokens",
    "User",
    "Users",
    "VERSION_INFO",
    "VersionError",
    "__version__",
    "check_password",
    "hash_password",
    "strerror",
    "verify_password",
]
