"""One engine shared by many Python threads: callbacks re-enter Python safely, exceptions
stay on their own thread, and the GIL is released while the library works."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import authpolicy
from support import basic, make_config

HASH = authpolicy.hash_password("pw", iterations=1000)
THREADS = 8
PER_THREAD = 200


class HeaderAuth(authpolicy.BaseAuthentication):
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = 0

    def authenticate(self, request):
        with self.lock:
            self.calls += 1
        name = request.headers.get("X-User")
        if name is None:
            return None
        if name == "raise":
            raise RuntimeError(f"raised on {threading.current_thread().name}")
        return {"username": name, "id": len(name)}, {"thread": threading.current_thread().name}

    def authenticate_header(self, request):
        return "XUser"


def shared_engine():
    lookups = {"n": 0}
    lock = threading.Lock()

    def lookup(username=None, id=None):
        with lock:
            lookups["n"] += 1
        if username and username.startswith("u"):
            return {"id": int(username[1:]), "username": username, "password": HASH}
        return None

    auth = HeaderAuth()
    # LOGIN_FAILURES off: each thread sends 50 wrong passwords for its user and expects 401 every time.
    config = make_config(DEFAULT_AUTHENTICATION_CLASSES=["X", "BasicAuthentication"], CACHE={"TTL": 0},
                         LOGIN_FAILURES=None)
    return authpolicy.Engine(config, user_lookup=lookup, authenticators={"X": auth}), auth, lookups


def test_eight_threads_decide_two_hundred_times_each_with_python_callbacks():
    engine, auth, lookups = shared_engine()
    barrier = threading.Barrier(THREADS)

    def worker(n):
        barrier.wait()
        mismatches = 0
        for i in range(PER_THREAD):
            mode = i % 4
            if mode == 0:
                d = engine.decide(headers={"X-User": f"t{n}-{i}"})
                ok = d.allowed and d.user.username == f"t{n}-{i}" and d.auth["thread"] == threading.current_thread().name
            elif mode == 1:
                d = engine.decide(headers=basic(f"u{n}", "pw"))  # user_lookup on every call (no cache)
                ok = d.allowed and d.user.id == n
            elif mode == 2:
                d = engine.decide(headers=basic(f"u{n}", "wrong"))
                ok = d.status == 401 and d.detail == "Invalid username/password."
            else:
                try:
                    engine.decide(headers={"X-User": "raise"})
                    ok = False
                except RuntimeError as exc:  # this thread's own exception, never another's
                    ok = str(exc) == f"raised on {threading.current_thread().name}"
            mismatches += not ok
        return mismatches

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    assert results == [0] * THREADS
    assert auth.calls == THREADS * PER_THREAD
    assert lookups["n"] == THREADS * PER_THREAD // 2


def test_lazy_requests_on_many_threads():
    engine, auth, _ = shared_engine()

    def worker(n):
        req = engine.request(headers={"X-User": f"lazy{n}"})
        users = {req.user.username for _ in range(10)}
        return users == {f"lazy{n}"} and req.decide().allowed

    with ThreadPoolExecutor(THREADS) as pool:
        assert all(pool.map(worker, range(100)))
    assert auth.calls == 100


def test_one_request_read_from_many_threads_authenticates_once():
    engine, auth, _ = shared_engine()
    req = engine.request(headers={"X-User": "shared"})
    with ThreadPoolExecutor(THREADS) as pool:
        names = set(pool.map(lambda _: req.user.username, range(64)))
    assert names == {"shared"} and auth.calls == 1


def spin_while(busy) -> "tuple[int, float]":
    """Counts Python loop iterations on this thread while busy() runs on another one."""
    done = threading.Event()

    def run():
        try:
            busy()
        finally:
            done.set()

    ticks = 0
    thread = threading.Thread(target=run)
    start = time.perf_counter()
    thread.start()
    while not done.is_set():
        ticks += 1
    thread.join()
    return ticks, time.perf_counter() - start


def loop_rate() -> float:
    """Iterations per second of the same loop with nothing else running."""
    done = threading.Event()
    timer = threading.Timer(0.1, done.set)
    ticks = 0
    timer.start()
    start = time.perf_counter()
    while not done.is_set():
        ticks += 1
    return ticks / (time.perf_counter() - start)


# With the GIL held for the whole derivation the main thread would get a switch interval or
# two (~5 ms) out of several hundred; released, it runs most of the time. Half a core is plenty.


def test_gil_is_released_while_hashing_a_password():
    rate = loop_rate()
    ticks, elapsed = spin_while(lambda: authpolicy.hash_password("pw", iterations=500_000))
    assert elapsed > 0.05
    assert ticks > 0.25 * rate * elapsed


def test_gil_is_released_during_decide_on_a_cache_miss():
    engine = authpolicy.Engine(make_config(PASSWORD_ITERATIONS=500_000, CACHE={"TTL": 0}))
    engine.users.add("slow", password="pw")
    rate = loop_rate()
    results = []
    ticks, elapsed = spin_while(lambda: results.append(engine.decide(headers=basic("slow", "pw"))))
    assert results[0].allowed and elapsed > 0.05
    assert ticks > 0.25 * rate * elapsed
