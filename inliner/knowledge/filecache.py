"""A process-wide memo of the module files knowledge reads: each version of a file is
parsed once, however many analysed modules and threads ask for it.

A file is known by its path; a version by ``(size, mtime_ns)``. That pair misses an edit
that keeps the size and lands in the same clock tick as the read, so a version read
while its mtime was recent (within :data:`RACY_NS` of the read) is "racy": until a look
finds it old enough, every look also compares a digest of the bytes. This is git's
answer to the same problem (its "racily clean" index entries).
"""

from __future__ import annotations

import ast
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .module_scope import ModuleScope, display, read_scope
from .sources import digest

RACY_NS = 2_000_000_000
"""How close to its read a file's mtime must be for the version to be checked by content
(coarse file systems tick in seconds; two leaves room for clocks that disagree)."""

MAX_FILES = 4096
"""Versions kept at most (least recently used go first): bounds a long-lived process."""


@dataclass(eq=False)
class ModuleMemo:
    """One version of one module, read under one name: its scope, the digest of its bytes,
    and whatever later stages remember about it (see :mod:`.memo`). Shared between threads:
    ``store`` is only touched under ``lock``."""

    scope: ModuleScope
    digest: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    store: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReadError:
    """Why a file could not be read or parsed (the exception's type name)."""

    kind: str


@dataclass(eq=False)
class _Version:
    size: int
    mtime_ns: int
    digest: str
    tree: ast.Module
    racy: bool
    memos: dict[tuple[str, bool, str], ModuleMemo] = field(default_factory=dict)


_LOCK = threading.Lock()
_VERSIONS: OrderedDict[str, _Version] = OrderedDict()
_PARSES = [0]


def parses() -> int:
    """How many files this process has parsed for knowledge (for tests and benchmarks)."""
    return _PARSES[0]


def read_module(path: Path, name: str, is_package: bool) -> ModuleMemo | ReadError:
    """The module at ``path`` read as ``name``: from the memo when the file is the
    version read before, else read and parsed now."""
    key = str(path)
    try:
        stat = path.stat()
        with _LOCK:
            known = _VERSIONS.get(key)
            if known is not None:
                _VERSIONS.move_to_end(key)
        data: bytes | None = None
        if known is not None and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            if known.racy:
                data = path.read_bytes()
                if digest(data) != known.digest:
                    known = None
                elif time.time_ns() - stat.st_mtime_ns >= RACY_NS:
                    known.racy = False
        else:
            known = None
        if known is None:
            known = _parse(key, path, stat.st_size, stat.st_mtime_ns, data)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return ReadError(type(error).__name__)
    shown = display(path)
    with _LOCK:
        memo = known.memos.get((name, is_package, shown))
    if memo is None:
        scope = read_scope(known.tree, name, path, is_package)
        with _LOCK:
            memo = known.memos.setdefault((name, is_package, shown), ModuleMemo(scope, known.digest))
    return memo


def _parse(key: str, path: Path, size: int, mtime_ns: int, data: bytes | None) -> _Version:
    if data is None:
        data = path.read_bytes()
    tree = ast.parse(data, filename=str(path))
    racy = time.time_ns() - mtime_ns < RACY_NS
    version = _Version(size, mtime_ns, digest(data), tree, racy)
    with _LOCK:
        _PARSES[0] += 1
        _VERSIONS[key] = version
        _VERSIONS.move_to_end(key)
        while len(_VERSIONS) > MAX_FILES:
            _VERSIONS.popitem(last=False)
    return version
