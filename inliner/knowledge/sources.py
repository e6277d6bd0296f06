"""Where the source of an imported module is, read without importing it.

Search order for ``X.Y``: beside the analysed file, then each project root, then (if
allowed) the interpreter's ``sys.path``. A package is ``X/__init__.py``; a compiled
extension or a module built into the interpreter has no source to read, and says so.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import sys
from dataclasses import dataclass
from pathlib import Path

_EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES) + (".so", ".pyd")


@dataclass(frozen=True, slots=True)
class Found:
    """A module's source file."""

    name: str
    path: Path
    is_package: bool


@dataclass(frozen=True, slots=True)
class NotFound:
    """Why a module has no source to read (shown in origin lines)."""

    name: str
    why: str


def search_dirs(home: Path | None, roots: tuple[Path, ...], installed: bool) -> tuple[Path, ...]:
    """Directories searched for top-level modules, in order, without repeats."""
    dirs: list[Path] = []
    if home is not None:
        dirs.append(home)
    dirs.extend(roots)
    if installed:
        dirs.extend(Path(entry) if entry else Path.cwd() for entry in sys.path)
    seen: set[str] = set()
    unique: list[Path] = []
    for directory in dirs:
        key = str(directory.resolve()) if directory.exists() else str(directory)
        if key not in seen:
            seen.add(key)
            unique.append(directory)
    return tuple(unique)


def find_module(name: str, dirs: tuple[Path, ...]) -> Found | NotFound:
    """The source of the module with dotted ``name``: the first directory that has its
    top-level package decides, as for the import system."""
    if name in sys.builtin_module_names:
        return NotFound(name, f"module '{name}' is built into the interpreter (no source)")
    parts = name.split(".")
    for directory in dirs:
        found = _find_in(directory, parts, name)
        if found is not None:
            return found
    return NotFound(name, f"no source found for module '{name}'")


def _find_in(directory: Path, parts: list[str], name: str) -> Found | NotFound | None:
    """``None`` when ``directory`` does not have the top-level name at all."""
    base = directory
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        package = base / part
        if (package / "__init__.py").is_file():
            if last:
                return Found(name, package / "__init__.py", True)
            base = package
            continue
        module = base / f"{part}.py"
        if module.is_file():
            if last:
                return Found(name, module, False)
            return NotFound(name, f"'{'.'.join(parts[: index + 1])}' is a module, not a package")
        compiled = [base / f"{part}{suffix}" for suffix in _EXTENSION_SUFFIXES]
        if any(path.is_file() for path in compiled) or _has_extension(base, part):
            return NotFound(name, f"module '{name}' is a compiled extension (no source)")
        if package.is_dir() and not last:
            # A namespace package (a directory without __init__.py): keep descending.
            base = package
            continue
        return None if index == 0 else NotFound(name, f"no source found for module '{name}'")
    return None


def _has_extension(base: Path, part: str) -> bool:
    """Whether ``base`` holds ``part.<abi tag>.so`` (the usual name of an extension)."""
    try:
        return any(
            child.name.startswith(part + ".") and child.name.endswith(_EXTENSION_SUFFIXES)
            for child in base.glob(f"{part}.*")
        )
    except OSError:
        return False


def module_name_of(path: Path) -> str:
    """The dotted name a file has as seen from the first directory above it that is not
    a package (``pkg/sub/mod.py`` with ``__init__.py`` files gives ``pkg.sub.mod``)."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts) or path.stem


def package_home(path: Path) -> Path:
    """The directory that holds the top-level package of the module at ``path``."""
    name = module_name_of(path)
    directory = path.parent
    for _ in range(name.count(".") + (1 if path.name == "__init__.py" else 0)):
        directory = directory.parent
    return directory


def digest(data: bytes) -> str:
    """Content hash of a consulted file (part of the knowledge token)."""
    return hashlib.sha256(data).hexdigest()[:16]
