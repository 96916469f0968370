"""The wheel is self-contained: `pip wheel` (build isolation on, no index) from a copy of the
source tree, then the source copy and the build tree are deleted, then the wheel is installed
with --no-index into a fresh plain venv and used there. Slow: it compiles the engine."""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TOP_LEVEL_SKIP = re.compile(r"^(\.git|build.*|\.venv.*|dist|\.pytest_cache)$")

SMOKE = textwrap.dedent(
    """
    import sys, traceback
    import authpolicy
    assert authpolicy.__file__.startswith(sys.prefix), authpolicy.__file__
    e = authpolicy.Engine({"DEFAULT_PERMISSION_CLASSES": ["IsAuthenticated"],
                           "DEFAULT_AUTHENTICATION_CLASSES": ["TokenAuthentication", "ApiKey"],
                           "PASSWORD_ITERATIONS": 1000},
                          authenticators={"ApiKey": type("ApiKey", (authpolicy.BaseAuthentication,), {
                              "authenticate": lambda self, r: 1 / 0 if r.headers.get("X-Boom") else None})})
    e.users.add("alice", password="pw")
    key = e.tokens.create("alice", name="wheel")
    d = e.decide(method="GET", path="/", headers={"Authorization": "Token " + key})
    assert d.allowed and d.user.username == "alice", d.to_dict()
    assert e.decide().status == 401
    try:
        e.decide(headers={"X-Boom": "1"})
    except ZeroDivisionError:
        assert traceback.extract_tb(sys.exc_info()[2])[-1].name == "<lambda>"
    else:
        raise AssertionError("no exception")
    print("wheel OK", authpolicy.__version__)
    """
)


def run(*command: str, **kwargs) -> str:
    """Runs a command; on failure the assertion shows its output."""
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stdout[-6000:]}"
    return result.stdout


def copy_source(dst: Path) -> None:
    def ignore(directory: str, names: list) -> set:
        if Path(directory).resolve() == REPO:
            return {n for n in names if TOP_LEVEL_SKIP.match(n)}
        return {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".so", ".sqlite3"))}

    shutil.copytree(REPO, dst, ignore=ignore, symlinks=True)


def expected_tag() -> str:
    version = f"cp{sys.version_info.major}{sys.version_info.minor}"
    return f"{version}-{version}-{re.sub(r'[-.]', '_', sysconfig.get_platform())}"


def check_record(wheel: Path) -> list:
    with zipfile.ZipFile(wheel) as z:
        record_name = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        rows = list(csv.reader(z.read(record_name).decode().splitlines()))
        listed = {row[0] for row in rows}
        assert listed == set(z.namelist())
        for name, digest, size in rows:
            if name == record_name:
                assert (digest, size) == ("", "")
                continue
            data = z.read(name)
            expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (expected, len(data)), name
        wheel_meta = z.read(record_name.replace("RECORD", "WHEEL")).decode()
        metadata = z.read(record_name.replace("RECORD", "METADATA")).decode()
        assert f"Tag: {expected_tag()}" in wheel_meta and "Root-Is-Purelib: false" in wheel_meta
        assert "Name: authpolicy" in metadata and re.search(r"^Version: \d+\.\d+\.\d+$", metadata, re.M)
        return z.namelist()


@pytest.mark.slow
def test_wheel_installs_with_no_index_into_a_plain_venv_and_works_after_the_trees_are_gone(tmp_path):
    source, build, dist, venv = (tmp_path / n for n in ("source", "build", "dist", "venv"))
    copy_source(source)
    env = dict(os.environ, PIP_NO_INDEX="1", AUTHP_PY_BUILD_DIR=str(build))
    env.pop("PYTHONPATH", None)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(source), cwd=tmp_path, env=env)
    wheels = list(dist.glob("authpolicy-*.whl"))
    assert [w.name.split("-", 2)[2] for w in wheels] == [expected_tag() + ".whl"]
    names = check_record(wheels[0])
    assert {"authpolicy/__init__.py", "authpolicy/py.typed", "authpolicy/_native.pyi"} <= set(names)
    extension = [n for n in names if n.startswith("authpolicy/_native") and n.endswith(".so")]
    assert len(extension) == 1

    shutil.rmtree(source)
    shutil.rmtree(build)

    # A plain venv: no system site-packages, pip from the interpreter's bundled wheel.
    run(sys.executable, "-m", "venv", str(venv))
    run(str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index", str(wheels[0]), env=env)
    assert run(str(venv / "bin" / "python"), "-I", "-c", SMOKE, cwd=tmp_path).startswith("wheel OK")

    installed = next((venv / "lib").glob("python3*/site-packages/authpolicy/_native*.so"))
    if shutil.which("nm"):
        exported = run("nm", "-D", "--defined-only", str(installed)).split()
        assert [s for s in exported if not re.fullmatch(r"[0-9a-f]+|[A-Za-z]", s)] == ["PyInit__native"]
    if shutil.which("ldd"):
        deps = run("ldd", str(installed))
        assert "authpolicy" not in deps and str(tmp_path) not in deps

