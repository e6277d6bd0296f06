"""Where an inlined expression needs parentheses.

The one place that knows operator precedence. The analysis records, for every read it
may replace, the context the read sits in (:class:`SiteContext`); the format-preserving
rewriter then asks :func:`needs_parentheses` whether the moved expression must be wrapped.
The canonical rewriter does not need this: ``ast.unparse`` parenthesises by itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from enum import IntEnum


class Precedence(IntEnum):
    """How tightly an expression binds, loosest first (as in Python's grammar)."""

    NAMED_EXPR = 1
    TUPLE = 2
    YIELD = 3
    TEST = 4  # conditional expression, lambda
    OR = 5
    AND = 6
    NOT = 7
    CMP = 8
    BOR = 9
    BXOR = 10
    BAND = 11
    SHIFT = 12
    ARITH = 13
    TERM = 14
    FACTOR = 15  # unary + - ~
    POWER = 16
    AWAIT = 17
    ATOM = 18


_BINARY = {
    ast.BitOr: Precedence.BOR,
    ast.BitXor: Precedence.BXOR,
    ast.BitAnd: Precedence.BAND,
    ast.LShift: Precedence.SHIFT,
    ast.RShift: Precedence.SHIFT,
    ast.Add: Precedence.ARITH,
    ast.Sub: Precedence.ARITH,
    ast.Mult: Precedence.TERM,
    ast.MatMult: Precedence.TERM,
    ast.Div: Precedence.TERM,
    ast.FloorDiv: Precedence.TERM,
    ast.Mod: Precedence.TERM,
    ast.Pow: Precedence.POWER,
}


def expression_precedence(node: ast.expr) -> Precedence:
    """The precedence of ``node`` written without enclosing parentheses."""
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)]
    if isinstance(node, ast.UnaryOp):
        return Precedence.NOT if isinstance(node.op, ast.Not) else Precedence.FACTOR
    if isinstance(node, ast.BoolOp):
        return Precedence.AND if isinstance(node.op, ast.And) else Precedence.OR
    if isinstance(node, ast.Compare):
        return Precedence.CMP
    if isinstance(node, (ast.IfExp, ast.Lambda)):
        return Precedence.TEST
    if isinstance(node, ast.Await):
        return Precedence.AWAIT
    if isinstance(node, ast.Tuple):
        return Precedence.TUPLE
    if isinstance(node, (ast.Yield, ast.YieldFrom)):
        return Precedence.YIELD
    if isinstance(node, ast.NamedExpr):
        return Precedence.NAMED_EXPR
    if isinstance(node, ast.Starred):
        return Precedence.BOR
    return Precedence.ATOM


@dataclass(frozen=True, slots=True)
class SiteContext:
    """What the position of a read demands of an expression put there."""

    requirement: Precedence
    yield_ok: bool = False
    """A bare ``yield`` is allowed here (assignment values and expression statements)."""
    attribute_owner: bool = False
    """The read is the object of an attribute access: ``1 .real`` needs ``(1).real``."""
    with_item: bool = False
    """The read is a context manager: ``with (a, b):`` means two of them, not a tuple."""


_STATEMENT_VALUE = SiteContext(Precedence.TUPLE, yield_ok=True)
_TUPLE_OK = SiteContext(Precedence.TUPLE)
_TEST = SiteContext(Precedence.TEST)
_OR = SiteContext(Precedence.OR)
_BOR = SiteContext(Precedence.BOR)
_ATOM = SiteContext(Precedence.ATOM)
_CMP_OPERAND = SiteContext(Precedence.BOR)  # CMP + 1
_ATTRIBUTE_OWNER = SiteContext(Precedence.ATOM, attribute_owner=True)
_WITH_ITEM = SiteContext(Precedence.TEST, with_item=True)


_BY_PARENT_AND_FIELD = {
    (ast.Call, "func"): _ATOM,
    (ast.Call, "args"): _TEST,
    (ast.keyword, "value"): _TEST,
    (ast.Assign, "value"): _STATEMENT_VALUE,
    (ast.Expr, "value"): _STATEMENT_VALUE,
    (ast.Return, "value"): _TUPLE_OK,
    (ast.Attribute, "value"): _ATTRIBUTE_OWNER,
}
"""The answers below for the parents generated code is made of, looked up first."""


def site_context(parent: ast.AST, field: str, index: int | None,
                 grandparent: ast.AST | None = None) -> SiteContext:
    """The context of the child found at ``parent.field[index]`` (``index`` None: not a list);
    ``grandparent`` matters only under ``*``: ``f(*a or b)`` is valid, ``[*a or b]`` is not."""
    common = _BY_PARENT_AND_FIELD.get((type(parent), field))
    if common is not None:
        return common
    if isinstance(parent, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign)):
        return _STATEMENT_VALUE
    if isinstance(parent, (ast.Return, ast.For, ast.AsyncFor, ast.Yield)):
        return _TUPLE_OK
    if isinstance(parent, ast.Attribute):
        return _ATTRIBUTE_OWNER
    if isinstance(parent, ast.Subscript):
        return _ATOM if field == "value" else _TUPLE_OK
    if isinstance(parent, ast.Call):
        return _ATOM if field == "func" else _TEST
    if isinstance(parent, ast.BinOp):
        level = _BINARY[type(parent.op)]
        if level is Precedence.POWER:
            return SiteContext(Precedence.AWAIT if field == "left" else Precedence.FACTOR)
        return SiteContext(level if field == "left" else Precedence(level + 1))
    if isinstance(parent, ast.UnaryOp):
        return SiteContext(Precedence.NOT if isinstance(parent.op, ast.Not) else Precedence.FACTOR)
    if isinstance(parent, ast.BoolOp):
        # Even the first operand gets parentheses when it is a boolean operation itself:
        # ``(a and b) and c`` and ``a and b and c`` are different syntax trees.
        return SiteContext(Precedence(Precedence.AND + 1) if isinstance(parent.op, ast.And)
                           else Precedence(Precedence.OR + 1))
    if isinstance(parent, ast.Compare):
        return _CMP_OPERAND
    if isinstance(parent, ast.IfExp):
        return _OR
    if isinstance(parent, ast.Dict):
        if field == "values" and index is not None and parent.keys[index] is None:
            return _BOR
        return _TEST
    if isinstance(parent, ast.comprehension):
        return _OR
    if isinstance(parent, ast.Starred):
        return _TEST if isinstance(grandparent, ast.Call) else _BOR
    if isinstance(parent, ast.Await):
        return _ATOM
    if isinstance(parent, ast.withitem):
        return _WITH_ITEM
    return _TEST if isinstance(
        parent,
        (
            ast.keyword, ast.List, ast.Tuple, ast.Set, ast.Slice, ast.FormattedValue,
            ast.YieldFrom, ast.NamedExpr, ast.If, ast.Raise, ast.Match,
        ),
    ) else _ATOM


def parentheses_to_add(child: ast.expr, context: SiteContext, parenthesized: bool) -> bool:
    """Whether to wrap ``child`` (already in parentheses of its own if ``parenthesized``)."""
    if context.with_item and isinstance(child, ast.Tuple):
        return True  # its own parentheses would turn into the statement's
    return not parenthesized and needs_parentheses(child, context)


def needs_parentheses(child: ast.expr, context: SiteContext) -> bool:
    """Whether ``child``, written without parentheses, must be wrapped at ``context``."""
    if isinstance(child, (ast.Yield, ast.YieldFrom)):
        return not context.yield_ok
    if context.attribute_owner and isinstance(child, ast.Constant) and type(child.value) is int:
        return True
    return expression_precedence(child) < context.requirement
