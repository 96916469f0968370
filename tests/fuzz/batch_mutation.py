#!/usr/bin/python3
"""Mutation fuzzer of `authpolicy decide --batch`, meant for the ASan+UBSan build of the CLI and the
library (scripts/test-sanitizers.sh runs it; docs/reliability.md).

It makes a real database (a user, a DRF token, a session) with the CLI under test, then streams
--count request lines, each a seed request mutated at the JSON level (values of other types, huge
or control-laden strings, credentials with flipped bytes) or at the byte level (flips, inserts,
deletes, truncation, splices), through one `decide --batch` process, and checks an oracle that is
independent of the engine:

  * the process exits 0 or 1 (never a crash, never a sanitizer report: those exit otherwise) and
    its stderr has no AddressSanitizer, LeakSanitizer or UBSan report;
  * one output line per non-blank input line, each valid JSON: {"error": "..."} or a decision whose
    "allowed" is true exactly when "status" is 200, with a status DRF can give (200, 400, 401, 403,
    429, 503) and a WWW-Authenticate header on every 401;
  * an allowed request on a protected view carries one of the real credentials (the password's
    Basic header, the token, the session cookie or the JWT) in full: a mutation never makes a
    forged credential work;
  * no output line holds a secret (the password, the token, the session key, the JWT's key).

Deterministic for a given --seed. Exit 0 when the oracle held; 1 with the first offending lines.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import time

PASSWORD = "wonderland-9f3a"
JWT_SECRET = "batch-mutation-secret-0123456789abcdef"
STATUSES = {200, 400, 401, 403, 429, 503}
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_jwt(claims):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    sig = hmac.new(JWT_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


def run(cli, *args, stdin=None):
    p = subprocess.run([cli, *args], input=stdin, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        sys.exit(f"batch_mutation: authpolicy {' '.join(args[:2])} failed: {p.stderr.strip()}")
    return p.stdout


def make_world(cli, workdir):
    config = {
        "DATABASE": os.path.join(workdir, "authpolicy.sqlite3"),
        "PASSWORD_ITERATIONS": 1000,
        "LOGIN_FAILURES": {"LIMIT": 5, "WINDOW": 60, "CLIENT_LIMIT": 50},
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "BasicAuthentication",
            "TokenAuthentication",
            {"class": "JWTAuthentication", "secret": JWT_SECRET, "algorithms": ["HS256"]},
            "SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "1000/min"},
        "NUM_PROXIES": 1,
        "VIEWS": {
            "public": {"permission_classes": ["AllowAny"]},
            "admin": {"permission_classes": ["IsAdminUser"]},
            "readonly": {"permission_classes": ["IsAuthenticatedOrReadOnly"]},
            "throttled": {"permission_classes": ["AllowAny"],
                          "throttle_classes": ["AnonRateThrottle", "UserRateThrottle"]},
        },
    }
    path = os.path.join(workdir, "authpolicy.json")
    with open(path, "w") as f:
        json.dump(config, f)
    run(cli, "user", "add", "--config", path, "alice", "--password-stdin", stdin=PASSWORD + "\n")
    token = run(cli, "token", "create", "--config", path, "alice").strip()
    session_line = run(cli, "session", "create", "--config", path, "alice").splitlines()[0]
    session = session_line.split("=", 1)[1].split(";", 1)[0]
    return path, token, session


class Mutator:
    def __init__(self, rng, secrets):
        self.rng = rng
        self.secrets = secrets

    def text(self):
        r = self.rng.random()
        if r < 0.2:
            return "".join(self.rng.choice("\x00\x01\x1b\t\r\"\\ é€\ud7ff\u202e:;=,") for _ in range(self.rng.randint(0, 40)))
        if r < 0.3:
            return "A" * self.rng.choice([0, 255, 256, 4096, 70000])
        if r < 0.6:
            return self.flip(self.rng.choice(self.secrets))
        return "".join(chr(self.rng.randint(0x20, 0x7e)) for _ in range(self.rng.randint(0, 30)))

    def flip(self, s):
        if not s:
            return s
        chars = list(s)
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randrange(len(chars))
            op = self.rng.random()
            if op < 0.5:
                chars[i] = chr((ord(chars[i]) ^ (1 << self.rng.randrange(7))) or 0x41)
            elif op < 0.75:
                del chars[i]
                if not chars:
                    break
            else:  # never in front: a forged value must not hold the real one whole
                chars.insert(max(i, 1), self.rng.choice("=+/-_ .\x00"))
        out = "".join(chars)
        if s in out:  # an insert undone by a delete: break it in the middle
            mid = len(s) // 2
            out = s[:mid] + chr((ord(s[mid]) ^ 1) or 0x41) + s[mid + 1:]
        return out

    def value(self):
        return self.rng.choice([None, True, 3, -1, 1e308, [], {}, ["a", "b"], {"k": "v"}, self.text()])

    def json_level(self, req):
        req = json.loads(json.dumps(req))
        for _ in range(self.rng.randint(1, 3)):
            op = self.rng.random()
            headers = req.setdefault("headers", {})
            if op < 0.35 and isinstance(headers, dict) and headers:
                name = self.rng.choice(list(headers))
                headers[name] = self.flip(str(headers[name])) if self.rng.random() < 0.7 else self.value()
            elif op < 0.5 and isinstance(headers, dict):
                name = self.rng.choice(["Authorization", "authorization", "Cookie", "X-CSRFToken", "Host",
                                        "X-Forwarded-For", "Referer", "Origin", self.text()])
                headers[name] = self.text()
            elif op < 0.6:
                req["headers"] = [[self.text(), self.text()] for _ in range(self.rng.randint(0, 3))]
            elif op < 0.75:
                key = self.rng.choice(["method", "path", "view", "remote_addr", "secure", "headers",
                                       "remote_user", self.text()])
                req[key] = self.value()
            elif op < 0.85:
                req["method"] = self.rng.choice(["GET", "post", "DELETE", "OPTIONS", "HEAD", "", "G\x00T"])
            else:
                req.pop(self.rng.choice(list(req) or ["x"]), None)
        return json.dumps(req, ensure_ascii=self.rng.random() < 0.5)

    def byte_level(self, line, other):
        data = bytearray(line.encode("utf-8", "surrogatepass"))
        for _ in range(self.rng.randint(1, 4)):
            op = self.rng.random()
            if not data:
                break
            i = self.rng.randrange(len(data))
            if op < 0.3:
                data[i] ^= 1 << self.rng.randrange(8)
            elif op < 0.5:
                data.insert(i, self.rng.randrange(256))
            elif op < 0.7:
                del data[i:i + self.rng.randint(1, 8)]
            elif op < 0.85:
                data = data[:i]
            else:
                cut = other.encode("utf-8", "surrogatepass")
                data = data[:i] + cut[self.rng.randrange(len(cut) + 1):]
        return bytes(data).replace(b"\n", b" ")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def carries_basic(presented, password):
    """DRF decodes Basic credentials with Python's lenient base64 (characters outside the alphabet
    are dropped, RFC 4648 §3.3 allows it), so a value with a stray '-' still names the password."""
    want = f"alice:{password}".encode()
    for part in presented.split():
        try:
            if base64.b64decode(part.encode("utf-8", "surrogatepass")) == want:
                return True
        except ValueError:
            continue
    return False


def header_value(req, name):
    headers = req.get("headers") if isinstance(req, dict) else None
    found = []
    if isinstance(headers, dict):
        found = [v for k, v in headers.items() if isinstance(k, str) and k.lower() == name and isinstance(v, str)]
    elif isinstance(headers, list):
        found = [p[1] for p in headers if isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)
                 and p[0].lower() == name and isinstance(p[1], str)]
    return " ".join(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True, help="the authpolicy binary under test (ASan+UBSan build)")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir")
    args = ap.parse_args()
    if args.workdir:
        return mutate_and_check(args, args.workdir)
    with tempfile.TemporaryDirectory(prefix="authp_batch_mutation_") as workdir:
        return mutate_and_check(args, workdir)


def mutate_and_check(args, workdir):
    rng = random.Random(args.seed)
    config, token, session = make_world(args.cli, workdir)
    now = int(time.time())
    jwt = hs256_jwt({"sub": "alice", "exp": now + 3600})
    basic = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    credentials = [("authorization", basic), ("authorization", "Token " + token),
                   ("authorization", "Bearer " + jwt), ("cookie", "sessionid=" + session)]
    seeds = [{"method": "GET", "path": "/x", "view": v, "headers": {h.title(): c}, "remote_addr": "127.0.0.1"}
             for v in ("", "admin", "readonly", "throttled") for h, c in credentials]
    seeds += [{"view": "public"}, {}, {"method": "POST", "headers": {"Cookie": "sessionid=" + session,
                                                                     "X-CSRFToken": "x" * 32}}]
    mut = Mutator(rng, [basic, "Token " + token, "Bearer " + jwt, "sessionid=" + session, token, jwt, session])
    lines = []
    for _ in range(args.count):
        seed = rng.choice(seeds)
        line = mut.json_level(seed)
        if rng.random() < 0.3:
            lines.append(mut.byte_level(line, json.dumps(rng.choice(seeds))))
        else:
            lines.append(line.encode("utf-8", "surrogatepass").replace(b"\n", b" "))
    stdin = b"\n".join(lines) + b"\n"
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    started = time.monotonic()
    p = subprocess.run([args.cli, "decide", "--config", config, "--batch", "--now", str(now)], input=stdin,
                       capture_output=True, env=env, timeout=1800)
    elapsed = time.monotonic() - started
    problems = []
    stderr = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 1):
        problems.append(f"exit status {p.returncode}")
    for mark in SANITIZER_MARKS:
        if mark in stderr:
            problems.append("sanitizer report: " + stderr[stderr.index(mark) - 200:][:2000])
            break
    expected = [ln for ln in lines if ln.strip(b" \t\r")]
    out = p.stdout.split(b"\n")
    if out and out[-1] == b"":
        out.pop()
    if len(out) != len(expected):
        problems.append(f"{len(out)} output lines for {len(expected)} requests")
    secrets = [PASSWORD, token, session, JWT_SECRET]
    allowed = errors = 0
    for raw, answer in zip(expected, out):
        try:
            d = json.loads(answer)
        except ValueError:
            problems.append(f"not JSON: {answer[:200]!r}")
            continue
        text = answer.decode("utf-8", "replace")
        # A request key's name, an unknown view's name and the Origin/Referer of a CSRF failure
        # are quoted (escaped, capped) in their messages by design, as Django does; a secret the
        # fuzzer put there may come back that way, and that is not a leak.
        try:
            parsed = json.loads(raw)
            keys = " ".join(k for k in parsed if isinstance(k, str))
            if isinstance(parsed, dict) and isinstance(parsed.get("view"), str):
                keys += " " + parsed["view"]
            keys += " " + header_value(parsed, "origin") + " " + header_value(parsed, "referer")
        except (ValueError, TypeError, AttributeError):
            keys = ""
        said = " ".join(strings_in(d))  # decoded: an escape such as \u0014 is not text
        if any(s in said and s not in keys for s in secrets):
            problems.append(f"a secret in the output for {raw[:120]!r}: {text[:300]}")
        if set(d) == {"error"}:
            errors += 1
            continue
        if d.get("status") not in STATUSES or d.get("allowed") != (d.get("status") == 200):
            problems.append(f"impossible decision {text[:200]} for {raw[:120]!r}")
            continue
        if d["status"] == 401 and "WWW-Authenticate" not in (d.get("headers") or {}):
            problems.append(f"401 without a challenge for {raw[:120]!r}")
        if d["allowed"]:
            allowed += 1
            try:
                req = json.loads(raw)
            except ValueError:
                req = {}
            view = req.get("view", "") if isinstance(req, dict) else ""
            method = req.get("method") if isinstance(req, dict) else None
            method = method.upper() if isinstance(method, str) else "GET"  # null: the default
            open_view = view in ("public", "throttled") or (view == "readonly" and method in ("GET", "HEAD", "OPTIONS"))
            presented = header_value(req, "authorization") + " " + header_value(req, "cookie")
            real = any(c in presented for c in (token, jwt, session)) or carries_basic(presented, PASSWORD)
            if not open_view and not real:
                problems.append(f"allowed without a real credential: {raw[:200]!r} -> {text[:200]}")
    summary = (f"batch_mutation: {len(expected)} requests in {elapsed:.1f} s (seed {args.seed}): {allowed} allowed, "
               f"{len(expected) - allowed - errors} denied, {errors} malformed; exit {p.returncode}")
    print(summary)
    if problems:
        for line in problems[:10]:
            print("  " + line)
        print(f"batch_mutation: {len(problems)} oracle violations", file=sys.stderr)
        return 1
    print("batch_mutation: oracle held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
