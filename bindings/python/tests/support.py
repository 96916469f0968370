"""Test helpers: credentials, configurations with cheap password hashing, live servers, a client."""

from __future__ import annotations

import base64
import contextlib
import threading
from typing import Any, Dict, Iterator, Optional

import authpolicy

FAST = {"PASSWORD_ITERATIONS": 1000}


def basic(username: str, password: str) -> Dict[str, str]:
    """An Authorization header for HTTP Basic."""
    raw = f"{username}:{password}".encode("utf-8")
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


def token(key: str, keyword: str = "Token") -> Dict[str, str]:
    return {"Authorization": f"{keyword} {key}"}


def make_config(**overrides: Any) -> Dict[str, Any]:
    config: Dict[str, Any] = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["BasicAuthentication", "TokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
        **FAST,
    }
    config.update(overrides)
    return config


@contextlib.contextmanager
def wsgi_server(app: Any) -> Iterator[str]:
    """Serves a WSGI app with werkzeug on 127.0.0.1 in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


class Response:
    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def http_get(url: str, headers: Optional[Dict[str, str]] = None, method: str = "GET") -> Response:
    """A real HTTP request with urllib; HTTP errors are answers, not exceptions."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Response(err.code, err.headers, err.read())
