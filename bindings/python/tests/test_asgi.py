"""authpolicy.asgi under uvicorn on 127.0.0.1 (in a thread), called with httpx: the Starlette
backend (AuthCredentials scopes, 401 not 400 on bad credentials) and the plain ASGI middleware."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest

import authpolicy
from support import basic, make_config, token

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

from starlette.applications import Starlette  # noqa: E402
from starlette.authentication import requires  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.middleware.authentication import AuthenticationMiddleware  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from authpolicy.asgi import AuthPolicyBackend, AuthPolicyMiddleware, on_error  # noqa: E402


@contextlib.contextmanager
def uvicorn_server(app: Any) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def starlette_app(engine: Any) -> Starlette:
    @requires("authenticated")
    async def me(request):
        return JSONResponse(
            {
                "user": request.user.display_name,
                "identity": request.user.identity,
                "scopes": request.auth.scopes,
                "auth": request.user.auth,
            }
        )

    @requires("staff")
    async def staff(request):
        return JSONResponse({"user": request.user.username})

    async def anyone(request):
        return JSONResponse({"authenticated": request.user.is_authenticated})

    backend = AuthPolicyBackend(engine, view=lambda conn: "slow" if conn.url.path == "/slow" else None)
    return Starlette(
        routes=[Route("/me", me), Route("/staff", staff), Route("/anyone", anyone), Route("/slow", anyone)],
        middleware=[Middleware(AuthenticationMiddleware, backend=backend, on_error=on_error)],
    )


@pytest.fixture(scope="module")
def starlette_server():
    def slow_lookup(username=None, id=None):
        if username == "sloth":
            time.sleep(1.0)
            return {"username": "sloth", "password": authpolicy.hash_password("pw", iterations=1000)}
        raise authpolicy.Passthrough()

    engine = authpolicy.Engine(
        make_config(DEFAULT_PERMISSION_CLASSES=["AllowAny"], VIEWS={"slow": {}}, CACHE={"TTL": 0}),
        user_lookup=slow_lookup,
    )
    engine.users.add("alice", password="alice-pw")
    engine.users.add("root", password="root-pw", is_staff=True)
    key = engine.tokens.create("alice", name="asgi")
    with uvicorn_server(starlette_app(engine)) as url:
        yield url, key


def test_starlette_bad_credentials_get_401_with_challenge_not_400(starlette_server):
    url, _ = starlette_server
    r = httpx.get(url + "/me", headers=token("0" * 40))
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == 'Basic realm="api"'
    assert r.json() == {"detail": "Invalid token."}


def test_starlette_anonymous_reaches_requires_and_gets_403(starlette_server):
    url, _ = starlette_server
    assert httpx.get(url + "/me").status_code == 403
    assert httpx.get(url + "/anyone").json() == {"authenticated": False}


def test_starlette_token_user_and_scopes_reach_the_route(starlette_server):
    url, key = starlette_server
    r = httpx.get(url + "/me", headers=token(key))
    assert r.status_code == 200
    assert r.json() == {
        "user": "alice",
        "identity": "1",
        "scopes": ["authenticated"],
        "auth": {"type": "token", "name": "asgi"},
    }


def test_starlette_staff_scope_gates_requires(starlette_server):
    url, _ = starlette_server
    assert httpx.get(url + "/staff", headers=basic("alice", "alice-pw")).status_code == 403
    r = httpx.get(url + "/staff", headers=basic("root", "root-pw"))
    assert (r.status_code, r.json()) == (200, {"user": "root"})


def test_starlette_slow_lookup_does_not_stall_other_requests(starlette_server):
    url, key = starlette_server
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(httpx.get, url + "/slow", headers=basic("sloth", "pw"), timeout=30)
        time.sleep(0.2)  # the slow request is now inside the lookup, in a worker thread
        start = time.perf_counter()
        fast = httpx.get(url + "/me", headers=token(key))
        fast_elapsed = time.perf_counter() - start
        assert fast.status_code == 200 and not slow.done()
        assert slow.result().json() == {"authenticated": True}
    assert fast_elapsed < 0.5


def test_plain_asgi_middleware_answers_denials_itself():
    engine = authpolicy.Engine(make_config(VIEWS={"open": {"permission_classes": ["AllowAny"]}}))
    engine.users.add("alice", password="pw")

    async def app(scope, receive, send):
        decision = scope["authpolicy.decision"]
        body = (decision.user.username or "anonymous").encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})

    wrapped = AuthPolicyMiddleware(app, engine, view=lambda scope: "open" if scope["path"] == "/open" else None,
                                   offload=False)
    with uvicorn_server(wrapped) as url:
        r = httpx.get(url + "/private")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'Basic realm="api"'
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {"detail": "Authentication credentials were not provided."}
        assert httpx.get(url + "/private", headers=basic("alice", "pw")).text == "alice"
        assert httpx.get(url + "/open").text == "anonymous"


def test_plain_asgi_middleware_closes_a_denied_websocket():
    engine = authpolicy.Engine(make_config())
    sent = []

    async def app(scope, receive, send):  # never reached
        raise AssertionError("the application must not run")

    async def run():
        async def receive():
            return {"type": "websocket.connect"}

        async def send(message):
            sent.append(message)

        scope = {"type": "websocket", "path": "/ws", "headers": [], "scheme": "ws", "client": ("127.0.0.1", 5)}
        await AuthPolicyMiddleware(app, engine)(scope, receive, send)

    asyncio.run(run())
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_plain_asgi_middleware_passes_lifespan_through():
    engine = authpolicy.Engine(make_config())
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    asyncio.run(AuthPolicyMiddleware(app, engine)({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"]
