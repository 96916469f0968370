"""Flask extension: per-view policies with a decorator.

::

    from flask import Flask
    from authpolicy.flask import AuthPolicy, current_user

    app = Flask(__name__)
    app.config["AUTHPOLICY_CONFIG"] = "policy.json"     # or pass engine=authpolicy.Engine(...)
    policy = AuthPolicy(app)

    @app.get("/reports")
    @policy.protect("reports")          # the "reports" view of the configuration
    def reports():
        return {"user": current_user.username}

    @app.get("/me")
    @policy.protect                     # the default policy
    def me(): ...

A denial is answered before the view runs: the decision's status, ``{"detail": …}`` and its
``WWW-Authenticate`` / ``Retry-After`` headers. Inside the view, ``flask.g.authpolicy`` holds
the Decision; ``current_user`` and ``current_auth`` proxy its user and auth.
``AuthPolicy(app, protect_all=True)`` applies the default policy (or ``view=``) to every request.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Optional, TypeVar, Union, overload

from flask import Flask, Response, g, request
from werkzeug.local import LocalProxy

from ._engine import Engine
from ._http import denial_body
from .errors import CallbackError, StoreError

__all__ = ["AuthPolicy", "current_user", "current_auth", "current_decision"]

F = TypeVar("F", bound=Callable[..., Any])
_log = logging.getLogger("authpolicy")


def _decision() -> Any:
    return g.get("authpolicy")


current_decision: Any = LocalProxy(_decision)
"""The Decision of the current request (None outside a protected request)."""
current_user: Any = LocalProxy(lambda: getattr(_decision(), "user", None))
"""The authpolicy.User of the current request (None outside a protected request)."""
current_auth: Any = LocalProxy(lambda: getattr(_decision(), "auth", None))
"""The auth value of the current request."""


class AuthPolicy:
    """The Flask extension.

    Args:
        app: the application (or call :meth:`init_app` later).
        engine: an :class:`authpolicy.Engine`; default: built from ``app.config["AUTHPOLICY_CONFIG"]``
            (a dict, JSON text or a file path).
        view: the view for :attr:`protect_all` and for a bare ``@protect``: None (the default
            policy), a name, or a function of ``flask.request`` returning one.
        protect_all: apply the policy to every request (a before_request hook).
    """

    def __init__(self, app: Optional[Flask] = None, engine: Optional[Engine] = None, *,
                 view: Union[None, str, Callable[[Any], Optional[str]]] = None, protect_all: bool = False) -> None:
        self.engine = engine
        self.view = view
        self.protect_all = protect_all
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if self.engine is None:
            config = app.config.get("AUTHPOLICY_CONFIG")
            if config is None:
                raise RuntimeError("authpolicy.flask: pass engine= or set app.config['AUTHPOLICY_CONFIG']")
            self.engine = Engine(config)
        app.extensions["authpolicy"] = self
        if self.protect_all:
            app.before_request(self._before_request)

    def decide(self, view: Optional[str] = None) -> Any:
        """The decision for the current Flask request under a view (None: the default policy)."""
        assert self.engine is not None, "AuthPolicy.init_app() was not called"
        environ = request.environ
        try:
            return self.engine.decide(
                method=request.method,
                path=request.path,
                headers=request.headers,  # werkzeug's Headers: .items() keeps repeated headers
                view=view,
                remote_addr=request.remote_addr,
                secure=request.is_secure,
                remote_user=environ.get("REMOTE_USER") or None,
            )
        except (StoreError, CallbackError) as exc:
            if exc.decision is None:
                raise
            _log.error("authpolicy: %s", exc)
            return exc.decision

    def _check(self, view: Optional[str]) -> Optional[Response]:
        decision = self.decide(view)
        g.authpolicy = decision
        if decision.allowed:
            return None
        return Response(denial_body(decision), status=decision.status, headers=dict(decision.headers),
                        mimetype="application/json")

    def _before_request(self) -> Optional[Response]:
        view = self.view(request) if callable(self.view) else self.view
        return self._check(view)

    @overload
    def protect(self, view: F) -> F: ...

    @overload
    def protect(self, view: Optional[str] = None) -> Callable[[F], F]: ...

    def protect(self, view: Any = None) -> Any:
        """Decorator: evaluate the named view's policy (or the default one) before the function.

        Use as ``@policy.protect``, ``@policy.protect()`` or ``@policy.protect("admin")``.
        """
        if callable(view):
            return self.protect(None)(view)

        def decorate(fn: F) -> F:
            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                chosen = view
                if chosen is None and self.view is not None:
                    chosen = self.view(request) if callable(self.view) else self.view
                denied = self._check(chosen)
                if denied is not None:
                    return denied
                return fn(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorate
