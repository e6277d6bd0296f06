"""How many functions of a canonical rewrite hold more calls than before: under
``--canonical --expand all`` a value read several times is copied, calls and all, and the
summary says so (the canonical form is for identity, not for running)."""

from __future__ import annotations

import ast
from collections import Counter


def _calls_by_function(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    stack: list[tuple[ast.AST, str]] = [(ast.parse(text), "")]
    while stack:
        node, owner = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            owner = f"{owner}.{node.name}"
        elif isinstance(node, ast.Call) and owner:
            counts[owner] += 1
        stack.extend((child, owner) for child in ast.iter_child_nodes(node))
    return counts


def functions_with_copied_calls(before: str, after: str) -> int:
    """The functions (and classes' methods) of ``after`` that hold more calls than in
    ``before``; 0 when either text does not parse."""
    try:
        old, new = _calls_by_function(before), _calls_by_function(after)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
    return sum(1 for name, count in new.items() if count > old.get(name, 0))
