"""`authpolicy serve` as an operator sees it: the ready line, /healthz /readyz /metrics, config
errors naming the key, ROUTES/SERVE accepted by every other command, reload under load (SIGHUP
every 100 ms for 30 s: no failed request, the new policy applies), a bad reload refused, and a
graceful SIGTERM (the request in progress is answered, then exit 0).
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time

from conftest import CLI, Serve, base_config, free_port, run_cli, write_config


def test_ready_line_and_operations_endpoints(world, serve_factory):
    s = serve_factory(world.config)
    assert list(s.addresses) == ["http"] and s.ready_line.endswith("\n")
    assert s.request("GET", "/healthz")[:1] == (200,)
    assert s.request("GET", "/readyz")[0] == 200
    s.auth("/things", {"Authorization": world.basic_alice})
    m = s.request("GET", "/metrics")
    assert m[1]["content-type"].startswith("text/plain; version=0.0.4")
    text = m[2].decode()
    assert 'authp_decisions_total{front_end="forward_auth",view="",status="200",authenticator="BasicAuthentication"}' \
        in text
    assert "authp_decision_duration_seconds_bucket{le=\"+Inf\"}" in text
    # The second Basic check of the same credentials comes from the engine's cache.
    s.auth("/things", {"Authorization": world.basic_alice})
    text = s.request("GET", "/metrics")[2].decode()
    value = {l.split()[0]: float(l.split()[1]) for l in text.splitlines() if l.startswith("authp_credential_cache")}
    assert value["authp_credential_cache_hits_total"] >= 1 and value["authp_credential_cache_misses_total"] >= 1
    assert s.request("GET", "/nope")[0] == 404


def test_separate_metrics_listener(world, serve_factory):
    port = free_port()
    s = serve_factory(world.config, "--metrics", f"127.0.0.1:{port}")
    assert s.addresses["metrics"] == f"127.0.0.1:{port}"
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/metrics")
    assert c.getresponse().status == 200
    c.close()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/auth", headers={"X-Forwarded-Uri": "/"})
    assert c.getresponse().status == 404  # the operations listener does not decide
    assert s.request("GET", "/metrics")[0] == 404  # and the decision listener no longer serves them


def test_serve_config_errors_name_the_key(world, tmp_path):
    for bad, message in (
        ({"ROUTES": [{"path": "/", "view": "nope"}]}, "$.ROUTES[0].view: no view named 'nope' in VIEWS"),
        ({"ROUTES": [{"path": "x"}]}, "$.ROUTES[0].path: a path starts with '/'"),
        ({"SERVE": {"max_connections": -1}}, "$.SERVE.max_connections: expected an integer"),
        ({"SERVE": {"http": "nowhere"}}, "$.SERVE.http: expected host:port"),
    ):
        cfg = dict(base_config(), **bad)
        conf = write_config(str(tmp_path), cfg, "bad.json")
        p = subprocess.run([CLI, "serve", "--config", conf, "--http", "127.0.0.1:0"], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode == 2 and message in p.stderr and p.stdout == "", (bad, p.stderr)


def test_grpc_flag_opens_the_grpc_listener_and_names_it_in_the_ready_line(world, serve_factory):
    s = serve_factory(world.config, "--grpc", "127.0.0.1:0")
    assert list(s.addresses) == ["http", "grpc"]
    host, port = s.addresses["grpc"].rsplit(":", 1)
    socket.create_connection((host, int(port)), timeout=5).close()


def test_every_command_accepts_routes_and_serve(world):
    # `user add` and the others load the same file: ROUTES and SERVE are not theirs, and not errors.
    run_cli("config", "check", "--config", world.config)
    run_cli("user", "add", "--config", world.config, "carol", "--password-stdin", stdin="pw-carol\n")
    run_cli("user", "list", "--config", world.config)
    p = run_cli("decide", "--config", world.config, stdin='{"path": "/x"}', check=False)
    assert p.returncode == 1 and json.loads(p.stdout)["status"] == 401


def test_reload_under_load(world, tmp_path):
    cfg = base_config(database=f"{world.dir}/authpolicy.sqlite3")
    cfg["SERVE"] = {"decision_log": {"target": "off"}}
    conf = write_config(str(tmp_path), cfg)
    s = Serve(conf)
    results = []  # (time, status)
    errors = []
    stop = threading.Event()

    def load():
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        while not stop.is_set():
            try:
                status, _, _ = s.auth("/public/x", conn=conn)
                results.append((time.monotonic(), status))
            except Exception as e:  # noqa: BLE001 - every failure is reported
                errors.append(repr(e))
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)

    threads = [threading.Thread(target=load) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        started = time.monotonic()
        changed_at = None
        while time.monotonic() - started < 30:
            if changed_at is None and time.monotonic() - started > 15:
                # The new policy: /public/ is no longer public, and the view is gone too (a
                # request routed by the old table in between waits for the new one, never a 503).
                cfg["ROUTES"] = [r for r in cfg["ROUTES"] if r["view"] != "public"]
                cfg["VIEWS"] = {k: v for k, v in cfg["VIEWS"].items() if k != "public"}
                tmp = conf + ".new"
                with open(tmp, "w") as f:
                    json.dump(cfg, f)
                os.replace(tmp, conf)  # atomic: a reload never reads half a file
                changed_at = time.monotonic()
            s.proc.send_signal(signal.SIGHUP)
            time.sleep(0.1)
        stop.set()
        for t in threads:
            t.join()
        assert not errors, errors[:3]
        assert len(results) > 1000
        assert {st for _, st in results} <= {200, 401}
        before = [st for t, st in results if t < changed_at]
        after = [st for t, st in results if t > changed_at + 0.5]
        assert before and set(before) == {200}
        assert after and set(after) == {401}
        log = s.stderr_text()
        assert log.count('"event":"reloaded"') >= 250
        metrics = s.request("GET", "/metrics")[2].decode()
        assert 'authp_reloads_total{result="failed"} 0' in metrics
    finally:
        stop.set()
        assert s.stop() == 0


def cache_counts(s):
    text = s.request("GET", "/metrics")[2].decode()
    return {l.split()[0]: float(l.split()[1]) for l in text.splitlines() if l.startswith("authp_credential_cache")}


def wait_for(predicate, seconds=10):
    deadline = time.time() + seconds
    while not predicate() and time.time() < deadline:
        time.sleep(0.05)
    return predicate()


def test_sighup_reloads_the_engine_in_place_and_keeps_its_caches(world, tmp_path):
    # The engine is reloaded (authp_engine_reload), not replaced: an unchanged directory keeps its
    # credential cache, so the Basic check after the reload is a hit, not a second PBKDF2.
    cfg = base_config(database=f"{world.dir}/authpolicy.sqlite3")
    cfg["SERVE"] = {"decision_log": {"target": "off"}}
    s = Serve(write_config(str(tmp_path), cfg))
    try:
        assert s.auth("/things", {"Authorization": world.basic_alice})[0] == 200
        assert s.auth("/things", {"Authorization": world.basic_alice})[0] == 200
        before = cache_counts(s)
        s.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: '"event":"reloaded"' in s.stderr_text())
        assert s.auth("/things", {"Authorization": world.basic_alice})[0] == 200
        after = cache_counts(s)
        assert after["authp_credential_cache_hits_total"] == before["authp_credential_cache_hits_total"] + 1
        assert after["authp_credential_cache_misses_total"] == before["authp_credential_cache_misses_total"]
    finally:
        assert s.stop() == 0


def test_reload_watch_reloads_when_the_file_is_replaced(world, tmp_path):
    cfg = base_config(database=f"{world.dir}/authpolicy.sqlite3")
    cfg["SERVE"] = {"decision_log": {"target": "off"}}
    cfg["RELOAD"] = {"WATCH": True}
    conf = write_config(str(tmp_path), cfg)
    s = Serve(conf)
    try:
        assert s.auth("/public/x")[0] == 200
        cfg["ROUTES"] = [r for r in cfg["ROUTES"] if r["view"] != "public"]
        tmp = conf + ".new"
        with open(tmp, "w") as f:
            json.dump(cfg, f)
        os.replace(tmp, conf)  # as an editor or a deployment tool does: no signal sent
        assert wait_for(lambda: s.auth("/public/x")[0] == 401)
        assert '"event":"reloaded"' in s.stderr_text()
        with open(conf, "w") as f:  # written in place, and broken: refused, the last policy serves
            f.write('{"RELOAD": {"WATCH": "yes"}}')
        assert wait_for(lambda: "reload_refused" in s.stderr_text())
        assert "$.RELOAD.WATCH" in s.stderr_text()
        assert s.auth("/public/x")[0] == 401
    finally:
        assert s.stop() == 0


def test_reload_key_is_validated_by_every_command(world, tmp_path):
    for bad, message in (
        ({"RELOAD": {"WATCH": "yes"}}, "$.RELOAD.WATCH"),
        ({"RELOAD": {"POLL": True}}, "$.RELOAD.POLL: unknown key"),
        ({"RELOAD": []}, "$.RELOAD"),
    ):
        conf = write_config(str(tmp_path), dict(base_config(), **bad), "bad_reload.json")
        r = run_cli("config", "check", "--config", conf, check=False)
        assert r.returncode != 0 and message in r.stderr, (bad, r.stderr)


def test_bad_reload_is_refused_and_the_old_policy_keeps_serving(world, tmp_path):
    cfg = base_config(database=f"{world.dir}/authpolicy.sqlite3")
    cfg["SERVE"] = {"decision_log": {"target": "off"}}
    conf = write_config(str(tmp_path), cfg)
    s = Serve(conf)
    try:
        assert s.auth("/public/x")[0] == 200
        with open(conf, "w") as f:
            f.write('{"VIEWS": {"public": {"permission_classes": ["NoSuchPermission"]}}}')
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "reload_refused" not in s.stderr_text() and time.time() < deadline:
            time.sleep(0.05)
        assert "reload_refused" in s.stderr_text() and "NoSuchPermission" in s.stderr_text()
        assert s.auth("/public/x")[0] == 200
        assert 'authp_reloads_total{result="failed"} 1' in s.request("GET", "/metrics")[2].decode()
    finally:
        assert s.stop() == 0


def test_sigterm_drains_the_request_in_progress_then_exits_0(world, tmp_path):
    cfg = base_config(database=f"{world.dir}/authpolicy.sqlite3")
    cfg["SERVE"] = {"decision_log": {"target": "off"}}
    s = Serve(write_config(str(tmp_path), cfg))
    idle = socket.create_connection(("127.0.0.1", s.port))
    busy = socket.create_connection(("127.0.0.1", s.port))
    busy.sendall(b"GET /auth HTTP/1.1\r\nHost: x\r\n")  # a request half sent when SIGTERM arrives
    time.sleep(0.2)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert s.proc.poll() is None, "a request in progress keeps the server up"
    idle.settimeout(5)
    assert idle.recv(1) == b"", "idle keep-alive connections are closed at once"
    busy.sendall(b"X-Forwarded-Uri: /public/x\r\n\r\n")
    busy.settimeout(5)
    answer = busy.recv(4096)
    assert answer.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in answer
    assert s.proc.wait(10) == 0
    busy.close()
    idle.close()
    s.stderr.close()


def test_head_has_no_body_and_the_connection_stays_in_step(world, serve_factory):
    s = serve_factory(world.config)
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
    status, h, body = s.request("HEAD", "/auth", {"X-Forwarded-Uri": "/things"}, conn=conn)
    assert status == 401 and body == b"" and int(h["content-length"]) > 0 and "www-authenticate" in h
    status, _, body = s.auth("/things", {"Authorization": world.basic_alice}, conn=conn)  # same connection
    assert status == 200 and body == b""
    status, _, body = s.auth("/things", conn=conn)
    assert status == 401 and json.loads(body)["detail"] == "Authentication credentials were not provided."
    conn.close()
