"""ASGI integration: a plain ASGI middleware, and a Starlette authentication backend.

Plain ASGI (any framework)::

    from authpolicy.asgi import AuthPolicyMiddleware
    app = AuthPolicyMiddleware(app, engine, view=lambda scope: None)

Denials are answered by the middleware (status, ``{"detail": …}``, ``WWW-Authenticate``,
``Retry-After``); a denied websocket is closed before it is accepted (HTTP 403 from the server).
Allowed requests carry ``scope["authpolicy.decision"]``.

Starlette::

    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from authpolicy.asgi import AuthPolicyBackend, on_error

    app = Starlette(routes=…, middleware=[
        Middleware(AuthenticationMiddleware, backend=AuthPolicyBackend(engine), on_error=on_error)])

Routes then read ``request.user`` (a :class:`PolicyUser`) and ``request.auth.scopes``, and may
use ``@requires("authenticated")``. ``on_error`` answers a denial with its own status (401 with
the challenge, 403, 429), where Starlette's default would answer 400.

The engine runs in a worker thread by default (``offload=True``): Basic authentication on a
cache miss costs a PBKDF2 derivation, and Python callbacks may block; neither must stall the
event loop. ``offload=False`` runs it inline (a few microseconds for cached credentials).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Union

from ._http import choose_view, denial_body, scope_request
from .errors import CallbackError, StoreError

__all__ = [
    "AuthPolicyMiddleware",
    "AuthPolicyBackend",
    "AuthPolicyError",
    "PolicyUser",
    "default_scopes",
    "on_error",
    "DECISION_KEY",
]

DECISION_KEY = "authpolicy.decision"
_log = logging.getLogger("authpolicy")

ViewChooser = Union[None, str, Callable[[Any], Optional[str]]]


async def _run(engine: Any, offload: bool, kwargs: Dict[str, Any]) -> Any:
    """engine.decide(**kwargs), in a worker thread when offload is set; a safe denial on store failure."""
    call = functools.partial(engine.decide, **kwargs)
    try:
        if not offload:
            return call()
        try:
            import anyio.to_thread
        except ImportError:  # pragma: no cover - anyio comes with Starlette and most servers
            import asyncio

            return await asyncio.get_running_loop().run_in_executor(None, call)
        return await anyio.to_thread.run_sync(call)
    except (StoreError, CallbackError) as exc:
        if exc.decision is None:
            raise
        _log.error("authpolicy: %s", exc)
        return exc.decision


async def _send_denial(send: Callable[[dict], Awaitable[None]], decision: Any) -> None:
    body = denial_body(decision)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers.extend((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in decision.headers.items())
    await send({"type": "http.response.start", "status": decision.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AuthPolicyMiddleware:
    """Pure ASGI middleware applying an engine's policy to http and websocket scopes.

    Args:
        app: the ASGI application.
        engine: an :class:`authpolicy.Engine`.
        view: None (the default policy), a view name, or a function of the scope returning one.
        offload: run the engine in a worker thread (default True).
    """

    def __init__(self, app: Callable[..., Awaitable[None]], engine: Any, *, view: ViewChooser = None,
                 offload: bool = True) -> None:
        self.app = app
        self.engine = engine
        self.view = view
        self.offload = offload

    async def __call__(self, scope: Dict[str, Any], receive: Callable[..., Awaitable[Any]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        kwargs = scope_request(scope)
        kwargs["view"] = choose_view(self.view, scope)
        decision = await _run(self.engine, self.offload, kwargs)
        if decision.allowed:
            scope = dict(scope)
            scope[DECISION_KEY] = decision
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await _send_denial(send, decision)
        else:
            await send({"type": "websocket.close", "code": 1008})


def default_scopes(decision: Any) -> List[str]:
    """Scopes for AuthCredentials: "authenticated", "staff", "superuser", plus any list found
    under ``"scopes"`` in the user's attributes or in a dict ``auth``."""
    scopes = ["authenticated"]
    user = decision.user
    if user is not None:
        if user.is_staff:
            scopes.append("staff")
        if user.is_superuser:
            scopes.append("superuser")
        scopes.extend(str(s) for s in user.attributes.get("scopes", ()))
    auth = decision.auth
    if isinstance(auth, dict):
        scopes.extend(str(s) for s in auth.get("scopes", ()))
    return list(dict.fromkeys(scopes))


try:
    from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
    from starlette.requests import HTTPConnection
    from starlette.responses import JSONResponse, Response
except ImportError:  # pragma: no cover - Starlette is optional

    def __getattr__(name: str) -> Any:
        if name in ("AuthPolicyBackend", "AuthPolicyError", "PolicyUser", "on_error"):
            raise ImportError(f"authpolicy.asgi.{name} needs Starlette (pip install starlette)")
        raise AttributeError(name)

else:

    class AuthPolicyError(AuthenticationError):
        """A denial raised by :class:`AuthPolicyBackend`; ``decision`` holds it for :func:`on_error`."""

        def __init__(self, decision: Any) -> None:
            super().__init__(decision.detail or "")
            self.decision = decision

    class PolicyUser(BaseUser):
        """Starlette's user for an authenticated request: the engine's :class:`authpolicy.User`,
        with the decision and its auth value."""

        def __init__(self, user: Any, decision: Any) -> None:
            self.user = user
            self.decision = decision

        @property
        def is_authenticated(self) -> bool:
            return True

        @property
        def display_name(self) -> str:
            return self.user.username

        @property
        def identity(self) -> str:
            return str(self.user.id) if self.user.id is not None else self.user.username

        @property
        def username(self) -> str:
            return self.user.username

        @property
        def auth(self) -> Any:
            return self.decision.auth

        def __getattr__(self, name: str) -> Any:
            return getattr(self.user, name)

    class AuthPolicyBackend(AuthenticationBackend):
        """Starlette AuthenticationBackend evaluating the engine's policy for each connection.

        Allowed and authenticated: ``(AuthCredentials(scopes(decision)), PolicyUser)``. Allowed
        and anonymous: None (Starlette's UnauthenticatedUser). Denied (bad credentials, or a
        policy that requires more): raises :class:`AuthPolicyError`, answered by :func:`on_error`.

        Args:
            engine: an :class:`authpolicy.Engine`.
            view: None, a view name, or a function of the HTTPConnection returning one.
            scopes: a function of the decision returning the scope list (default_scopes).
            offload: run the engine in a worker thread (default True).
        """

        def __init__(self, engine: Any, *, view: ViewChooser = None,
                     scopes: Callable[[Any], List[str]] = default_scopes, offload: bool = True) -> None:
            self.engine = engine
            self.view = view
            self.scopes = scopes
            self.offload = offload

        async def authenticate(self, conn: HTTPConnection) -> Any:
            kwargs = scope_request(conn.scope)
            kwargs["view"] = choose_view(self.view, conn)
            decision = await _run(self.engine, self.offload, kwargs)
            conn.scope[DECISION_KEY] = decision
            if not decision.allowed:
                raise AuthPolicyError(decision)
            user = decision.user
            if user is None or not user.is_authenticated:
                return None
            return AuthCredentials(self.scopes(decision)), PolicyUser(user, decision)

    def on_error(conn: HTTPConnection, exc: Exception) -> Response:
        """AuthenticationMiddleware's on_error: the decision's status, detail and headers
        (401 with WWW-Authenticate for bad credentials) instead of Starlette's 400."""
        decision = getattr(exc, "decision", None)
        if decision is None:
            return JSONResponse({"detail": str(exc)}, status_code=401)
        body = decision.body if decision.body is not None else {"detail": decision.detail}
        return JSONResponse(body, status_code=decision.status, headers=dict(decision.headers))
