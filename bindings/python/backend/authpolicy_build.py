"""In-tree PEP 517 build backend for the authpolicy Python package.

``pip install .`` must work offline on a stock Debian 12 (no setuptools, wheel or
scikit-build-core from PyPI), so ``[build-system] requires = []`` and this module does the
work itself with the standard library only:

1. configures the repository's top-level CMakeLists.txt with the Python extension on and the
   tests, benchmarks and CLI off, for ``sys.executable`` (the interpreter pip runs us with);
2. builds the ``authpolicy_python`` target (``authpolicy/_native*.so``, linked against the
   static C API library, so the wheel carries the whole engine);
3. writes the wheel zip: the pure-Python package, the extension, and a ``.dist-info`` with
   METADATA, WHEEL and RECORD (sha256 of every file).

Config settings (``pip install . --config-settings KEY=VALUE``):
    build-dir   CMake build directory (default: build/python-<tag>-<hash> in the source tree,
                or a temporary directory if the tree is read-only); also $AUTHP_PY_BUILD_DIR.
    build-type  CMAKE_BUILD_TYPE (default Release).
    cmake-args  extra arguments for the configure step, space separated.
    jobs        parallel build jobs (default: $CMAKE_BUILD_PARALLEL_LEVEL or the CPU count).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

try:
    import tomllib
except ImportError:  # pragma: no cover - Python < 3.11
    tomllib = None  # type: ignore[assignment]

ROOT = Path.cwd()  # PEP 517: hooks run in the root of the source tree
PACKAGE_DIR = ROOT / "bindings" / "python" / "src" / "authpolicy"
HEADER = ROOT / "capi" / "include" / "authpolicy.h"
PACKAGE = "authpolicy"

# Files of the source tree that an sdist leaves out.
_SDIST_SKIP_DIRS = {".git", ".venv", "dist", "__pycache__", "node_modules", ".pytest_cache", ".mypy_cache"}
_SDIST_SKIP_SUFFIXES = (".pyc", ".so", ".o", ".a", ".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".whl")


# ---- metadata ------------------------------------------------------------------------------

def _version() -> str:
    match = re.search(r'#define\s+AUTHP_VERSION_STRING\s+"([^"]+)"', HEADER.read_text(encoding="utf-8"))
    if not match:
        raise RuntimeError(f"no AUTHP_VERSION_STRING in {HEADER}")
    return match.group(1)


def _project() -> Dict[str, Any]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is None:
        return {"name": PACKAGE}
    return dict(tomllib.loads(text).get("project", {}))


def _dist_name() -> str:
    return re.sub(r"[-_.]+", "_", _project().get("name", PACKAGE)).lower()


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project.get('name', PACKAGE)}",
        f"Version: {_version()}",
    ]
    if "description" in project:
        lines.append(f"Summary: {project['description']}")
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    license_ = project.get("license")
    if isinstance(license_, dict) and "text" in license_:
        lines.append(f"License: {license_['text']}")
    for author in project.get("authors", []):
        if "name" in author:
            lines.append(f"Author: {author['name']}")
    for keyword in [", ".join(project.get("keywords", []))] if project.get("keywords") else []:
        lines.append(f"Keywords: {keyword}")
    for classifier in project.get("classifiers", []):
        lines.append(f"Classifier: {classifier}")
    for label, url in project.get("urls", {}).items():
        lines.append(f"Project-URL: {label}, {url}")
    for requirement in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {requirement}")
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for requirement in requirements:
            lines.append(f'Requires-Dist: {requirement}; extra == "{extra}"')
    readme = project.get("readme")
    body = ""
    if isinstance(readme, str) and (ROOT / readme).is_file():
        content_type = "text/markdown" if readme.endswith(".md") else "text/plain"
        lines.append(f"Description-Content-Type: {content_type}")
        body = (ROOT / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + body


def _tag() -> str:
    """cp311-cp311-linux_x86_64 for the running interpreter."""
    if sys.implementation.name != "cpython":
        raise RuntimeError("authpolicy's extension is built for CPython only")
    interpreter = f"cp{sys.version_info.major}{sys.version_info.minor}"
    soabi = sysconfig.get_config_var("SOABI") or ""
    match = re.match(r"cpython-(\d+)([a-z]*)", soabi)
    abi = f"cp{match.group(1)}{match.group(2)}" if match else interpreter
    platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return f"{interpreter}-{abi}-{platform}"


def _dist_info() -> str:
    return f"{_dist_name()}-{_version()}.dist-info"


def _wheel_file() -> str:
    return (
        "Wheel-Version: 1.0\n"
        "Generator: authpolicy_build (in-tree PEP 517 backend)\n"
        "Root-Is-Purelib: false\n"
        f"Tag: {_tag()}\n"
    )


# ---- the CMake build -----------------------------------------------------------------------

def _setting(config_settings: Optional[Mapping[str, Any]], key: str) -> Optional[str]:
    if not config_settings:
        return None
    value = config_settings.get(key, config_settings.get("--" + key))
    if isinstance(value, list):
        value = " ".join(value)
    return value


def _build_dir(config_settings: Optional[Mapping[str, Any]]) -> Path:
    chosen = _setting(config_settings, "build-dir") or os.environ.get("AUTHP_PY_BUILD_DIR")
    if chosen:
        return Path(chosen).resolve()
    # One directory per (source tree, interpreter): a cache made for another one is never reused.
    key = hashlib.sha256(f"{ROOT}\0{sys.executable}".encode()).hexdigest()[:10]
    candidate = ROOT / "build" / f"python-{_tag()}-{key}"
    try:
        candidate.mkdir(parents=True, exist_ok=True)
        probe = candidate / ".writable"
        probe.write_text("")
        probe.unlink()
        return candidate
    except OSError:
        return Path(tempfile.mkdtemp(prefix="authpolicy-build-"))


def _run(command: List[str]) -> None:
    print("+ " + " ".join(shlex.quote(c) for c in command), file=sys.stderr, flush=True)
    # The build's chatter goes to stderr: pip shows it with -v, and on failure.
    subprocess.run(command, check=True, stdout=sys.stderr)


def _build_extension(config_settings: Optional[Mapping[str, Any]]) -> Path:
    cmake = shutil.which("cmake")
    if cmake is None:
        raise RuntimeError("authpolicy needs CMake >= 3.25 to build (apt-get install cmake)")
    build = _build_dir(config_settings)
    configure = [
        cmake, "-S", str(ROOT), "-B", str(build),
        f"-DCMAKE_BUILD_TYPE={_setting(config_settings, 'build-type') or 'Release'}",
        "-DAUTHP_BUILD_PYTHON=ON",
        "-DAUTHP_BUILD_TESTS=OFF",
        "-DAUTHP_BUILD_BENCH=OFF",
        "-DAUTHP_BUILD_CLI=OFF",
        f"-DPython3_EXECUTABLE={sys.executable}",
    ]
    configure += shlex.split(_setting(config_settings, "cmake-args") or "")
    _run(configure)
    jobs = _setting(config_settings, "jobs") or os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
    _run([cmake, "--build", str(build), "--target", "authpolicy_python", "--parallel", jobs])
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    module = build / "bindings" / "python" / f"_native{suffix}"
    if not module.is_file():
        found = sorted((build / "bindings" / "python").glob("_native*.so"))
        if not found:
            raise RuntimeError(f"the build produced no extension module in {build / 'bindings' / 'python'}")
        module = found[0]
    return module


# ---- archives ------------------------------------------------------------------------------

def _package_files() -> Iterable[Tuple[str, Path]]:
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".pyi", ".typed"):
            yield f"{PACKAGE}/{path.relative_to(PACKAGE_DIR).as_posix()}", path


def _zip_time() -> Tuple[int, int, int, int, int, int]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01: zip's earliest date
    return time.gmtime(max(epoch, 315532800))[:6]


class _WheelWriter:
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.records: List[str] = []

    def add(self, name: str, data: bytes, executable: bool = False) -> None:
        info = zipfile.ZipInfo(name, date_time=_zip_time())
        info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.records.append(f"{name},sha256={digest},{len(data)}")

    def close(self, record_name: str) -> None:
        self.records.append(f"{record_name},,")
        info = zipfile.ZipInfo(record_name, date_time=_zip_time())
        info.external_attr = (0o644 | 0o100000) << 16
        self.zip.writestr(info, "\n".join(self.records) + "\n", compress_type=zipfile.ZIP_DEFLATED)
        self.zip.close()


def _write_metadata_dir(parent: Path) -> str:
    dist_info = parent / _dist_info()
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata(), encoding="utf-8")
    (dist_info / "WHEEL").write_text(_wheel_file(), encoding="utf-8")
    (dist_info / "top_level.txt").write_text(PACKAGE + "\n", encoding="utf-8")
    return dist_info.name


# ---- PEP 517 hooks -------------------------------------------------------------------------

def get_requires_for_build_wheel(config_settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Mapping[str, Any]] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Optional[Mapping[str, Any]] = None) -> str:
    return _write_metadata_dir(Path(metadata_directory))


def build_wheel(wheel_directory: str, config_settings: Optional[Mapping[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    module = _build_extension(config_settings)
    name = f"{_dist_name()}-{_version()}-{_tag()}.whl"
    out = Path(wheel_directory)
    out.mkdir(parents=True, exist_ok=True)
    writer = _WheelWriter(out / name)
    try:
        for arcname, path in _package_files():
            writer.add(arcname, path.read_bytes())
        writer.add(f"{PACKAGE}/{module.name}", module.read_bytes(), executable=True)
        dist_info = _dist_info()
        writer.add(f"{dist_info}/METADATA", _metadata().encode("utf-8"))
        writer.add(f"{dist_info}/WHEEL", _wheel_file().encode("utf-8"))
        writer.add(f"{dist_info}/top_level.txt", (PACKAGE + "\n").encode("utf-8"))
        writer.close(f"{dist_info}/RECORD")
    except BaseException:
        writer.zip.close()
        (out / name).unlink(missing_ok=True)
        raise
    return name


def _sdist_files() -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT)
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in _SDIST_SKIP_DIRS and not d.endswith(".egg-info")
            and not (rel == Path(".") and (d.startswith("build") or d.startswith(".venv")))
        )
        for filename in sorted(filenames):
            if not filename.endswith(_SDIST_SKIP_SUFFIXES):
                yield Path(dirpath) / filename


def build_sdist(sdist_directory: str, config_settings: Optional[Mapping[str, Any]] = None) -> str:
    base = f"{_dist_name()}-{_version()}"
    name = f"{base}.tar.gz"
    out = Path(sdist_directory)
    out.mkdir(parents=True, exist_ok=True)
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    with tarfile.open(out / name, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for path in _sdist_files():
            info = tar.gettarinfo(str(path), arcname=f"{base}/{path.relative_to(ROOT).as_posix()}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = mtime or info.mtime
            if not info.isfile():  # symlinks and the like carry no data
                tar.addfile(info)
                continue
            with open(path, "rb") as handle:
                tar.addfile(info, handle)
        pkg_info = _metadata().encode("utf-8")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        info.mtime = mtime or int(time.time())
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(pkg_info))
    return name
