"""Checks that a rewritten program is the planned one."""

from __future__ import annotations

import ast


def same_tree(left: ast.AST, right: ast.AST) -> bool:
    """Whether two syntax trees are equal, ignoring positions (``ast.dump`` equality,
    without building the two strings). Iterative, so depth costs no recursion."""
    stack: list[tuple[object, object]] = [(left, right)]
    while stack:
        a, b = stack.pop()
        if isinstance(a, ast.AST):
            if type(a) is not type(b):
                return False
            for name in a._fields:
                stack.append((getattr(a, name, None), getattr(b, name, None)))
        elif isinstance(a, list):
            if not isinstance(b, list) or len(a) != len(b):
                return False
            stack.extend(zip(a, b))
        elif type(a) is not type(b) or a != b:
            return False
    return True
