"""Every output is checked before it is returned: it must parse, compile where its input
did, and be exactly the planned program. A check returns the problem, or None.

The planned program is the stdlib syntax tree with the plans applied (see
:mod:`inliner.rewrite.canonical`); both rewriters are held to it, so they cannot drift
apart. The usual case is decided in C: the output text and the planned tree are both
compiled, and the two code objects must run the same instructions on the same constants
and names (:func:`same_code`). Only when they do not (or one does not compile) is the
output parsed back and compared node by node, to say which unit is wrong and why.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from types import CodeType

from .reasons import FallbackReason
from .source import (
    PARSER_ERRORS,
    compile_error,
    compile_text,
    compile_tree,
    describe_syntax_error,
    parse_tree,
)
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
            stack.extend(zip(a, b, strict=True))  # of equal length, just checked
        elif type(a) is not type(b) or a != b:
            return False
    return True


_REPR_COMPARED = (float, complex, tuple, frozenset)
"""Constants equal by ``==`` that differ in code: ``0.0`` and ``-0.0``, and tuples of them."""


def same_code(left: CodeType, right: CodeType) -> bool:
    """Whether two code objects run the same instructions on the same constants and names,
    line numbers aside. Iterative over nested functions and classes."""
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        if (a.co_code != b.co_code or a.co_names != b.co_names or a.co_varnames != b.co_varnames
                or a.co_freevars != b.co_freevars or a.co_cellvars != b.co_cellvars
                or a.co_argcount != b.co_argcount or a.co_posonlyargcount != b.co_posonlyargcount
                or a.co_kwonlyargcount != b.co_kwonlyargcount or a.co_flags != b.co_flags
                or a.co_exceptiontable != b.co_exceptiontable or a.co_qualname != b.co_qualname
                or len(a.co_consts) != len(b.co_consts)):
            return False
        for x, y in zip(a.co_consts, b.co_consts, strict=True):  # of equal length, checked above
            if type(x) is not type(y):
                return False
            if isinstance(x, CodeType):
                stack.append((x, y))
            elif isinstance(x, _REPR_COMPARED):
                if repr(x) != repr(y):
                    return False
            elif x != y:
                return False
    return True


def _compiles_as_planned(text: str, planned: ast.Module, flags: int) -> bool:
    """The fast check: the text compiles to the same code as the planned tree."""
    try:
        return same_code(compile_text(text, flags), compile_tree(planned, flags))
    except Exception:  # noqa: BLE001 - any doubt sends the text through the full check
        return False


def check_unit(new_text: str, planned: ast.stmt, original: str, flags: int) -> Problem | None:
    """One rewritten top-level statement (format-preserving): it parses, reads back as the
    planned statement, and compiles wherever the original compiled."""
    if _compiles_as_planned(new_text, ast.Module([planned], []), flags):
        return None
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
    if _compiles_as_planned(code, tree, flags):
        return {}
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
