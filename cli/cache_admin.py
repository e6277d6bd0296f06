"""``--cache-info`` and ``--clear-cache``: where the result cache is, how big, and removing
it. Only the cache's own files are ever removed: a directory that holds anything else (a
``--cache-dir`` pointed at the wrong place) is left as it is."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import typer

from .report import say
from .run import EXIT_ERROR, EXIT_OK

DATABASE = "cache.db"
CACHE_FILES = frozenset({DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", f"{DATABASE}-journal"})
"""What diskcache keeps in its directory (the cache stores values in the database only)."""


class CacheAdminError(Exception):
    """The cache directory cannot be read or removed; the message says why."""


@dataclass(frozen=True)
class CacheInfo:
    directory: Path
    exists: bool
    size: int
    """Bytes on disk, every file below the directory."""
    entries: int

    def lines(self) -> list[str]:
        where = f"cache directory: {self.directory}" + ("" if self.exists else " (not created yet)")
        return [where, f"size: {human_size(self.size)}", f"entries: {self.entries}"]


def human_size(size: int) -> str:
    """``512 bytes``, ``1.5 KiB``, ``12.0 MiB``."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"


def _size(directory: Path) -> int:
    total = 0
    for root, _, files in os.walk(directory):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass  # gone meanwhile (another run's journal): nothing to count
    return total


def _entries(directory: Path) -> int:
    """The rows of diskcache's table, read without writing anything (read-only SQLite)."""
    database = directory / DATABASE
    if not database.exists():
        return 0
    try:
        connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            (count,) = connection.execute("SELECT COUNT(*) FROM Cache").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise CacheAdminError(f"{database}: cannot be read as a cache: {error}") from None
    return int(count)


def cache_info(directory: Path) -> CacheInfo:
    directory = Path(os.path.abspath(directory))
    if not directory.is_dir():
        if directory.exists():
            raise CacheAdminError(f"{directory}: is not a directory")
        return CacheInfo(directory, exists=False, size=0, entries=0)
    return CacheInfo(directory, exists=True, size=_size(directory), entries=_entries(directory))


def clear_cache(directory: Path) -> CacheInfo | None:
    """Remove the cache in ``directory`` (its files, then the directory); returns what was
    there, or None if there was no cache. Refuses, removing nothing, when the directory
    holds files that are not the cache's."""
    info = cache_info(directory)
    if not info.exists:
        return None
    try:
        names = set(os.listdir(info.directory))
    except OSError as error:
        raise CacheAdminError(f"{info.directory}: cannot be read: {error.strerror or error}") from None
    foreign = sorted(names - CACHE_FILES)
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise CacheAdminError(f"{info.directory}: holds files that are not the cache's ({shown}); "
                              "nothing removed")
    try:
        for name in sorted(names):
            os.unlink(info.directory / name)
        os.rmdir(info.directory)
    except OSError as error:
        raise CacheAdminError(f"{info.directory}: cannot be removed: {error.strerror or error}") from None
    return info


def administer(directory: Path, *, show: bool, clear: bool) -> int:
    """``--clear-cache`` (first, when both are given), then ``--cache-info``: what was
    removed goes to standard error, the cache's description to standard output (it is what
    was asked for, as ``--version``'s). Returns the exit code."""
    try:
        if clear:
            removed = clear_cache(directory)
            if removed is None:
                say(f"no cache to remove at {directory}")
            else:
                say(f"removed {removed.directory} ({removed.entries} "
                    f"{'entry' if removed.entries == 1 else 'entries'}, {human_size(removed.size)})")
        if show:
            typer.echo("\n".join(cache_info(directory).lines()))
    except CacheAdminError as error:
        say(f"error: {error}")
        return EXIT_ERROR
    return EXIT_OK
