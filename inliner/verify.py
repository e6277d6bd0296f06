"""Every output is checked before it is returned: it must parse, compile where its input
did, and be exactly the planned program. A check returns the problem, or None.

The planned program is the stdlib syntax tree with the plans applied (see
:mod:`inliner.rewrite.canonical`); both rewriters are held to it, so they cannot drift
apart.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

from .reasons import FallbackReason
from .source import PARSER_ERRORS, compile_error, compile_tree, describe_syntax_error, parse_tree
from .work import Problem


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


def check_unit(new_text: str, planned: ast.stmt, original: str, flags: int) -> Problem | None:
    """One rewritten top-level statement (format-preserving): it parses, reads back as the
    planned statement, and compiles wherever the original compiled."""
    try:
        tree = parse_tree(new_text, flags)
    except PARSER_ERRORS as error:
        return FallbackReason.VERIFY_FAILED, describe_syntax_error(error)
    if len(tree.body) != 1 or not same_tree(tree.body[0], planned):
        return FallbackReason.REWRITE_MISMATCH, "the rewritten text is not the planned program"
    try:
        compile_tree(tree, flags)
    except PARSER_ERRORS as error:
        if compile_error(original, flags) is None:
            return FallbackReason.VERIFY_FAILED, describe_syntax_error(error)
    return None


def check_module_text(code: str, flags: int) -> str | None:
    """Why the joined module text does not parse, or None (the net under joining units
    that were each checked alone)."""
    try:
        parse_tree(code, flags)
    except PARSER_ERRORS as error:
        return describe_syntax_error(error)
    return None


def check_canonical(code: str, tree: ast.Module, original_text: Callable[[int], str],
                    changed: Iterable[int], flags: int) -> dict[int, Problem]:
    """The units (by statement index) whose canonical text does not read back as the
    planned program, or does not compile where the original did. ``code`` is
    ``ast.unparse(tree)``; ``original_text(i)`` is the source text of statement ``i``."""
    problems: dict[int, Problem] = {}
    try:
        parsed: ast.Module | None = parse_tree(code)
    except PARSER_ERRORS:
        parsed = None
    changed = list(changed)
    for unit in changed:
        node = tree.body[unit]
        if parsed is not None and len(parsed.body) == len(tree.body):
            if not same_tree(parsed.body[unit], node):
                problems[unit] = (FallbackReason.REWRITE_MISMATCH,
                                  "ast.unparse output reads back as a different program")
            continue
        problem = compile_error(ast.unparse(node), flags)
        if problem is not None:
            problems[unit] = (FallbackReason.VERIFY_FAILED, problem)
    if parsed is None or problems:
        return problems
    try:
        compile_tree(parsed)
    except PARSER_ERRORS:
        for unit in changed:
            problem = compile_error(ast.unparse(tree.body[unit]), flags)
            if problem is not None and compile_error(original_text(unit), flags) is None:
                problems[unit] = (FallbackReason.VERIFY_FAILED, problem)
    return problems
