"""The modules consulted for one analysed module: found and read once, within a budget of
files, never imported. Parsing goes through the process-wide :mod:`.filecache`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .filecache import ModuleMemo, ReadError, read_module
from .module_scope import ModuleScope
from .sources import Found, find_module


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A module whose names are all UNKNOWN, and why (``budget: ...`` when the file
    budget ran out)."""

    name: str
    why: str


class Library:
    """Loads modules by dotted name, lazily, at most ``max_files`` of them.

    Not shared between threads: a ``Knowledge`` is built from it and then only read.
    """

    def __init__(self, dirs: tuple[Path, ...], max_files: int, project: tuple[Path, ...] = ()) -> None:
        self._dirs = dirs
        self._project = project
        self._max_files = max_files
        self._modules: dict[str, ModuleScope | Unavailable] = {}
        self._memos: dict[str, ModuleMemo] = {}
        self.digests: dict[str, str] = {}
        """Module name -> content hash of its file (or the reason it has none), for every
        module read (not the analysed one)."""
        self.parsed = 0
        self._outside_project: set[str] = set()

    def add(self, scope: ModuleScope) -> None:
        """Register the analysed module itself under its own name (its tree was given:
        what it contributes to answers is in the answers, not in a file digest)."""
        self._modules[scope.name] = scope

    def memo(self, scope: ModuleScope) -> ModuleMemo | None:
        """The process-wide memo of ``scope``'s file version (None for the analysed module,
        whose tree was given, not read)."""
        memo = self._memos.get(scope.name)
        return memo if memo is not None and memo.scope is scope else None

    def loaded(self) -> list[ModuleScope]:
        """Every module read so far, in name order."""
        return [m for _, m in sorted(self._modules.items()) if isinstance(m, ModuleScope)]

    def load_project_imports(self) -> None:
        """Read every project module (beside the file or under a root) that a module
        read so far imports, transitively: importing runs its code, and project code is
        what may rebind another project module's names."""
        stack = [name for m in self.loaded() for name in m.imports]
        while stack:
            name = stack.pop()
            if name in self._modules or name in self._outside_project:
                continue
            if not isinstance(find_module(name, self._project), Found):
                self._outside_project.add(name)
                continue
            scope = self.module(name)
            if isinstance(scope, ModuleScope):
                stack.extend(scope.imports)

    def module(self, name: str) -> ModuleScope | Unavailable:
        """The module ``name``, read on first use."""
        if name in self._modules:
            return self._modules[name]
        result = self._load(name)
        self._modules[name] = result
        if isinstance(result, Unavailable) and not result.why.startswith("budget"):
            self.digests[name] = "unavailable: " + result.why
        return result

    def _load(self, name: str) -> ModuleScope | Unavailable:
        if not name:
            return Unavailable(name, "a relative import that leaves its package")
        parent, _, _ = name.rpartition(".")
        if parent:
            # Importing a.b runs a/__init__.py first; its names matter less than its
            # existence, but an unreadable parent makes the child unreachable as well.
            above = self.module(parent)
            if isinstance(above, Unavailable):
                return Unavailable(name, above.why)
        found = find_module(name, self._dirs)
        if not isinstance(found, Found):
            return Unavailable(name, found.why)
        if self.parsed >= self._max_files:
            return Unavailable(name, f"budget: more than {self._max_files} source files")
        self.parsed += 1
        memo = read_module(found.path, name, found.is_package)
        if isinstance(memo, ReadError):
            return Unavailable(name, f"cannot read {found.path}: {memo.kind}")
        self.digests[name] = memo.digest
        self._memos[name] = memo
        return memo.scope
