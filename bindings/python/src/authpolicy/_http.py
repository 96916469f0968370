"""Helpers the framework integrations share: request data from WSGI environs and ASGI scopes,
and the JSON answer to a denial (the decision's body, DRF's ``{"detail": …}`` or richer, plus its headers)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, MutableMapping, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from ._native import Decision

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_line(status: int) -> str:
    return f"{status} {REASONS.get(status, 'Error')}"


def denial_body(decision: "Decision") -> bytes:
    """The decision's error body: DRF's ``{"detail": "…"}``, or the Django package's richer one."""
    body = decision.body
    return json.dumps(body if body is not None else {"detail": decision.detail}).encode("utf-8")


def denial_headers(decision: "Decision", body: bytes) -> List[Tuple[str, str]]:
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    headers.extend(decision.headers.items())
    return headers


def environ_headers(environ: Mapping[str, Any]) -> Iterator[Tuple[str, str]]:
    """The HTTP headers of a WSGI environ as (name, value) pairs (values stay ISO-8859-1 str)."""
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            yield key[5:].replace("_", "-"), value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        value = environ.get(key)
        if value:
            yield key.replace("_", "-"), value


def environ_request(environ: Mapping[str, Any]) -> Dict[str, Any]:
    """decide() keyword arguments for a WSGI environ (PEP 3333 / CGI variables)."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return {
        "method": environ.get("REQUEST_METHOD", "GET"),
        "path": path.encode("latin-1", "replace") or b"/",
        "headers": list(environ_headers(environ)),
        "remote_addr": environ.get("REMOTE_ADDR") or None,
        "secure": environ.get("wsgi.url_scheme") == "https",
        "remote_user": environ.get("REMOTE_USER") or None,
    }


def scope_request(scope: Mapping[str, Any]) -> Dict[str, Any]:
    """decide() keyword arguments for an ASGI http or websocket scope."""
    client = scope.get("client")
    path = scope.get("raw_path") or (scope.get("root_path", "") + scope.get("path", "/")).encode("utf-8")
    return {
        "method": scope.get("method", "GET"),  # websockets: the handshake is a GET
        "path": path,
        "headers": scope.get("headers") or [],
        "remote_addr": client[0] if client else None,
        "secure": scope.get("scheme") in ("https", "wss"),
    }


def set_remote_user(environ: MutableMapping[str, Any], decision: "Decision") -> None:
    user = decision.user
    if user is not None and user.is_authenticated:
        environ["REMOTE_USER"] = user.username
        environ["AUTH_TYPE"] = decision.authenticator or ""


def choose_view(view: Any, subject: Any) -> Optional[str]:
    """A view name: fixed (str or None) or computed from the environ, scope or request."""
    return view(subject) if callable(view) else view
