"""A disk cache of inliner results, keyed by content, holding JSON objects only.

Results are stored per *unit* (one top-level function or statement) and per *module*
under :func:`cache_key`, a digest of everything that decides the output. The store is a
:class:`diskcache.Cache` (SQLite, safe for several threads and processes sharing one
directory) with a size limit, so an old cache shrinks by itself.

Why JSON only
    diskcache's stock serialiser unpickles any row whose ``mode`` column says "pickle",
    and reads values (or pickles) from files named by a row's ``filename`` column. The
    cache directory is shared state: anyone who can write to it (another user of a shared
    directory, a malicious archive unpacked over it, a CI cache restored from elsewhere)
    could plant such a row and run code in every process that later reads the cache.
    :class:`JsonOnlyDisk` therefore writes values as JSON text into the database and
    refuses everything else *without deserialising it*: a row in any other mode, a row
    naming a file, a value that is not JSON text of an object is a miss. Keys are plain
    strings; a key stored as a pickle is refused, never loaded. No file is ever written,
    read or deleted through a row (a ``filename`` could point anywhere).

    JSON only keeps a planted row from running code *here*; it cannot make a planted
    result right. Whoever can write the directory can still hand back wrong code, so it
    is created private to the user (mode 0o700) and should stay so.

Failures
    The cache only saves time, so it never breaks a run: a corrupt or foreign database, a
    read-only or full disk, a lock held too long, any ``sqlite3``/``OSError``/
    :class:`diskcache.Timeout` is reported once through ``warn`` and turns this
    :class:`ResultCache` off (gets miss, sets do nothing). Handing it a key that is not a
    string or a value that is not a JSON object is a bug of the caller and raises
    ``TypeError``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import diskcache
from diskcache.core import MODE_RAW, UNKNOWN

import inliner

__all__ = [
    "DEFAULT_SIZE_LIMIT",
    "FORMAT_VERSION",
    "SQLITE_TIMEOUT",
    "JsonOnlyDisk",
    "RefusedEntry",
    "ResultCache",
    "cache_key",
]

FORMAT_VERSION = 1
"""Bumped whenever what is stored under a key changes shape."""

DEFAULT_SIZE_LIMIT = 512 * 2**20
"""Bytes; beyond it diskcache evicts the least recently stored entries."""

SQLITE_TIMEOUT = 1.0
"""Seconds a statement waits for a lock held by someone else before the cache gives up."""

_log = logging.getLogger(__name__)


# -- keys -----------------------------------------------------------------------------------


def cache_key(kind: str, text: str, token: str) -> str:
    """A sha256 hex digest over the format version, ``inliner.__version__``, ``kind``,
    ``token`` and ``text``. Every part is length-prefixed, so different inputs never
    run together into the same bytes."""
    for name, part in (("kind", kind), ("text", text), ("token", token)):
        if not isinstance(part, str):
            raise TypeError(f"cache_key: {name} must be str, not {type(part).__name__}")
    digest = hashlib.sha256()
    parts = (f"inline-solvers-cache/{FORMAT_VERSION}", str(inliner.__version__), kind, token, text)
    for part in parts:
        # surrogatepass: source text may hold lone surrogates; they must hash, not fail.
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


# -- values ---------------------------------------------------------------------------------


def _check_json_object(value: Any) -> None:
    """``TypeError`` unless ``value`` is a dict that survives a JSON round trip unchanged:
    str keys; values str, int, bool, finite float, None, lists and dicts (no tuples,
    which would come back as lists)."""
    if not isinstance(value, dict):
        raise TypeError(f"cache values must be JSON objects (dict), not {type(value).__name__}")
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise TypeError(f"cache value has a non-str object key: {key!r}")
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
        elif item is None or isinstance(item, (str, int)):
            pass
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise TypeError(f"cache value holds a non-finite float: {item!r}")
        else:
            raise TypeError(f"cache value holds a {type(item).__name__}, which is not JSON")


def _encode(value: Any) -> str:
    _check_json_object(value)
    # ensure_ascii: lone surrogates become escapes, so SQLite always gets valid UTF-8.
    return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not allowed")


def _decode(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class RefusedEntry(ValueError):
    """Something that is not a plain string key or JSON text was asked of the Disk."""


class JsonOnlyDisk(diskcache.Disk):
    """A :class:`diskcache.Disk` that keeps str keys and JSON-object values in the database.

    ``store`` always returns the database mode (``MODE_RAW``, JSON text, no file);
    ``fetch`` accepts exactly that and nothing else, before looking at the bytes: no
    unpickling, no file reads. ``get`` (keys read back, only used when iterating) refuses
    pickled keys; ``remove`` never deletes files, since the ``filename`` column is
    untrusted and this Disk never writes files.
    """

    def put(self, key: Any) -> tuple[str, bool]:
        if not isinstance(key, str):
            raise TypeError(f"cache keys must be str, not {type(key).__name__}")
        return str(key), True

    def get(self, key: Any, raw: Any) -> str:
        if raw and type(key) is str:
            return key
        raise RefusedEntry("refusing a cache key that is not a plain string")

    def store(self, value: Any, read: bool, key: Any = UNKNOWN) -> tuple[int, int, None, str]:
        if read:
            raise TypeError("this cache stores JSON objects, not file contents")
        return 0, MODE_RAW, None, _encode(value)

    def fetch(self, mode: Any, filename: Any, value: Any, read: bool) -> dict[str, Any] | None:
        if read or mode != MODE_RAW or filename is not None or type(value) is not str:
            return None  # not what store writes: a miss, and nothing deserialised
        return _decode(value)

    def filename(self, key: Any = UNKNOWN, value: Any = UNKNOWN) -> tuple[str, str]:
        raise RefusedEntry("this cache never stores values in files")

    def remove(self, file_path: Any) -> None:
        return None


class _BoundedCache(diskcache.Cache):
    """diskcache retries "database is locked" for up to 60 s while opening (its
    ``_sql_retry``); here that wait is bounded too, so a lock held by another process
    delays a run by seconds at most. If a later diskcache drops ``_sql_retry``, this
    override is simply unused."""

    def __init__(self, directory: str, *, retry_seconds: float, **kwargs: Any) -> None:
        self._retry_seconds = retry_seconds
        super().__init__(directory, **kwargs)

    @property
    def _sql_retry(self) -> Callable[..., Any]:
        sql = self._sql
        limit = getattr(self, "_retry_seconds", SQLITE_TIMEOUT)

        def execute(statement: str, *args: Any, **kwargs: Any) -> Any:
            deadline = time.monotonic() + limit
            while True:
                try:
                    return sql(statement, *args, **kwargs)
                except sqlite3.OperationalError as error:
                    if str(error) != "database is locked" or time.monotonic() >= deadline:
                        raise
                    time.sleep(0.001)

        return execute


# -- the cache --------------------------------------------------------------------------------


def _make_private_directory(path: str) -> None:
    """Create ``path`` with mode 0o700 (parents as usual); an existing one is left alone."""
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not os.path.isdir(path):
            raise NotADirectoryError(f"{path} exists and is not a directory") from None
        return
    os.chmod(path, 0o700)  # the umask could have taken away the owner's own bits


def _one_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return " ".join(text.split())


class ResultCache:
    """Inliner results on disk; see the module docstring. Open with :meth:`open`."""

    def __init__(self, directory: str, cache: diskcache.Cache | None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self._cache = cache
        self._warn = warn
        self._lock = threading.Lock()
        self._failed = False
        self._closed = False
        self._hits = 0
        self._misses = 0
        self._errors = 0

    @classmethod
    def open(cls, directory: str | os.PathLike[str], *, size_limit: int = DEFAULT_SIZE_LIMIT,
             warn: Callable[[str], None] | None = None,
             timeout: float = SQLITE_TIMEOUT) -> ResultCache:
        """The cache in ``directory`` (created mode 0o700 if missing). Never raises: on
        failure this warns once and returns a disabled cache."""
        try:
            path = os.path.abspath(os.path.expanduser(os.fsdecode(directory)))
        except Exception as error:  # noqa: BLE001 - a bad path is one more failure
            self = cls(repr(directory), None, warn)
            self._fail("cannot use this path", error)
            return self
        self = cls(path, None, warn)
        try:
            if os.path.expandvars(path) != path:
                # diskcache expands $VARS in the path; it would open some other directory.
                raise ValueError("the path contains '$', which diskcache would expand")
            _make_private_directory(path)
            settings = dict(diskcache.DEFAULT_SETTINGS)  # every setting explicit: values
            settings.update(                             # planted in the database don't count
                size_limit=int(size_limit),
                eviction_policy="least-recently-stored",
                cull_limit=10,
                statistics=0,
                tag_index=0,
                disk_min_file_size=2**62,  # belt and braces: JsonOnlyDisk writes no files
            )
            self._cache = _BoundedCache(path, retry_seconds=max(timeout, 0.0), timeout=timeout,
                                        disk=JsonOnlyDisk, **settings)
        except Exception as error:  # noqa: BLE001 - anything: the run goes on without a cache
            self._fail("cannot open the cache", error)
        return self

    # -- state -------------------------------------------------------------------------------

    @property
    def hits(self) -> int:
        with self._lock:
            return self._hits

    @property
    def misses(self) -> int:
        with self._lock:
            return self._misses

    @property
    def errors(self) -> int:
        with self._lock:
            return self._errors

    @property
    def disabled(self) -> bool:
        """True once the cache failed (or was closed): gets miss and sets do nothing."""
        with self._lock:
            return self._failed or self._closed or self._cache is None

    def _usable(self) -> diskcache.Cache | None:
        with self._lock:
            if self._failed or self._closed:
                return None
            return self._cache

    def _fail(self, what: str, error: BaseException) -> None:
        with self._lock:
            self._errors += 1
            first = not self._failed
            self._failed = True
            cache, self._cache = self._cache, None
        if not first:
            return
        if cache is not None:
            try:
                cache.close()
            except Exception:  # noqa: BLE001
                pass
        message = f"cache disabled: {self.directory}: {what}: {_one_line(error)}"
        if self._warn is None:
            _log.warning("%s", message)
        else:
            self._warn(message)

    # -- get and set ---------------------------------------------------------------------------

    def get(self, key: str) -> dict[str, Any] | None:
        """The JSON object stored under ``key``, or None (a miss, also when disabled)."""
        if not isinstance(key, str):
            raise TypeError(f"cache keys must be str, not {type(key).__name__}")
        value = None
        cache = self._usable()
        if cache is not None:
            try:
                value = cache.get(key, default=None, retry=False)
            except Exception as error:  # noqa: BLE001
                self._fail("reading failed", error)
                value = None
        if not isinstance(value, dict):
            value = None
        with self._lock:
            if value is None:
                self._misses += 1
            else:
                self._hits += 1
        return value

    def set(self, key: str, value: dict[str, Any]) -> None:
        """Store ``value`` (a JSON object) under ``key``; nothing happens when disabled."""
        if not isinstance(key, str):
            raise TypeError(f"cache keys must be str, not {type(key).__name__}")
        _check_json_object(value)
        cache = self._usable()
        if cache is None:
            return
        try:
            cache.set(key, value, retry=False)
        except Exception as error:  # noqa: BLE001
            self._fail("writing failed", error)

    def close(self) -> None:
        """Close the database; afterwards gets miss and sets do nothing."""
        with self._lock:
            self._closed = True
            cache, self._cache = self._cache, None
        if cache is not None:
            try:
                # Closes this thread's connection; the other threads' connections go with
                # the diskcache.Cache object, whose last reference was just dropped.
                cache.close()
            except Exception:  # noqa: BLE001
                pass

    def __enter__(self) -> ResultCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "disabled" if self.disabled else "open"
        return (f"ResultCache({self.directory!r}, {state}, hits={self.hits}, "
                f"misses={self.misses}, errors={self.errors})")
