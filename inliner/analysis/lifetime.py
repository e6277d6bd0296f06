"""Object lifetimes: which values hold an object whose death others can see, and what is
evaluated after the place where an inlined value would now die.

A local keeps the object it names alive until the function returns. Inlined, the object
lives only until the operation that reads it is done. That is the same program only when
nothing that could see the difference runs in between: no finalizer's effect may move
ahead of another effect, no weak reference may go dead early, no lock or temporary file
may be released early.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Callable

from .calls import KnownCall, callee_name
from .model import Site

_DIRECT = (ast.Tuple, ast.List, ast.Set)
_PASSES_THROUGH = (ast.Attribute, ast.Subscript, ast.BinOp, ast.UnaryOp, ast.Starred, ast.NamedExpr)
_SUSPENDS = (ast.Await, ast.Yield, ast.YieldFrom)


def holds_living(value: ast.expr, call: Callable[[ast.Call], KnownCall]) -> bool:
    """Whether the object ``value`` evaluates to (or an object it holds) may be seen dying:
    the result of a call not known to return plain objects, of ``await`` or ``yield``, or
    a container, comprehension or operation built from one. Names, constants and
    operations on them are plain: a name's object is held by that name too."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call):
            if call(node).living:
                return True
            stack.extend(node.args)  # a plain result may still hold its arguments
            stack.extend(keyword.value for keyword in node.keywords)
        elif isinstance(node, _SUSPENDS):
            return True
        elif isinstance(node, _DIRECT):
            stack.extend(node.elts)
        elif isinstance(node, ast.Dict):
            stack.extend(key for key in node.keys if key is not None)
            stack.extend(node.values)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            stack.extend((node.elt, node.generators[0].iter))
        elif isinstance(node, ast.DictComp):
            stack.extend((node.key, node.value, node.generators[0].iter))
        elif isinstance(node, ast.IfExp):
            stack.extend((node.body, node.orelse))
        elif isinstance(node, ast.BoolOp):
            stack.extend(node.values)
        elif isinstance(node, _PASSES_THROUGH):
            stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
    return False


def origin_of(value: ast.expr, call: Callable[[ast.Call], KnownCall]) -> str:
    """What is known of the callee whose result ``value`` is (``""`` if it is no call)."""
    if not isinstance(value, ast.Call):
        return ""
    callee = callee_name(value.func) or "the callee"
    return f"{callee}() ({call(value).origin})"


def settle(sites: list[Site], orders: list[int], bits: list[int]) -> None:
    """Record, for each read of a statement, the effects evaluated after it in that
    statement; ``orders``/``bits`` are the statement's events in evaluation order.

    Every one of them counts, the operation that reads the object included: if it fails,
    the old frame (and the object) lived on in the traceback while handlers ran, but an
    argument on its way to a call dies as the exception leaves."""
    if not sites:
        return
    suffix = [0] * (len(bits) + 1)
    for index in range(len(bits) - 1, -1, -1):
        suffix[index] = suffix[index + 1] | bits[index]
    for site in sites:
        site.after_read = suffix[bisect_right(orders, site.order)]
