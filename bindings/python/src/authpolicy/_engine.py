"""The Engine: a policy (dict, JSON text or file) plus Python callbacks, over the native engine."""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Dict, Mapping, Optional, Union

from . import _native
from .authentication import BaseAuthentication, _has_challenge

__all__ = ["Engine", "ConfigSource"]

ConfigSource = Union[Mapping[str, Any], str, bytes, "os.PathLike[str]"]

_log = logging.getLogger("authpolicy")
_LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO}


def _log_to_logging(level: str, message: str) -> None:
    _log.log(_LEVELS.get(level, logging.ERROR), "%s", message)


_DEFAULT: Any = object()


def _config_source(config: Any) -> "tuple[str, bool]":
    """(text, is_file): a mapping is dumped to JSON; a str is JSON text if it starts with '{', else a path."""
    if isinstance(config, Mapping):
        return json.dumps(config), False
    if isinstance(config, bytes):
        return config.decode("utf-8"), False
    if isinstance(config, os.PathLike):
        return os.fspath(config), True
    if isinstance(config, str):
        if config.lstrip().startswith("{"):
            return config, False
        return config, True
    raise TypeError(
        "config must be a dict, JSON text or the path of a JSON file, not " + type(config).__name__
    )


def _callable_or_none(value: Any, name: str) -> Any:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, not {type(value).__name__}")
    return value


def _authenticator_specs(authenticators: Optional[Mapping[str, Any]]) -> Dict[str, tuple]:
    if authenticators is None:
        return {}
    if not isinstance(authenticators, Mapping):
        raise TypeError("authenticators must be a mapping of name to class or instance")
    specs: Dict[str, tuple] = {}
    for name, value in authenticators.items():
        if not isinstance(name, str):
            raise TypeError(f"authenticator names must be str, not {type(name).__name__}")
        instance = value() if isinstance(value, type) else value
        if not callable(getattr(instance, "authenticate", None)):
            raise TypeError(
                f"authenticator {name!r} must have an authenticate(request) method "
                "(subclass authpolicy.BaseAuthentication)"
            )
        if type(instance).authenticate is BaseAuthentication.authenticate:
            raise TypeError(f"authenticator {name!r} does not override authenticate()")
        specs[name] = (instance, _has_challenge(instance))
    return specs


class Engine(_native.Engine):
    """An immutable authentication policy with DRF's semantics, safe to share between threads.

    Args:
        config: a dict, JSON text, or the path of a JSON file (keys: docs/configuration.md).
            A relative ``DATABASE`` resolves against the file's directory, or ``base_dir`` /
            the current directory for a dict or text.
        user_lookup: ``user_lookup(username=None, id=None)`` returning a mapping or object with
            ``id, username, is_active, is_staff, is_superuser, password`` (a Django-format hash)
            and optionally ``attributes``, or None for "no such user"; raise
            :class:`authpolicy.Passthrough` to ask the built-in directory.
        authenticators: ``{name: class or instance}`` of :class:`authpolicy.BaseAuthentication`
            subclasses, usable by name in the configuration.
        password_verifier: ``verifier(user, password)`` returning True/False, or None to let the
            engine check the user's hash.
        clock: ``clock()`` returning seconds since the epoch (tests).
        logger: ``logger(level, message)`` for the engine's log lines ("error", "warning",
            "info"); default: the ``authpolicy`` logger of :mod:`logging`; None discards them.
        base_dir: where a relative ``DATABASE`` of a dict or JSON text lives.

    Callbacks run on the thread that called ``decide()``, with the GIL; the GIL is released
    while the engine works. An exception a callback raises propagates out of ``decide()``.
    """

    def __init__(
        self,
        config: ConfigSource,
        *,
        user_lookup: Optional[Callable[..., Any]] = None,
        authenticators: Optional[Mapping[str, Any]] = None,
        password_verifier: Optional[Callable[[Any, str], Optional[bool]]] = None,
        clock: Optional[Callable[[], float]] = None,
        logger: Any = _DEFAULT,
        base_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> None:
        text, is_file = _config_source(config)
        if logger is _DEFAULT:
            logger = _log_to_logging
        if base_dir is not None:
            base_dir = os.fspath(base_dir)
        specs = _authenticator_specs(authenticators)
        super().__init__(
            text,
            is_file,
            base_dir,
            _callable_or_none(user_lookup, "user_lookup"),
            _callable_or_none(password_verifier, "password_verifier"),
            _callable_or_none(clock, "clock"),
            _callable_or_none(logger, "logger"),
            specs,
        )
        self._source = text if is_file else "<json>"
        self.authenticators: Dict[str, Any] = {name: spec[0] for name, spec in specs.items()}

    def reload(
        self, config: ConfigSource, *, base_dir: Optional[Union[str, "os.PathLike[str]"]] = None
    ) -> None:
        """Replaces the policy without a restart (``authp_engine_reload``), keeping the callbacks.

        The new policy is built completely first; a bad one raises (``ConfigError`` …) and the old
        one keeps serving. Decisions already running finish on the old policy. Caches and remote
        key sets whose meaning did not change are kept. Safe while other threads decide.
        """
        text, is_file = _config_source(config)
        if base_dir is not None:
            base_dir = os.fspath(base_dir)
        self._reload(text, is_file, base_dir)
        self._source = text if is_file else "<json>"

    def __repr__(self) -> str:
        return f"<authpolicy.Engine {self._source}>"
