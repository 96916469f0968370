"""Exceptions raised by authpolicy.

Every failure the C library reports is an :class:`Error` carrying the library's message
(``authp_error_last()``) and its code (``authp_error_code``). A *denial* is never an exception:
it is a :class:`~authpolicy.Decision` with ``allowed`` False.

Two exceptions go the other way, raised by *your* callbacks to steer the engine:
:class:`AuthenticationFailed` (a custom authenticator rejects the credentials it recognised) and
:class:`Passthrough` (a user lookup defers to the built-in directory).

An exception raised by any other means inside a callback propagates out of ``decide()``
unchanged, with its type and traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Type

if TYPE_CHECKING:  # pragma: no cover
    from ._native import Decision

__all__ = [
    "Error",
    "NotFoundError",
    "ExistsError",
    "InvalidArgumentError",
    "NoMemoryError",
    "StoreError",
    "CryptoError",
    "VersionError",
    "MisuseError",
    "ConfigError",
    "CallbackError",
    "AuthenticationFailed",
    "Passthrough",
]


class Error(Exception):
    """Base class of the errors the library reports.

    Attributes:
        message: the library's message (never contains secrets).
        code: the C API's ``authp_error_code`` (a negative int).
        decision: for :class:`StoreError` and :class:`CallbackError` raised by ``decide()``,
            the safe 503 denial the engine produced, which a host may send; otherwise None.
    """

    code: int = -1

    def __init__(self, message: str = "", code: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.decision: Optional["Decision"] = None


class NotFoundError(Error, LookupError):
    """No such user, token or view (AUTHP_ENOTFOUND)."""

    code = -2


class ExistsError(Error):
    """The object already exists, e.g. a duplicate username (AUTHP_EEXISTS)."""

    code = -3


class InvalidArgumentError(Error, ValueError):
    """An argument is invalid: bad JSON, oversize, wrong shape (AUTHP_EINVALID)."""

    code = -4


class NoMemoryError(Error, MemoryError):
    """Out of memory (AUTHP_ENOMEM)."""

    code = -5


class StoreError(Error):
    """The database failed: missing, locked, read-only or corrupt (AUTHP_ESTORE)."""

    code = -6


class CryptoError(Error):
    """OpenSSL failed (AUTHP_ECRYPTO)."""

    code = -7


class VersionError(Error):
    """A struct or vtable version the library does not know (AUTHP_EVERSION)."""

    code = -8


class MisuseError(Error):
    """The API was used out of order, e.g. a request read after its callback returned (AUTHP_EMISUSE)."""

    code = -9


class ConfigError(Error, ValueError):
    """The configuration is invalid; the message names the key, e.g. ``$.VIEWS.admin.x`` (AUTHP_ECONFIG)."""

    code = -10


class CallbackError(Error):
    """A callback failed or returned data that is not valid (AUTHP_ECALLBACK)."""

    code = -11


class AuthenticationFailed(Exception):
    """Raise it from a custom authenticator's ``authenticate()`` to reject credentials of its kind.

    The chain stops and the request is answered 401 (with the view's challenge) or 403, with
    ``detail`` as the response's detail text (DRF's ``exceptions.AuthenticationFailed``).
    """

    default_detail = "Incorrect authentication credentials."

    def __init__(self, detail: Optional[str] = None) -> None:
        self.detail = self.default_detail if detail is None else str(detail)
        super().__init__(self.detail)


class Passthrough(Exception):
    """Raise it from a ``user_lookup`` to let the engine's built-in SQLite directory answer."""


_BY_CODE: Dict[int, Type[Error]] = {
    cls.code: cls
    for cls in (
        NotFoundError,
        ExistsError,
        InvalidArgumentError,
        NoMemoryError,
        StoreError,
        CryptoError,
        VersionError,
        MisuseError,
        ConfigError,
        CallbackError,
    )
}
_BY_CODE[-30] = CallbackError  # AUTHP_EUSER without a Python exception to re-raise


def _error_for_code(code: int, message: str) -> Error:
    """The exception for a C API code (called by the extension; the one mapping table)."""
    cls: Any = _BY_CODE.get(code, Error)
    return cls(message, code)
