"""Where moving a value makes CPython's compiler warn.

The compiler warns (``SyntaxWarning``, an error under ``-W error``) when it can see that a
literal is called (``1(a)``), subscripted where that cannot work (``{1}[0]``), indexed by
a literal of the wrong type (``[1, 2]["k"]``) or compared by identity (``a is ()``). It
sees literals after folding constants, so ``-1`` and ``(1, 2)`` count too. A variable is
kept rather than moved into such a place, so output never warns where its input did not.
"""

from __future__ import annotations

import ast

_SINGLETONS = (None, True, False, Ellipsis)
_DISPLAYS = (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.DictComp,
             ast.GeneratorExp, ast.JoinedStr)


def _constant(node: ast.expr) -> bool:
    """Whether the compiler may fold ``node`` into a constant."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _constant(node.left) and _constant(node.right)
    if isinstance(node, ast.Tuple):
        return all(_constant(element) for element in node.elts)
    return False


def _literal(node: ast.expr) -> bool:
    return _constant(node) or isinstance(node, _DISPLAYS)


def _inferred_type(node: ast.expr) -> type | None:
    """The type the compiler knows ``node`` to have, as far as it knows (None: unknown)."""
    if isinstance(node, ast.Constant):
        return type(node.value)
    if _constant(node) and not isinstance(node, ast.Tuple):
        # Folded: the usual arithmetic keeps its type; anything else may be anything.
        if isinstance(node, ast.UnaryOp):
            return bool if isinstance(node.op, ast.Not) else _inferred_type(node.operand)
        if not isinstance(node, ast.BinOp):
            return object  # unreached: _constant folds only constants, tuples and operations
        left, right = _inferred_type(node.left), _inferred_type(node.right)
        if left is right and left in (int, str, bytes) and (
                isinstance(node.op, ast.Add) or left is int and not isinstance(node.op, (ast.Div, ast.Pow))):
            return left
        return object
    return _DISPLAY_TYPES.get(type(node))


_DISPLAY_TYPES: dict[type, type] = {
    ast.Tuple: tuple, ast.List: list, ast.Dict: dict, ast.Set: set, ast.ListComp: list,
    ast.SetComp: set, ast.DictComp: dict, ast.GeneratorExp: object, ast.Lambda: object,
    ast.JoinedStr: str,
}
_INDEXED = (str, bytes, tuple)
_NOT_SUBSCRIPTABLE = (ast.Set, ast.SetComp, ast.GeneratorExp, ast.Lambda)


def _subscript_warns(subscripted: ast.expr, index: ast.expr) -> bool:
    """``subscripted[index]``: a literal that cannot be subscripted, or a sequence literal
    indexed by a literal that is no integer or slice."""
    if isinstance(subscripted, _NOT_SUBSCRIPTABLE):
        return True
    kind = _inferred_type(subscripted) if _constant(subscripted) else None
    if kind is not None and not issubclass(kind, _INDEXED):
        return True
    sequence = (kind is not None and issubclass(kind, _INDEXED)) or isinstance(
        subscripted, (ast.Tuple, ast.List, ast.ListComp, ast.JoinedStr))
    index_type = _inferred_type(index)
    return sequence and index_type is not None and not issubclass(index_type, (int, slice))


def _identity_warns(node: ast.expr) -> bool:
    """``x is node`` warns: a folded constant that is no singleton."""
    if isinstance(node, ast.Constant):
        return not any(node.value is singleton for singleton in _SINGLETONS)
    return _constant(node)


def warns_at(value: ast.expr, parent: ast.AST, field: str, index: int | None) -> bool:
    """Whether ``value``, put at ``parent.field[index]``, may make the compiler warn."""
    if isinstance(parent, ast.Call):
        return field == "func" and _literal(value)
    if isinstance(parent, ast.Subscript):
        if field == "value":
            return _subscript_warns(value, parent.slice)
        return _subscript_warns(parent.value, value)
    if isinstance(parent, ast.Compare):
        position = 0 if field == "left" else (index or 0) + 1
        operators = parent.ops
        beside = [operators[i] for i in (position - 1, position) if 0 <= i < len(operators)]
        return any(isinstance(op, (ast.Is, ast.IsNot)) for op in beside) and _identity_warns(value)
    return False
