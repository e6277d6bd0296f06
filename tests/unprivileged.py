"""Running a child process as an unprivileged user, for tests that run as root.

Root ignores the limits and permissions some tests are about (``ulimit -u``, a directory
it may not write), so those tests run a child as ``nobody``. That user cannot read the
interpreter installed under ``/root``, so the child runs the system ``/usr/bin/python3``
(same minor version) on copies of the packages it needs, in a temporary directory it can
read. No tests in here.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import pwd
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
USER = "nobody"
PROJECT = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why a child cannot run as an unprivileged user here, or None if it can."""
    if os.name != "posix" or os.geteuid() != 0:
        return "needs root, to run a child as an unprivileged user"
    if not (shutil.which("runuser") and os.access(SYSTEM_PYTHON, os.X_OK)):
        return "needs runuser and a system python3 an unprivileged user can run"
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return f"needs a user named {USER}"
    probe = subprocess.run([SYSTEM_PYTHON, "-S", "-c", "import sys; print(sys.version_info[:2])"],
                           capture_output=True, text=True)
    if probe.stdout.strip() != str(tuple(sys.version_info[:2])):
        return f"{SYSTEM_PYTHON} is not Python {sys.version_info[0]}.{sys.version_info[1]}, " \
               "so the copied compiled packages would not load"
    return None


needs_unprivileged_user = pytest.mark.skipif(
    unavailable() is not None, reason=f"no unprivileged child: {unavailable()}")


def user_ids() -> tuple[int, int]:
    entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def copy_packages(lib: Path, names: Iterable[str]) -> None:
    """Copy each top-level package or module ``names`` holds, from where this interpreter
    imports it, into ``lib`` (with its ``__pycache__``: the copies keep their times, so the
    cached bytecode stays valid and the child need not compile anything)."""
    lib.mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise LookupError(f"cannot find {name} to copy")
        if spec.submodule_search_locations:
            # Under its import name: the command line's folder is cli/, its package is not.
            shutil.copytree(Path(spec.origin).parent, lib / name, dirs_exist_ok=True)
        else:
            shutil.copy2(spec.origin, lib / Path(spec.origin).name)


_CLI_IMPORTS = r"""
import json, os, pathlib, sys, sysconfig, tempfile
from inline_solvers_cli.app import main
work = pathlib.Path(tempfile.mkdtemp())
(work / "m.py").write_text("def f(a):\n    x = g(a)\n    return h(x)\n")
main(["--quiet", "--cache-dir", str(work / "cache"), str(work / "m.py")])
main(["--quiet", "--diff", "--no-cache", "--canonical", str(work / "m.py"), "--bad-option"])
roots = set()
for module in list(sys.modules.values()):
    origin = getattr(module, "__file__", None) or ""
    for base in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        if origin.startswith(base + os.sep):
            top = os.path.relpath(origin, base).split(os.sep)[0]
            roots.add(top[:-3] if top.endswith(".py") else top)
print(json.dumps(sorted(roots)))
"""


@functools.lru_cache(maxsize=1)
def cli_packages() -> tuple[str, ...]:
    """The project's packages and every installed package a real command-line run imports
    (found by making one, with a cache, in a child of this interpreter)."""
    done = subprocess.run([sys.executable, "-c", _CLI_IMPORTS], capture_output=True, text=True,
                          cwd=PROJECT, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"could not list what the command line imports: {done.stderr[-2000:]}")
    roots = [name for name in json.loads(done.stdout.splitlines()[-1])
             if not name.startswith(("_distutils_hack", "__editable__"))]
    return ("inliner", "inline_solvers_cli", *roots)


def make_readable(root: Path) -> None:
    """Everything below ``root`` (and ``root``) readable by everyone; directories searchable."""
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def run_as_user(argv: list[str], *, lib: Path, home: Path, limits: str = "",
                environment: Mapping[str, str] | None = None,
                timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (its first item is usually :data:`SYSTEM_PYTHON`) as :data:`USER`, with
    ``lib`` as its only package directory, after the shell commands ``limits`` (such as
    ``ulimit -u 10``). Skips the calling test if the copied packages do not import."""
    command = shlex.join(argv)
    if limits:
        command = f"{limits} && exec {command}"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(lib), "HOME": str(home),
           **(environment or {})}
    done = subprocess.run([shutil.which("runuser") or "runuser", "-u", USER, "--", "bash", "-c", command],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=home)
    if "No module named" in done.stderr:
        pytest.skip(f"the copied packages do not import under {SYSTEM_PYTHON}: {done.stderr[-300:]}")
    return done


class CommandLine:
    """The command line as :data:`USER`: ``run(*arguments)``; ``work`` is a directory below
    /tmp that the user can read (pytest's own temporary directories are private to root)."""

    def __init__(self, work: Path) -> None:
        self.work = work

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return run_as_user([SYSTEM_PYTHON, "-S", "-m", "inline_solvers_cli", *arguments], lib=self.work / "lib",
                           home=self.work, timeout=300)

    def directory(self, prefix: str) -> Path:
        """A fresh directory the user can read (and not write)."""
        path = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.work))
        path.chmod(0o755)
        return path


@pytest.fixture(scope="module")
def as_nobody() -> Iterator[CommandLine]:
    """The command line, run as the unprivileged user on copies of the packages it imports."""
    if unavailable() is not None:
        pytest.skip(f"no unprivileged child: {unavailable()}")
    work = Path(tempfile.mkdtemp(prefix="inline-solvers-nobody-", dir="/tmp"))
    try:
        copy_packages(work / "lib", cli_packages())
        make_readable(work)
        yield CommandLine(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
