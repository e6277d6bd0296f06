"""The locals Cython gives a C type when it compiles a pure-Python module.

Compiled, a typed local holds a C value: ``n = len(idx)`` typed ``Py_ssize_t``, or
``dot`` typed ``unsigned long long``, which wraps where a Python int grows. Inlining such a
local would move its expression into Python object arithmetic (or the other way), and
change what the compiled module computes, so a typed local must stay.

Cython types a local through
- a decorator of the function: ``@cython.locals(n=cython.int)`` (the keyword names of any
  ``cython.<...>(...)`` decorator are taken: none but ``locals`` takes a local's name, and
  taking too many only keeps more);
- ``x = cython.declare(cython.int)`` or ``cython.declare(x=cython.int)`` in its body;
- an annotation that mentions ``cython`` (pure mode: ``n: cython.int = 0``, a parameter
  ``n: cython.int``, a string annotation, or a module-level alias of a Cython type);
- a ``.pxd`` file beside the module (same stem), read by :mod:`inliner.analysis.pxd`.

The module is known as ``cython`` and any name it is imported as (``import cython as
cy``, ``from cython import declare, int``).
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from ..discover import find_functions
from .pxd import PxdUnreadable, read_pxd

ALL_LOCALS = "*"
"""In a function's names: a ``.pxd`` beside the module could not be read, so any of its
locals may be typed."""

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def typed_locals(tree: ast.Module, path: Path | None) -> dict[str, frozenset[str]]:
    """Per function qualname (as :func:`inliner.discover.find_functions` names them) the
    local names Cython types, from the module ``tree`` and from the ``.pxd`` beside
    ``path`` (its stem, suffix ``.pxd``), if there is one. A function with no typed local
    is absent. A ``.pxd`` that cannot be read or understood gives every function of the
    module :data:`ALL_LOCALS`."""
    functions = find_functions(tree)
    cython = _CythonNames.of(tree)
    typed: dict[str, set[str]] = {}
    for found in functions:
        names = _typed_in_source(found.node, cython)
        if names:
            typed.setdefault(found.qualname, set()).update(names)
    if path is not None:
        qualnames = {found.qualname for found in functions}
        declared = _declared_beside(path)
        if declared is None:
            for qualname in qualnames:
                typed.setdefault(qualname, set()).add(ALL_LOCALS)
        else:
            for qualname, names in declared.items():
                if qualname in qualnames:
                    typed.setdefault(qualname, set()).update(names)
    return {qualname: frozenset(names) for qualname, names in typed.items()}


def _declared_beside(path: Path) -> dict[str, set[str]] | None:
    """What the ``.pxd`` beside ``path`` types: empty without one, None if it is unreadable."""
    pxd = path.with_suffix(".pxd")
    try:
        raw = pxd.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError:  # a directory, no permission: it may type anything
        return None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return read_pxd(raw.decode(encoding))
    except (SyntaxError, UnicodeDecodeError, LookupError, PxdUnreadable):
        return None


@dataclass
class _CythonNames:
    """How the module refers to ``cython`` and its members."""

    modules: set[str] = field(default_factory=lambda: {"cython"})
    """Names of the module itself."""
    declare: set[str] = field(default_factory=set)
    """Names of ``cython.declare`` imported alone."""
    types: set[str] = field(default_factory=set)
    """Other names imported from it, and module-level aliases of what it offers
    (``Index = cython.typedef(cython.Py_ssize_t)``)."""

    @classmethod
    def of(cls, tree: ast.Module) -> _CythonNames:
        names = cls()
        statements = list(tree.body)
        while statements:  # the module level, with its blocks (an import under try:)
            statement = statements.pop(0)
            if isinstance(statement, ast.Import):
                names.modules.update(a.asname or a.name for a in statement.names if a.name == "cython")
            elif isinstance(statement, ast.ImportFrom) and statement.module == "cython" and not statement.level:
                for alias in statement.names:
                    (names.declare if alias.name == "declare" else names.types).add(alias.asname or alias.name)
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                if names.mentioned_in(statement.value):
                    names.types.update(t.id for t in targets if isinstance(t, ast.Name))
            elif not isinstance(statement, _SCOPES):
                for name in ("body", "orelse", "finalbody"):
                    statements.extend(getattr(statement, name, ()))
                for handler in getattr(statement, "handlers", ()):
                    statements.extend(handler.body)
        return names

    def is_member(self, node: ast.expr) -> bool:
        """``cython.<x>`` (or deeper, ``cython.<x>.<y>``), or a name imported from it."""
        if isinstance(node, ast.Name):
            return node.id in self.types or node.id in self.declare
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and node.id in self.modules

    def is_declare(self, node: ast.expr) -> TypeGuard[ast.Call]:
        if not isinstance(node, ast.Call):
            return False
        function = node.func
        if isinstance(function, ast.Name):
            return function.id in self.declare
        return (isinstance(function, ast.Attribute) and function.attr == "declare"
                and isinstance(function.value, ast.Name) and function.value.id in self.modules)

    def mentioned_in(self, annotation: ast.expr) -> bool:
        """Whether an annotation (or a value) refers to ``cython`` anywhere."""
        for node in ast.walk(annotation):
            if isinstance(node, ast.Name) and node.id in self.types:
                return True
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.modules:
                return True
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:  # a string annotation: the expression it holds
                    inner = ast.parse(node.value.strip(), mode="eval").body
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    if any(f"{module}." in node.value for module in self.modules):
                        return True
                else:
                    if self.mentioned_in(inner):
                        return True
        return False


def _typed_in_source(function: ast.FunctionDef | ast.AsyncFunctionDef, cython: _CythonNames) -> set[str]:
    """The locals ``function`` types itself: decorators, parameters, its own body."""
    names: set[str] = set()
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and cython.is_member(decorator.func):
            names.update(k.arg for k in decorator.keywords if k.arg is not None)
    arguments = function.args
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                     arguments.vararg, arguments.kwarg):
        if argument is not None and argument.annotation is not None and cython.mentioned_in(argument.annotation):
            names.add(argument.arg)
    pending: list[ast.AST] = list(function.body)
    while pending:  # the function's own code: nested functions and classes have their own
        node = pending.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Assign) and cython.is_declare(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if cython.mentioned_in(node.annotation) or (node.value is not None and cython.is_declare(node.value)):
                names.add(node.target.id)
        elif isinstance(node, ast.Expr) and cython.is_declare(node.value):
            names.update(k.arg for k in node.value.keywords if k.arg is not None)
        if isinstance(node, ast.stmt):
            pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)
                           or isinstance(child, (ast.excepthandler, ast.match_case)))
        else:
            pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return names
