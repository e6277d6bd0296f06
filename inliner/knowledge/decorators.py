"""Decorators that give back the very function they get, seen from their syntax alone:
``@same`` where ``same(fn)`` returns ``fn``, or ``@_sig(...)`` where the factory returns
such a function (registering ``fn`` in a dict happens at import time, not at each call).
A function under any other decorator is UNKNOWN: the decorator may replace it."""

from __future__ import annotations

import ast

from .summary import is_generator, own_nodes


def gives_back(definition: ast.FunctionDef | ast.AsyncFunctionDef, factory: bool) -> bool:
    """Whether ``definition`` (called with a function) gives that function back; for a
    ``factory``, whether the function it returns does."""
    if isinstance(definition, ast.AsyncFunctionDef) or is_generator(definition):
        return False
    if not factory:
        return _returns_its_argument(definition)
    returned = _returned_names(definition)
    if len(returned) != 1:
        return False
    inner = [
        n
        for n in definition.body
        if isinstance(n, ast.FunctionDef) and n.name == returned[0]
    ]
    rebinds = [
        n for n in own_nodes(list(definition.body)) if returned[0] in stored_names(n)
    ]
    return len(inner) == 1 and len(rebinds) == 0 and _returns_its_argument(inner[0])


def stored_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).partition(".")[0] for a in node.names]
    return []


def _returned_names(function: ast.FunctionDef) -> list[str]:
    """The names every ``return`` of ``function`` gives back (empty if one returns
    something else, or the body can end without returning)."""
    if not function.body or not isinstance(function.body[-1], ast.Return):
        return []
    names: set[str] = set()
    for node in own_nodes(list(function.body)):
        if isinstance(node, ast.Return):
            if not isinstance(node.value, ast.Name):
                return []
            names.add(node.value.id)
    return sorted(names)


_HARMLESS_ATTRS = frozenset({"__name__", "__qualname__", "__doc__", "__module__"})


def _returns_its_argument(function: ast.FunctionDef) -> bool:
    """Whether ``function(f)`` is always ``f`` itself, unchanged: it returns its first
    parameter everywhere, never rebinds it, and uses it only to read its name or to
    store it in a container (registration)."""
    params = function.args.posonlyargs + function.args.args
    if not params or is_generator(function):
        return False
    name = params[0].arg
    if _returned_names(function) != [name]:
        return False
    nodes = own_nodes(list(function.body))
    parents = {id(c): p for p in nodes for c in ast.iter_child_nodes(p)}
    for node in nodes:
        if name in stored_names(node):
            return False
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            inner = node.body if isinstance(node, ast.Lambda) else node
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(inner)):
                return False  # captured: a nested scope could do anything with it
        if not (isinstance(node, ast.Name) and node.id == name):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Return):
            continue
        if isinstance(parent, ast.Attribute) and parent.attr in _HARMLESS_ATTRS and isinstance(parent.ctx, ast.Load):
            continue
        if isinstance(parent, ast.Assign) and parent.value is node and all(
            isinstance(t, ast.Subscript) for t in parent.targets
        ):
            continue
        return False
    return True
