"""Running the installed ``inline-solvers`` as a user's shell would: a process of its own,
with a private cache. No tests in here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

_INSTALLED = shutil.which("inline-solvers", path=os.path.dirname(sys.executable))
COMMAND = [_INSTALLED] if _INSTALLED else [sys.executable, "-m", "inline_solvers_cli"]


def cli(*args: str | Path, stdin: bytes | None = None, cwd: Path,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The command run in ``cwd``; its default cache lives in ``cwd/.xdg-cache``."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cwd / ".xdg-cache"), **(env or {})}
    return subprocess.run([*COMMAND, *map(str, args)], input=stdin if stdin is not None else b"",
                          capture_output=True, cwd=cwd, env=environment, timeout=300)


def lines(stream: bytes) -> list[str]:
    return stream.decode().splitlines()
