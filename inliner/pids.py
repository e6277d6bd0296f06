"""Whether a process still runs: how temporaries of killed runs and orphaned workers are
told apart from live ones."""

from __future__ import annotations

import os
from pathlib import Path


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_temporaries(directory: Path, suffix: str) -> None:
    """Remove the temporary files in ``directory`` that processes which are gone were
    writing (``kill -9``): names ``.<anything>.<pid>.<random><suffix>``, the form both the
    file writer and the store give theirs. Files it cannot list or remove are left."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not name.endswith(suffix):
            continue
        parts = name[: -len(suffix)].rsplit(".", 2)
        if len(parts) == 3 and parts[1].isdigit() and not process_alive(int(parts[1])):
            try:
                os.unlink(directory / name)
            except OSError:
                pass
