"""The canonical text of a module: exactly ``ast.unparse``'s, written faster where it can be.

The canonical form is defined as ``ast.unparse`` of the rewritten tree. ``ast.unparse`` is
written in Python and pays for generality at every node (a method lookup, precedence
bookkeeping, context managers). A straight-line function (see
:mod:`inliner.analysis.straight`) written out by :func:`write_module` uses a few string
operations per node instead, and writes the same characters ``ast.unparse`` would: the
same separators between statements, the same indentation, the same parentheses (in the
positions allowed here an expression never needs any but a tuple's), and constants by
``repr`` as ``ast.unparse`` writes them. Every other top-level statement, and anything
this module does not model, is written by ``ast.unparse`` itself.

Verification compares the compiled text with the compiled tree, which would catch a
written program that differs; a test holds the characters to ``ast.unparse``'s.

``ast.unparse`` remembers a precedence per node for the whole module, so a node shared by
two top-level statements could be written differently by it. Plans never share a node
across top-level statements (a value moves only within its function), and parsed trees
share none.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..source import FAST_PATH_DEPTH

_NOTHING_GIVEN: Mapping[int, str] = MappingProxyType({})

_NESTING_LIMIT = FAST_PATH_DEPTH

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
"""``ast.unparse`` puts a blank line before these, when anything precedes them."""

_CONSTANTS = frozenset({int, bool, str, bytes, type(None)})
"""Constants ``ast.unparse`` writes as their ``repr`` (floats have their own rules)."""

_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~", ast.Not: "not "}

_Name, _Call, _Attribute, _Constant, _UnaryOp, _Tuple, _List = (
    ast.Name, ast.Call, ast.Attribute, ast.Constant, ast.UnaryOp, ast.Tuple, ast.List)


# The writers below test ``kind = type(node)`` against each class (exact, and fastest); mypy
# does not narrow ``node`` through ``kind``, so each branch names the type it checked, for
# mypy alone (``typing.cast``, a call, would cost time at every node).


class _Unwritable(Exception):
    """Something this module leaves to ``ast.unparse``."""


def write_module(tree: ast.Module, given: Mapping[int, str] = _NOTHING_GIVEN) -> str:
    """``ast.unparse(tree)``, character for character; the top-level statements in
    ``given`` (by position) are written as the text given for them instead."""
    if tree.type_ignores and not given:
        return ast.unparse(tree)
    pieces: list[str] = []
    for position, statement in enumerate(tree.body):
        if position:
            pieces.append("\n\n" if isinstance(statement, _DEFINITIONS) else "\n")
        text = given.get(position) if given else None
        if text is None and type(statement) is ast.FunctionDef:
            try:
                text = _function(statement)
            except _Unwritable:
                pass
        if text is None:
            # Within a module of its own, as ast.unparse meets it within the whole one (and
            # as deep in the stack, give or take this frame), except a later string
            # statement, which would become a docstring there.
            alone = position and type(statement) is ast.Expr and type(statement.value) is _Constant
            text = ast.unparse(statement if alone else ast.Module([statement], []))
        pieces.append(text)
    return "".join(pieces)


def _function(node: ast.FunctionDef) -> str:
    arguments = node.args
    if (node.decorator_list or node.returns is not None or node.type_comment is not None
            or getattr(node, "type_params", None) or arguments.posonlyargs or arguments.vararg
            or arguments.kwonlyargs or arguments.kwarg or arguments.defaults):
        raise _Unwritable
    names = []
    for argument in arguments.args:
        if argument.annotation is not None or argument.type_comment is not None:
            raise _Unwritable
        names.append(argument.arg)
    lines = [f"def {node.name}({', '.join(names)}):"]
    body = node.body
    for position, statement in enumerate(body):
        kind = type(statement)
        if kind is ast.Assign:
            if TYPE_CHECKING:
                assert isinstance(statement, ast.Assign)
            targets = statement.targets
            target = targets[0]
            if len(targets) != 1 or type(target) is not _Name or statement.type_comment is not None:
                raise _Unwritable
            lines.append(f"    {target.id} = {_expression(statement.value, 0)}")
        elif kind is ast.Return:
            if TYPE_CHECKING:
                assert isinstance(statement, ast.Return)
            returned = statement.value
            lines.append("    return" if returned is None else f"    return {_expression(returned, 0)}")
        elif kind is ast.Expr:
            if TYPE_CHECKING:
                assert isinstance(statement, ast.Expr)
            value = statement.value
            if position == 0 and type(value) is _Constant and isinstance(value.value, str):
                # The docstring, in ast.unparse's own words.
                lines.append("    " + ast.unparse(ast.Module([statement], [])))
            else:
                lines.append(f"    {_expression(value, 0)}")
        else:
            raise _Unwritable
    return "\n".join(lines)


def _expression(node: ast.expr, depth: int) -> str:
    """``node`` as ``ast.unparse`` writes it where any expression but a tuple stands bare
    (a call's argument, an assigned or returned value, an expression statement)."""
    kind = type(node)
    if kind is _Constant:
        if TYPE_CHECKING:
            assert isinstance(node, ast.Constant)
        return _constant(node)
    if depth > _NESTING_LIMIT:
        raise _Unwritable
    if kind is _UnaryOp:
        if TYPE_CHECKING:
            assert isinstance(node, ast.UnaryOp)
        operator, operand = type(node.op), node.operand
        if operator is not ast.Not and type(operand) is _UnaryOp and type(operand.op) is ast.Not:
            raise _Unwritable  # -(not x): the only operand here that needs parentheses
        return _UNARY[operator] + _expression(operand, depth + 1)
    if kind is _Tuple or kind is _List:
        if TYPE_CHECKING:
            assert isinstance(node, (ast.Tuple, ast.List))
        items = [_expression(element, depth + 1) for element in node.elts]
        if kind is _List:
            return "[" + ", ".join(items) + "]"
        return "(" + (items[0] + "," if len(items) == 1 else ", ".join(items)) + ")"
    return _atom(node, depth)  # names, calls, attribute reads (anything else is refused there)


def _atom(node: ast.expr, depth: int) -> str:
    """``node`` where ``ast.unparse`` requires an atom (a call's function, an attribute's
    object): only what needs no parentheses there."""
    kind = type(node)
    if kind is _Name:
        if TYPE_CHECKING:
            assert isinstance(node, ast.Name)
        return node.id
    if depth > _NESTING_LIMIT:
        raise _Unwritable
    if kind is _Call:
        if TYPE_CHECKING:
            assert isinstance(node, ast.Call)
        return _call(node, depth)
    if kind is _Attribute:
        if TYPE_CHECKING:
            assert isinstance(node, ast.Attribute)
        return _atom(node.value, depth + 1) + "." + node.attr
    raise _Unwritable


def _call(node: ast.Call, depth: int) -> str:
    deeper = depth + 1
    parts = [argument.id if type(argument) is _Name else _expression(argument, deeper)
             for argument in node.args]
    for keyword in node.keywords:
        value = _expression(keyword.value, deeper)
        parts.append("**" + value if keyword.arg is None else keyword.arg + "=" + value)
    function = node.func
    head = function.id if type(function) is _Name else _atom(function, deeper)
    return head + "(" + ", ".join(parts) + ")"


def _constant(node: ast.Constant) -> str:
    value = node.value
    if type(value) not in _CONSTANTS:
        raise _Unwritable
    return ("u" if node.kind == "u" else "") + repr(value)
