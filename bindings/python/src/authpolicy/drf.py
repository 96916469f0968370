"""Django REST framework integration: an authentication class driven by the engine.

settings.py::

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["authpolicy.drf.AuthPolicyAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    }
    AUTHPOLICY = {
        "CONFIG": BASE_DIR / "authpolicy.json",          # dict, JSON text or path
        "USER_LOOKUP": "authpolicy.drf.django_user_lookup",  # optional: verify against auth_user
        "USER_MAPPER": None,                              # optional dotted path (see below)
        "VIEW": None,                                     # optional engine view name
    }

The class runs the engine's authenticators for the request (lazily, once) and answers like a
DRF authentication class: ``None`` when no credentials of its kinds were sent, ``(user, auth)``
on success, ``AuthenticationFailed`` with the engine's detail on bad credentials.
``authenticate_header`` returns the engine's challenge (so DRF chooses 401 or 403 the same
way). Permissions stay DRF's. A DRF view may pick an engine view with ``authpolicy_view = "…"``.

The user is mapped to a Django user by ``map_user``: by default ``get_or_create`` by username
(flags copied on creation, an unusable password); ``AUTHPOLICY["USER_MAPPER"]`` (a callable
or a dotted path, ``mapper(policy_user, request)``) or a subclass can change that.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, Optional, Tuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import setting_changed
from django.utils.module_loading import import_string
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from ._engine import Engine
from ._http import environ_headers

__all__ = ["AuthPolicyAuthentication", "default_user_mapper", "django_user_lookup", "get_engine"]

_engine: Optional[Engine] = None
_engine_lock = threading.Lock()


def _setting(name: str, default: Any = None) -> Any:
    return getattr(settings, "AUTHPOLICY", {}).get(name, default)


def _resolve(value: Any) -> Any:
    return import_string(value) if isinstance(value, str) else value


def get_engine() -> Engine:
    """The engine built from ``settings.AUTHPOLICY`` (once per process; rebuilt when the setting changes)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            config = _setting("CONFIG")
            if config is None:
                raise RuntimeError("authpolicy.drf: set AUTHPOLICY = {'CONFIG': …} in the Django settings")
            if not isinstance(config, (dict, str, bytes)):
                config = str(config)  # a pathlib.Path
            authenticators = {name: _resolve(cls) for name, cls in _setting("AUTHENTICATORS", {}).items()}
            _engine = Engine(config, user_lookup=_resolve(_setting("USER_LOOKUP")), authenticators=authenticators)
        return _engine


def _reset_engine(setting: str, **kwargs: Any) -> None:
    global _engine
    if setting == "AUTHPOLICY":
        with _engine_lock:
            _engine = None


setting_changed.connect(_reset_engine)


def django_user_lookup(username: Optional[str] = None, id: Optional[int] = None) -> Optional[Dict[str, Any]]:
    """A ``user_lookup`` over Django's user model: the engine verifies Basic credentials against
    ``auth_user`` (Django-format hashes) and caches the result."""
    model = get_user_model()
    query = {model.USERNAME_FIELD: username} if username is not None else {"pk": id}
    try:
        user = model._default_manager.get(**query)
    except model.DoesNotExist:
        return None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "is_active": bool(getattr(user, "is_active", True)),
        "is_staff": bool(getattr(user, "is_staff", False)),
        "is_superuser": bool(getattr(user, "is_superuser", False)),
        "password": user.password or None,
    }


def default_user_mapper(policy_user: Any, request: Any) -> Any:
    """The Django user with the engine user's username, created on first sight."""
    model = get_user_model()
    user, created = model._default_manager.get_or_create(
        **{model.USERNAME_FIELD: policy_user.username},
        defaults={
            "is_active": policy_user.is_active,
            "is_staff": policy_user.is_staff,
            "is_superuser": policy_user.is_superuser,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class AuthPolicyAuthentication(BaseAuthentication):
    """A DRF authentication class that delegates to an authpolicy engine.

    Attributes a subclass may set:
        engine: the Engine to use (default: :func:`get_engine`, from settings).
        view: the engine view (default: the DRF view's ``authpolicy_view``, then
            ``AUTHPOLICY["VIEW"]``, then the default policy).
    """

    engine: Optional[Engine] = None
    view: Optional[str] = None

    def get_engine(self) -> Engine:
        return self.engine if self.engine is not None else get_engine()

    def get_view(self, request: Any) -> Optional[str]:
        drf_view = (getattr(request, "parser_context", None) or {}).get("view")
        return getattr(drf_view, "authpolicy_view", None) or self.view or _setting("VIEW")

    def policy_request(self, request: Any) -> Any:
        """The engine's lazy Request for this DRF request (built once, kept on the request)."""
        cached = getattr(request, "_authpolicy_request", None)
        if cached is not None:
            return cached
        meta = request._request.META
        req = self.get_engine().request(
            method=request._request.method or "GET",
            path=request._request.path,
            headers=list(environ_headers(meta)),
            view=self.get_view(request),
            remote_addr=meta.get("REMOTE_ADDR") or None,
            secure=request._request.is_secure(),
            remote_user=meta.get("REMOTE_USER") or None,
        )
        request._authpolicy_request = req
        return req

    def authenticate(self, request: Any) -> Optional[Tuple[Any, Any]]:
        req = self.policy_request(request)
        status = req.authenticate()
        if status == "failed":
            raise exceptions.AuthenticationFailed(req.auth_failure)
        if status != "authenticated":
            return None
        return self.map_user(req.user, request), req.auth

    def authenticate_header(self, request: Any) -> Optional[str]:
        return self.policy_request(request).challenge

    def map_user(self, policy_user: Any, request: Any) -> Any:
        mapper: Callable[[Any, Any], Any] = _resolve(_setting("USER_MAPPER")) or default_user_mapper
        return mapper(policy_user, request)
