"""What one module binds at its top level, read from its syntax tree.

A name counts as known only when one unconditional top-level statement binds it and
nothing else can rebind it: a second binding, a binding inside ``if``/``try``/``for``, a
``global`` declaration in some function, or a module object that escapes
(``globals()``, ``sys.modules``, ``importlib``, ``exec``) make it ambiguous, and an
ambiguous name resolves to UNKNOWN.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .module_scan import absolute_module, scan_module


@dataclass(frozen=True, slots=True)
class DefBinding:
    """``def name(...)`` (or ``async def``)."""

    node: ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class ClassBinding:
    """``class name(...)``."""

    node: ast.ClassDef


@dataclass(frozen=True, slots=True)
class ModuleImport:
    """``import a.b`` binds ``a`` to module ``a``; ``import a.b as c`` binds ``c`` to ``a.b``."""

    module: str


@dataclass(frozen=True, slots=True)
class FromImport:
    """``from module import attr``: the name is whatever ``module.attr`` is."""

    module: str
    attr: str


@dataclass(frozen=True, slots=True)
class ValueBinding:
    """``name = value``; ``immutable`` when reading the name can only give that value."""

    immutable: bool
    line: int


Binding = DefBinding | ClassBinding | ModuleImport | FromImport | ValueBinding


@dataclass(frozen=True, slots=True)
class StarImport:
    module: str
    """Absolute dotted name; empty when a relative import cannot be placed."""
    index: int
    """Position among the top-level statements (a later binding overrides)."""


@dataclass(frozen=True, slots=True)
class ModuleScope:
    """A module's top level, as far as calls into it are concerned."""

    name: str
    path: Path | None
    is_package: bool
    bindings: dict[str, Binding]
    binding_index: dict[str, int]
    ambiguous: dict[str, str]
    """Names that resolve to UNKNOWN, with why."""
    stars: tuple[StarImport, ...]
    all_names: tuple[str, ...] | None
    """``__all__`` when it is a literal list or tuple of strings, else None."""
    all_dynamic: bool
    """``__all__`` exists but is not a literal: a star import may export any bound name."""
    escaped: str | None
    """Why every name of this module is UNKNOWN (its namespace escapes), or None."""
    outside_rebinds: frozenset[tuple[str, str]] = frozenset()
    """``(module, attr)`` pairs this module rebinds in other modules (attr ``*``: any)."""
    imports: tuple[str, ...] = ()
    """Every module an import statement anywhere in it names (absolute), sorted."""
    used: frozenset[str] = frozenset()
    """Every name it spells, and the dotted chains it spells as a callee or as an argument
    of a call: all the callables its code can call (a ``def`` nobody mentions is not in
    it)."""
    chains: frozenset[str] = frozenset()
    """Every dotted chain it spells (``a.b.c`` and ``a.b``)."""

    def exports(self, name: str) -> bool | None:
        """Whether ``from this import *`` binds ``name`` from this module's own bindings:
        True, False, or None when ``__all__`` is computed and it may or may not."""
        if self.all_names is not None:
            return name in self.all_names
        if self.all_dynamic:
            return None
        return not name.startswith("_")

    shown: str = ""
    """The file as origin lines show it (see :func:`display`)."""

    def where(self, line: int) -> str:
        """``path:line`` for origin lines (the module name when there is no file)."""
        return f"{self.shown or self.name}:{line}"


def display(path: Path) -> str:
    """A path as origin lines show it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_scope(tree: ast.Module, name: str, path: Path | None, is_package: bool) -> ModuleScope:
    """Collect the top-level bindings of ``tree`` (module ``name``)."""
    found: dict[str, list[tuple[int, Binding]]] = {}
    ambiguous: dict[str, str] = {}
    stars: list[StarImport] = []
    for index, statement in enumerate(tree.body):
        for bound, binding in _statement_bindings(statement, name, is_package):
            if bound == "*":
                assert isinstance(binding, FromImport)
                stars.append(StarImport(binding.module, index))
            elif binding is None:
                ambiguous.setdefault(bound, f"bound conditionally (line {statement.lineno})")
            else:
                found.setdefault(bound, []).append((index, binding))
    bindings: dict[str, Binding] = {}
    binding_index: dict[str, int] = {}
    for bound, entries in found.items():
        if len(entries) > 1 and not _same_import(entry for _, entry in entries):
            lines = ", ".join(str(tree.body[i].lineno) for i, _ in entries)
            ambiguous.setdefault(bound, f"bound more than once (lines {lines})")
        elif bound not in ambiguous:
            bindings[bound], binding_index[bound] = entries[0][1], entries[0][0]
    modules = {bound: b.module for bound, b in bindings.items() if isinstance(b, ModuleImport)}
    scan = scan_module(tree, modules, set(bindings), name, is_package)
    for declared, line in scan.globals_declared.items():
        ambiguous.setdefault(declared, f"declared global in a function (line {line})")
        bindings.pop(declared, None)
    all_names, all_dynamic = _literal_all(bindings, ambiguous, tree, scan.all_mutated)
    return ModuleScope(
        name=name,
        path=path,
        is_package=is_package,
        bindings=bindings,
        binding_index=binding_index,
        ambiguous=ambiguous,
        stars=tuple(stars),
        all_names=all_names,
        all_dynamic=all_dynamic,
        escaped=scan.escaped,
        outside_rebinds=frozenset(scan.outside_rebinds),
        imports=tuple(sorted(scan.imports)),
        used=frozenset(scan.used),
        chains=frozenset(scan.chains),
        shown=display(path) if path is not None else name,
    )


def _same_import(entries: Iterable[Binding]) -> bool:
    """Whether repeated bindings all import the same thing (``import a`` then ``import
    a.b`` both bind ``a`` to module ``a``): the name keeps one value."""
    distinct = set(entries)
    return len(distinct) == 1 and isinstance(next(iter(distinct)), (ModuleImport, FromImport))


def _statement_bindings(
    statement: ast.stmt, name: str, is_package: bool
) -> list[tuple[str, Binding | None]]:
    """Names one top-level statement binds (``None``: bound conditionally or by a
    construct whose value is not followed; ``"*"``: a star import)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [(statement.name, DefBinding(statement))]
    if isinstance(statement, ast.ClassDef):
        return [(statement.name, ClassBinding(statement))]
    if isinstance(statement, ast.Import):
        return [
            (alias.asname, ModuleImport(alias.name))
            if alias.asname
            else (alias.name.partition(".")[0], ModuleImport(alias.name.partition(".")[0]))
            for alias in statement.names
        ]
    if isinstance(statement, ast.ImportFrom):
        module = absolute_module(statement.module, statement.level, name, is_package)
        return [
            ("*", FromImport(module, "*"))
            if alias.name == "*"
            else (alias.asname or alias.name, FromImport(module, alias.name))
            for alias in statement.names
        ]
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return [(target.id, ValueBinding(_immutable(statement.value), statement.lineno))]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        if statement.value is None:
            return []
        return [(statement.target.id, ValueBinding(_immutable(statement.value), statement.lineno))]
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.Delete)):
        names = _bound_names(statement)
        # Unpacking, chained assignment, augmented assignment, del: a value not followed.
        return [(bound, ValueBinding(False, statement.lineno)) for bound in names]
    return [(bound, None) for bound in _bound_names(statement)]


def _bound_names(statement: ast.stmt) -> list[str]:
    """Module-scope names a statement binds anywhere inside it (a nested def or class
    binds its own name; its body is another scope)."""
    names: list[str] = []
    stack: list[ast.AST] = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            stack.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.append(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((a.asname or a.name).partition(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.append(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return names


_ALIAS_BASES = frozenset({"tuple", "frozenset", "dict", "list", "set", "type", "Callable"})


def _immutable(value: ast.expr) -> bool:
    """Whether reading a name bound to ``value`` can only ever see that value: constants,
    tuples and frozensets of them, arithmetic on them, type aliases (``tuple[int, ...]``)."""
    stack: list[ast.expr] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Constant):
            continue
        if isinstance(node, ast.Tuple):
            stack.extend(node.elts)
        elif isinstance(node, ast.UnaryOp):
            stack.append(node.operand)
        elif isinstance(node, ast.BinOp):
            stack.extend((node.left, node.right))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if node.value.id not in _ALIAS_BASES:
                return False
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "frozenset"
            and not node.keywords
        ):
            stack.extend(node.args)
        else:
            return False
    return True


def _literal_all(
    bindings: dict[str, Binding], ambiguous: dict[str, str], tree: ast.Module, mutated: bool
) -> tuple[tuple[str, ...] | None, bool]:
    """``(names, dynamic)`` for ``__all__``: names when it is a literal never changed."""
    if "__all__" in ambiguous or mutated:
        return None, True
    if "__all__" not in bindings:
        return None, False
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = statement.value
                if isinstance(value, (ast.List, ast.Tuple)) and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
                ):
                    return tuple(str(e.value) for e in value.elts if isinstance(e, ast.Constant)), False
    return None, True
