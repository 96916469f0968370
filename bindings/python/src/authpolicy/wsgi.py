"""WSGI middleware: the engine decides every request before the application sees it.

::

    from authpolicy.wsgi import AuthPolicyMiddleware
    app.wsgi_app = AuthPolicyMiddleware(app.wsgi_app, engine,
                                        view=lambda environ: "admin" if environ["PATH_INFO"].startswith("/admin") else None)

A denial is answered by the middleware itself: the decision's status, a JSON body
``{"detail": …}`` and its ``WWW-Authenticate`` / ``Retry-After`` headers. An allowed request
reaches the application with ``environ["authpolicy.decision"]`` set and, when a user
authenticated, ``REMOTE_USER`` (the username) and ``AUTH_TYPE`` (the authentication class).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Optional, Union

from ._http import choose_view, denial_body, denial_headers, environ_request, set_remote_user, status_line
from .errors import CallbackError, StoreError

__all__ = ["AuthPolicyMiddleware", "DECISION_KEY"]

DECISION_KEY = "authpolicy.decision"
_log = logging.getLogger("authpolicy")

ViewChooser = Union[None, str, Callable[[dict], Optional[str]]]


class AuthPolicyMiddleware:
    """Wraps a WSGI application with an engine's policy.

    Args:
        app: the WSGI application.
        engine: an :class:`authpolicy.Engine`.
        view: the view whose policy applies: None (the default policy), a name, or a function
            of the environ returning either.
        set_remote_user: set ``REMOTE_USER`` and ``AUTH_TYPE`` for authenticated requests.

    When the engine's database or a callback fails (StoreError, CallbackError), the engine's
    safe 503 denial is sent; an exception raised by a Python callback propagates (the server
    answers 500).
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], engine: Any, *, view: ViewChooser = None,
                 set_remote_user: bool = True) -> None:
        self.app = app
        self.engine = engine
        self.view = view
        self.set_remote_user = set_remote_user

    def decide(self, environ: dict) -> Any:
        """The decision for a WSGI environ (also usable without wrapping an application)."""
        try:
            return self.engine.decide(view=choose_view(self.view, environ), **environ_request(environ))
        except (StoreError, CallbackError) as exc:
            if exc.decision is None:
                raise
            _log.error("authpolicy: %s", exc)
            return exc.decision

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        decision = self.decide(environ)
        if not decision.allowed:
            body = denial_body(decision)
            start_response(status_line(decision.status), denial_headers(decision, body))
            return [body]
        environ[DECISION_KEY] = decision
        if self.set_remote_user:
            set_remote_user(environ, decision)
        return self.app(environ, start_response)
