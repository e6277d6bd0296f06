"""A directory of canonical functions, each file named by the md5 of its own content.

``md5sum`` of every ``<digest>.py`` equals its name, so the store checks itself. A file is
written to a temporary file in the same directory, flushed to disk, then linked to its
name, which fails if the name exists: no file is ever rewritten, and a crash at any
moment leaves either no file of that name or the whole file (and at most a temporary file
named after the dead process, which :func:`prepare_store` removes).
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from .digest import CanonicalFunction, text_digest
from .pids import remove_dead_temporaries

STORED_SUFFIX = ".py"
TEMPORARY_SUFFIX = ".store-tmp"


def stored_path(directory: str | os.PathLike[str], digest: str) -> Path:
    """Where the function with this digest is (or would be) stored."""
    return Path(directory) / f"{digest}{STORED_SUFFIX}"


def prepare_store(directory: str | os.PathLike[str]) -> Path:
    """Create the store directory if needed and remove the temporary files of processes
    that died while writing to it (``kill -9``). Raises ``OSError`` if it cannot."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    os.listdir(path)  # a store that cannot be listed cannot be used: raise here
    remove_dead_temporaries(path, TEMPORARY_SUFFIX)
    return path


def _sync_directory(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the file itself is synced
    finally:
        os.close(descriptor)


def store_text(directory: str | os.PathLike[str], text: str) -> tuple[str, bool]:
    """Store ``text`` as ``<md5 of text>.py`` in ``directory`` (created if missing) unless
    a file of that name exists. Returns the digest and whether this call wrote the file.
    Raises ``OSError`` when the directory cannot be written."""
    data = text.encode("utf-8", "surrogatepass")
    digest = text_digest(text)
    folder = Path(directory)
    target = stored_path(folder, digest)
    if os.path.lexists(target):
        return digest, False
    temporary = folder / f".{os.getpid()}.{secrets.token_hex(6)}{TEMPORARY_SUFFIX}"
    try:
        # 0o666 less the umask: stored files are as readable as any file the user makes.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, target)  # fails if the name exists: never a rewrite
        except FileExistsError:
            return digest, False
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # No hard links on this file system. Another process may create the name
            # between the check and the rename; it would hold these same bytes (the name
            # is their digest), and the rename is atomic, so no reader sees a torn file.
            if os.path.lexists(target):
                return digest, False
            os.rename(temporary, target)
        _sync_directory(folder)
        return digest, True
    finally:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass


def store_canonical(directory: str | os.PathLike[str], function: CanonicalFunction) -> bool:
    """Store a canonical function's text under its digest (see :func:`store_text`);
    returns whether this call wrote it (``False``: it was stored before)."""
    if text_digest(function.text) != function.digest:
        raise ValueError(f"{function.name}: {function.digest} is not the md5 of its text")
    return store_text(directory, function.text)[1]
