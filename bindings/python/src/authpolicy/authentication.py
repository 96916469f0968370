"""Custom authenticators written in Python (DRF's ``BaseAuthentication`` contract).

Register a subclass with ``Engine(config, authenticators={"ApiKey": ApiKeyAuth})`` and name it
in the configuration (``"DEFAULT_AUTHENTICATION_CLASSES": ["ApiKey"]`` or in a view). The
engine calls it on the thread that called ``decide()``, holding the GIL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from ._native import RequestView

__all__ = ["BaseAuthentication"]


class BaseAuthentication:
    """Base class of custom authenticators.

    ``authenticate(request)`` returns:

    * ``None``: no credentials of this kind; the next authenticator runs;
    * ``(user, auth)``: authenticated. ``user`` is a mapping or an object with ``username``
      (required) and optionally ``id``, ``is_active``, ``is_staff``, ``is_superuser`` and
      ``attributes`` (a dict); ``auth`` is any JSON-serialisable value (or None);
    * or raises :class:`authpolicy.AuthenticationFailed`: credentials of this kind were bad; the
      chain stops.

    Any other exception propagates out of ``decide()`` unchanged.

    ``request`` is an :class:`authpolicy.RequestView` (method, path, view, headers with a
    case-insensitive ``get``, remote_addr, remote_user, secure), readable only during the call.
    """

    def authenticate(self, request: "RequestView") -> Optional[Tuple[Any, Any]]:
        raise NotImplementedError(".authenticate() must be overridden.")

    def authenticate_header(self, request: "RequestView") -> Optional[str]:
        """The ``WWW-Authenticate`` value when this class is first in a view, or None.

        None (the default) means that an authentication failure is answered 403, not 401.
        """
        return None


def _has_challenge(instance: Any) -> bool:
    method = getattr(type(instance), "authenticate_header", None)
    return method is not None and method is not BaseAuthentication.authenticate_header
