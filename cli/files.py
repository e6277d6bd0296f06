"""Finding, reading and writing Python files without ever losing or tearing one."""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
import tempfile
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from inliner.pids import remove_dead_temporaries

DEFAULT_INCLUDE = r"\.py$"
DEFAULT_EXCLUDE = (
    r"/(\.git|\.hg|\.svn|\.venv|venv|\.env|env|__pycache__|build|dist|\.tox|\.nox"
    r"|\.mypy_cache|\.pytest_cache|\.ruff_cache|node_modules|\.eggs|[^/]*\.egg-info)/"
)
TEMPORARY_SUFFIX = ".inline-solvers.tmp"


class SourceError(Exception):
    """A file that cannot be processed; the message says why, ``line`` where if known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line, self.column = line, column


@dataclass(frozen=True)
class SourceFile:
    path: Path
    raw: bytes
    text: str
    encoding: str
    newline: str

    def encode(self, text: str, *, convert_newlines: bool = False) -> bytes:
        """``text`` in this file's encoding (BOM included); with ``convert_newlines``
        (for text written with ``\n`` only, like the canonical form), in the file's line
        endings. The format-preserving rewrite keeps every line's own ending itself."""
        if convert_newlines and self.newline != "\n":
            text = text.replace("\r\n", "\n").replace("\n", self.newline)
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as error:
            # ast.unparse writes characters its input spelled as escapes (--canonical).
            raise SourceError(f"the new text cannot be written in the file's encoding "
                              f"({self.encoding}): {error.reason} {text[error.start:error.end]!r}") from None


def find_python_files(paths: Sequence[Path], include: str = DEFAULT_INCLUDE,
                      exclude: str = DEFAULT_EXCLUDE) -> Iterator[Path]:
    """Files named on the command line, and below named directories the files whose path
    (relative to the directory, with a leading ``/``) matches ``include`` and not
    ``exclude``, in a stable order. No symbolic link is followed out of its root."""
    included, excluded = re.compile(include), re.compile(exclude)
    for root in paths:
        if not root.is_dir():
            yield root
            continue
        real_root = root.resolve()
        for directory, subdirectories, files in os.walk(root):
            remove_stale_temporaries(Path(directory))
            relative = "/" + Path(directory).relative_to(root).as_posix().strip(".").strip("/")
            relative = relative.rstrip("/") + "/"
            subdirectories[:] = sorted(
                d for d in subdirectories
                if not excluded.search(f"{relative}{d}/")
                and not os.path.islink(os.path.join(directory, d))
            )
            for name in sorted(files):
                path = Path(directory, name)
                if name.endswith(TEMPORARY_SUFFIX) or not included.search(f"{relative}{name}"):
                    continue
                if excluded.search(f"{relative}{name}"):
                    continue
                if path.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except (OSError, RuntimeError):
                        yield path  # a dangling link or a loop: reading it reports why
                        continue
                    if not target.is_relative_to(real_root):
                        continue
                yield path


def nothing_at(path: Path) -> bool:
    """Whether nothing at all is at ``path``: a usage error, found before any file is
    touched. A dangling link is something (reading it says why), and so is a path below a
    directory this user may not search: both are the run's business."""
    try:
        os.lstat(path)
    except OSError as error:
        return error.errno in (errno.ENOENT, errno.ENOTDIR)
    return False


_TOO_BIG = "cannot be read: too large for the memory this process may use"


def read_source(path: Path) -> SourceFile:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # A named pipe or a device would block or never end; a directory is walked.
            raise SourceError("is a directory" if path.is_dir() else "is not a regular file")
        raw = path.read_bytes()
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except OSError as error:
        raise SourceError(f"cannot be read: {error.strerror or error}") from None
    except MemoryError:
        raise SourceError(_TOO_BIG) from None
    return decode_source(path, raw)


def decode_source(path: Path, raw: bytes) -> SourceFile:
    """``raw`` as Python source text: by its PEP 263 cookie or BOM, else UTF-8. Bytes that
    are no such text (a NUL byte, an undecodable byte) raise :class:`SourceError`."""
    if b"\0" in raw:
        raise SourceError("contains a NUL byte")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        raise SourceError(str(error.msg if hasattr(error, "msg") else error)) from None
    if encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        line = raw[: getattr(error, "start", 0)].count(b"\n") + 1
        raise SourceError(f"cannot be decoded as {encoding}", line=line) from None
    except MemoryError:
        raise SourceError(_TOO_BIG) from None
    first_end = text.find("\n")
    newline = "\r\n" if first_end > 0 and text[first_end - 1] == "\r" else "\n"
    return SourceFile(path, raw, text, encoding, newline)


def remove_stale_temporaries(directory: Path) -> None:
    """Remove temporary files left by runs that were killed (their process is gone)."""
    remove_dead_temporaries(directory, TEMPORARY_SUFFIX)


def write_atomically(source: SourceFile, data: bytes) -> bool:
    """Replace the file's content with ``data``: a temporary file in the same directory,
    flushed to disk, then renamed over the original, so that a crash at any moment leaves
    the old file or the new one, never a torn one. Refuses if the file changed since it
    was read (unless it already holds ``data``: another run got there first), and never
    writes through a symbolic link. Returns whether it wrote."""
    path = source.path
    if path.is_symlink():
        raise SourceError("is a symbolic link; not written through")
    try:
        current = path.read_bytes()
        status = path.stat()
    except OSError as error:
        raise SourceError(f"cannot be read again: {error.strerror or error}") from None
    if current == data:
        return False
    if current != source.raw:
        raise SourceError("changed on disk while it was being processed; left as it is")
    # The rename below needs only the directory to be writable; a file its owner made
    # read-only (or that this user may not write) is a decision to respect, as black does.
    # Root may write any file, so its access check passes on mode 444: the mode decides.
    mode = stat.S_IMODE(status.st_mode)
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise SourceError(f"is read-only (mode {mode:o}); left as it is")
    if not os.access(path, os.W_OK):
        raise SourceError("is not writable by this user; left as it is")
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=TEMPORARY_SUFFIX
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            _keep_owner(handle.fileno(), status)
            os.fchmod(handle.fileno(), stat.S_IMODE(status.st_mode))
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return True


def _keep_owner(descriptor: int, original: os.stat_result) -> None:
    """Give the new file the original's owner and group where this process may: root may
    give any, another user only a group it belongs to, and otherwise the file is its own."""
    if (original.st_uid, original.st_gid) == (os.geteuid(), os.getegid()):
        return
    for uid, gid in ((original.st_uid, original.st_gid), (-1, original.st_gid)):
        try:
            os.fchown(descriptor, uid, gid)
            return
        except OSError:
            continue
