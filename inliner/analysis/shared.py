"""Names that code other than the straight line of a function can see or change.

Moving a value that may raise or run code is only safe across stores and reads that
nothing else observes. This module finds the names for which that does not hold:

- a store is *shared* when the name is declared ``global`` or ``nonlocal``, is mentioned
  by a nested scope (a closure may read the new value), or is read where an exception
  raised before the store can lead: an ``except`` or ``finally`` block, the code after a
  handler that falls through, or the next round of a loop (:func:`names_seen_after_exceptions`);
- a read is *volatile* when a call may rebind the name (a global some function of the
  module declares ``global``, every global when the module calls ``globals()``, a name
  some function of the top-level statement declares ``nonlocal``) or when the name is bound
  nowhere in the module, is no builtin, and no star import may bind it (the read may raise
  ``NameError``).

Assumed: other modules do not assign to this module's attributes, and a star import binds
only what its module defines. Source with no import at all is taken as a fragment (one
generated function, a snippet) whose free names its runner provides, as the pipeline's
canonicaliser does: only a module that imports what it uses can have a name bound nowhere.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass

from ..effects import Effect

_BUILTINS = frozenset(dir(builtins)) | frozenset({
    "__name__", "__file__", "__doc__", "__spec__", "__loader__", "__package__", "__path__",
    "__cached__", "__builtins__", "__annotations__", "__dict__", "__module__", "__qualname__",
    "__class__",
})
_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))
_WITH = (ast.With, ast.AsyncWith)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


@dataclass(frozen=True, slots=True)
class ModuleNames:
    """What a whole module says about its global names."""

    declared_global: frozenset[str] = frozenset()
    """Names some function of the module declares ``global``."""
    uses_globals: bool = False
    """The module mentions ``globals``: any global may be changed by any call."""
    star_import: bool = False
    bound: frozenset[str] | None = None
    """Every name bound anywhere in the module (None with a star import, or in a fragment
    with no import at all: no name is known to be missing)."""

    def read_effect(self, name: str) -> int:
        """The effect bits of reading ``name`` as a global."""
        if self.uses_globals or name in self.declared_global:
            return int(Effect.VOLATILE_READ)
        if self.bound is not None and name not in self.bound and name not in _BUILTINS:
            return int(Effect.VOLATILE_READ | Effect.MAY_RAISE)
        return 0

    def context_token(self, unit: ast.AST) -> str:
        """What of these facts can change the result for ``unit`` (for cache keys): the
        names it reads whose reads are volatile, and the ``globals()`` switch."""
        if self.uses_globals:
            return "globals"
        if not self.declared_global and self.bound is None:
            return ""  # no read can be volatile
        volatile = sorted({
            node.id for node in ast.walk(unit)
            if isinstance(node, ast.Name) and self.read_effect(node.id)
        })
        return ",".join(volatile)


UNKNOWN_MODULE = ModuleNames(star_import=True)
"""Facts for code seen without its module: nothing is known to be volatile."""


def scan_module(tree: ast.Module, source: str) -> ModuleNames:
    """The module's facts, looking for the rare constructs only where the text mentions them."""
    star_import = any(
        isinstance(statement, ast.ImportFrom) and any(a.name == "*" for a in statement.names)
        for statement in tree.body
    )
    wants_globals = "global" in source  # also finds "globals"
    if not wants_globals and (star_import or "import" not in source):
        return UNKNOWN_MODULE  # nothing is declared global, and no name is known missing
    declared: set[str] = set()
    uses_globals = False
    imports = False
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                uses_globals = uses_globals or node.id == "globals"
            else:
                bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Global):
            declared.update(node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports = True
            bound.update(a.asname or a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return ModuleNames(
        declared_global=frozenset(declared), uses_globals=uses_globals, star_import=star_import,
        bound=frozenset(bound) if imports and not star_import else None,
    )


def nonlocal_names(unit: ast.AST) -> frozenset[str]:
    """Names some function inside the top-level statement ``unit`` declares ``nonlocal``
    (``nonlocal`` cannot reach outside a top-level statement)."""
    return frozenset(
        name for node in ast.walk(unit) if isinstance(node, ast.Nonlocal) for name in node.names
    )


def names_seen_after_exceptions(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """Names stored inside a ``try`` body (or a ``with`` body, whose manager may swallow the
    exception) and read where control can go when an exception stops the body early.

    Each store is judged against its innermost protected region: a read outside that
    region (a handler, ``finally``, code after the statement) sees the store's absence
    after an exception. Inside a loop the next round may read it anywhere, so there any
    read counts. Mentions in nested scopes count as reads from outside.
    """
    reads: dict[str, set[tuple[int, ...]]] = {}
    stores: list[tuple[str, int, bool]] = []
    next_region = 0
    # (node, enclosing regions (innermost last), inside a loop)
    stack: list[tuple[ast.AST, tuple[int, ...], bool]] = [
        (statement, (), False) for statement in function.body
    ]
    while stack:
        node, regions, looped = stack.pop()
        if isinstance(node, _SCOPES):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and inner is not node:
                    reads.setdefault(inner.id, set()).add(())
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and regions:
                stores.append((node.name, regions[-1], looped))
            continue
        if isinstance(node, _TRY):
            outer = regions
            if node.finalbody:
                next_region += 1
                outer = (*regions, next_region)
                stack.extend((s, regions, looped) for s in node.finalbody)
            inner = outer
            if node.handlers:
                next_region += 1
                inner = (*outer, next_region)
            stack.extend((s, inner, looped) for s in node.body)
            stack.extend((s, outer, looped) for s in node.orelse)
            for handler in node.handlers:
                if handler.type is not None:
                    stack.append((handler.type, outer, looped))
                if handler.name and outer:
                    stores.append((handler.name, outer[-1], looped))
                stack.extend((s, outer, looped) for s in handler.body)
            continue
        if isinstance(node, _WITH):
            for item in node.items:
                stack.append((item.context_expr, regions, looped))
                if item.optional_vars is not None:
                    stack.append((item.optional_vars, regions, looped))
            next_region += 1
            stack.extend((s, (*regions, next_region), looped) for s in node.body)
            continue
        if isinstance(node, _LOOPS):
            for field in ("target", "iter", "test"):
                part = getattr(node, field, None)
                if part is not None:
                    stack.append((part, regions, True))
            stack.extend((s, regions, True) for s in node.body)
            stack.extend((s, regions, looped) for s in node.orelse)
            continue
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                reads.setdefault(node.id, set()).add(regions)
            elif regions:
                stores.append((node.id, regions[-1], looped))
            continue
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            reads.setdefault(node.target.id, set()).add(regions)
        stack.extend((child, regions, looped) for child in ast.iter_child_nodes(node))
    seen: set[str] = set()
    for name, region, looped in stores:
        chains = reads.get(name)
        if name in seen or not chains:
            continue
        if looped or any(region not in chain for chain in chains):
            seen.add(name)
    return frozenset(seen)


class NameVisibility:
    """For one function: the effect bits of storing and of reading each name."""

    __slots__ = ("_stores", "_declared", "_locals", "_nonlocal", "_module", "reads_matter")

    def __init__(self, *, declared: frozenset[str] | set[str], captured: frozenset[str] | set[str],
                 seen_after_exceptions: frozenset[str], locals_: frozenset[str] | set[str],
                 unit_nonlocal: frozenset[str], module: ModuleNames) -> None:
        self._stores = frozenset(declared) | frozenset(captured) | seen_after_exceptions
        self._declared = frozenset(declared)
        self._locals = locals_
        self._nonlocal = unit_nonlocal
        self._module = module
        self.reads_matter = bool(
            self._declared or unit_nonlocal or module.uses_globals or module.declared_global
            or module.bound is not None
        )
        """Whether any read may be volatile at all (a fast path for generated code)."""

    def store_effect(self, name: str) -> int:
        return int(Effect.SHARED_STORE) if name in self._stores else 0

    def read_effect(self, name: str) -> int:
        if name in self._declared or name in self._nonlocal:
            return int(Effect.VOLATILE_READ)
        if name in self._locals:
            return 0
        return self._module.read_effect(name)
