"""Which names a function binds, how, and which of them other scopes can see.

One iterative pass over the function's own scope (nested function, lambda, class and
comprehension bodies are only searched for dynamic-scope calls and for assignment
expressions, which bind in the function; the scanner records what they mention).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..reasons import KeepReason

_ALWAYS_DYNAMIC = frozenset({"locals", "eval", "exec", "_getframe", "currentframe"})
"""Names whose use lets code see every local of the function (``sys._getframe`` and
``inspect.currentframe`` imported bare give its frame, whose ``f_locals`` holds them)."""
_DYNAMIC_WITHOUT_ARGUMENTS = frozenset({"vars", "dir", "super"})
DYNAMIC_NAMES = _ALWAYS_DYNAMIC | _DYNAMIC_WITHOUT_ARGUMENTS
"""Every name whose read may make a function's locals dynamic (the one-pass walks hand
such functions to the general walker, which decides)."""
_FRAME_ATTRIBUTES = frozenset({
    "_getframe", "currentframe", "f_locals", "f_back", "tb_frame", "gi_frame", "cr_frame", "ag_frame",
    "getouterframes", "getinnerframes", "walk_stack", "_current_frames",
})
"""Attributes that lead to a frame, and from it to the locals of this function or its callers."""
_MODULE_DYNAMIC_ATTRIBUTES = {"inspect": frozenset({"stack", "trace"}),
                              "builtins": DYNAMIC_NAMES, "__builtins__": DYNAMIC_NAMES}
"""Functions that see locals, by the module they are read from (``inspect.stack()``,
``builtins.eval``)."""


def sees_locals(node: ast.Attribute) -> bool:
    """Whether reading the attribute ``node`` leads to a frame's locals."""
    if node.attr in _FRAME_ATTRIBUTES:
        return True
    owner = node.value
    return isinstance(owner, ast.Name) and node.attr in _MODULE_DYNAMIC_ATTRIBUTES.get(owner.id, ())


def is_frame_marker(name: str) -> bool:
    """A local named like ``__tracebackhide__``: tools read such names from the frame."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def not_a_candidate(name: str) -> KeepReason:
    """Why a plainly assigned name that is no candidate stays."""
    return KeepReason.FRAME_MARKER if is_frame_marker(name) else KeepReason.MULTIPLE_BINDINGS


_SUSPENDING = (ast.Await, ast.Yield, ast.YieldFrom, ast.AsyncFor, ast.AsyncWith)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_CATCHING = (ast.Try, ast.TryStar, ast.With, ast.AsyncWith)


@dataclass(slots=True)
class ScopeFacts:
    params: frozenset[str]
    binding_counts: dict[str, int] = field(default_factory=dict)
    """Bindings of each name in the function's scope, parameters not counted."""
    plain_assignments: dict[str, ast.Assign] = field(default_factory=dict)
    """Names bound by at least one ``name = expr`` statement (the last one seen)."""
    declared: set[str] = field(default_factory=set)
    """Names declared ``global`` or ``nonlocal`` in the function."""
    deleted: set[str] = field(default_factory=set)
    """Names a ``del`` statement unbinds, and ``except ... as`` names (unbound when their
    handler ends)."""
    dynamic_use: str | None = None
    """How the function can see its locals dynamically, e.g. ``"locals() on line 4"``."""
    captured: set[str] = field(default_factory=set)
    """Names mentioned inside nested scopes (functions, lambdas, classes, comprehension
    bodies): a store to one of them may be seen by a closure."""
    catches: bool = False
    """The function's own code holds a ``try`` or ``with`` statement, after which code may
    run when an exception stopped its body early."""
    constant_bindings: dict[str, int] = field(default_factory=dict)
    """Bindings of each name by ``name = <constant>``: objects whose death nobody sees."""
    suspends: bool = False
    """The function's own code can suspend (``await``, ``yield``, ``async for``/``with``):
    other code runs there, and may rebind any name that is not its local."""

    def is_local(self, name: str) -> bool:
        return name in self.binding_counts or name in self.params

    def rebinds(self, name: str) -> bool:
        """Whether a store to ``name`` may end the life of an object the name held: the
        name is a parameter, or is bound more than once and not only to constants."""
        if name in self.params:
            return True
        count = self.binding_counts.get(name, 0)
        return count > 1 and self.constant_bindings.get(name, 0) != count


def parameters(arguments: ast.arguments) -> list[ast.arg]:
    """Every parameter of a function or lambda, in order, ``*args`` and ``**kwargs`` too."""
    listed = [*arguments.posonlyargs, *arguments.args]
    if arguments.vararg is not None:
        listed.append(arguments.vararg)
    listed.extend(arguments.kwonlyargs)
    if arguments.kwarg is not None:
        listed.append(arguments.kwarg)
    return listed


def parameter_names(arguments: ast.arguments) -> frozenset[str]:
    if arguments.posonlyargs or arguments.vararg or arguments.kwonlyargs or arguments.kwarg:
        return frozenset([argument.arg for argument in parameters(arguments)])
    return frozenset([argument.arg for argument in arguments.args])


def scan_scope(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ScopeFacts:
    facts = ScopeFacts(params=parameter_names(function.args))
    counts = facts.binding_counts
    allowed_dynamic_calls: set[int] = set()

    def bind(name: str) -> None:
        counts[name] = counts.get(name, 0) + 1

    def note_dynamic(node: ast.Name | ast.Attribute) -> None:
        if facts.dynamic_use is None:
            name = node.id if isinstance(node, ast.Name) else node.attr
            facts.dynamic_use = f"{name} on line {node.lineno}"

    captured = facts.captured

    def mention_nested(root: ast.AST) -> None:
        for node in ast.walk(root):
            if isinstance(node, ast.Name):
                captured.add(node.id)
                if node.id in _ALWAYS_DYNAMIC or (
                    node.id in _DYNAMIC_WITHOUT_ARGUMENTS and id(node) not in allowed_dynamic_calls
                ):
                    note_dynamic(node)
            elif isinstance(node, ast.Call):
                _allow_call_with_arguments(node, allowed_dynamic_calls)
            elif isinstance(node, ast.Attribute):
                if sees_locals(node):
                    note_dynamic(node)  # a nested function may read this frame as its caller's
            elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                # An assignment expression in a comprehension binds in the function.
                bind(node.target.id)
            elif isinstance(node, ast.Nonlocal):
                captured.update(node.names)

    stack: list[ast.AST] = list(reversed(function.body))
    push = stack.append
    while stack:
        node = stack.pop()
        # The shapes generated code is made of first, without the generic machinery.
        # ``kind`` is tested against each class (exact, and fastest); mypy does not narrow
        # ``node`` through it, so each branch names the type it checked, for mypy alone
        # (``typing.cast``, a call, would cost time in this loop).
        kind = type(node)
        if kind is ast.Name:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Name)
            if type(node.ctx) is ast.Load:
                if node.id in _ALWAYS_DYNAMIC or (
                    node.id in _DYNAMIC_WITHOUT_ARGUMENTS and id(node) not in allowed_dynamic_calls
                ):
                    note_dynamic(node)
            else:
                bind(node.id)
                if type(node.ctx) is ast.Del:
                    facts.deleted.add(node.id)
            continue
        if kind is ast.Constant:
            continue
        if kind is ast.Call:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Call)
            _allow_call_with_arguments(node, allowed_dynamic_calls)
            stack.extend(reversed(node.keywords))
            stack.extend(reversed(node.args))
            push(node.func)
            continue
        if kind is ast.Attribute:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Attribute)
            if sees_locals(node):
                note_dynamic(node)
            push(node.value)
            continue
        if kind is ast.keyword:
            if TYPE_CHECKING:
                assert isinstance(node, ast.keyword)
            push(node.value)
            continue
        if kind is ast.Assign:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Assign)
            targets = node.targets
            if len(targets) == 1 and type(targets[0]) is ast.Name:
                facts.plain_assignments[targets[0].id] = node
                if type(node.value) is ast.Constant:
                    constants = facts.constant_bindings
                    constants[targets[0].id] = constants.get(targets[0].id, 0) + 1
            push(node.value)
            stack.extend(reversed(targets))
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bind(node.name)
            stack.extend(node.decorator_list)
            stack.extend(_evaluated_parts_of_arguments(node.args))
            if node.returns is not None:
                stack.append(node.returns)
            for statement in node.body:
                mention_nested(statement)
            continue
        if isinstance(node, ast.ClassDef):
            bind(node.name)
            stack.extend(node.decorator_list)
            stack.extend(node.bases)
            stack.extend(node.keywords)
            for statement in node.body:
                mention_nested(statement)
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(_evaluated_parts_of_arguments(node.args))
            mention_nested(node.body)
            continue
        if isinstance(node, _COMPREHENSIONS):
            if any(g.is_async for g in node.generators) or any(
                    isinstance(inner, ast.Await) for inner in ast.walk(node)):
                facts.suspends = True
            first, *rest = node.generators
            stack.append(first.iter)
            mention_nested(first.target)
            for condition in first.ifs:
                mention_nested(condition)
            for generator in rest:
                mention_nested(generator)
            if isinstance(node, ast.DictComp):
                mention_nested(node.key)
                mention_nested(node.value)
            else:
                mention_nested(node.elt)
            continue
        # (Names and assignments took the fast path above: no node reaches here as either.)
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            facts.declared.update(node.names)
        elif isinstance(node, _CATCHING):
            facts.catches = True
            if isinstance(node, ast.AsyncWith):
                facts.suspends = True
        elif isinstance(node, _SUSPENDING):
            facts.suspends = True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name)
            facts.deleted.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bind(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bind(node.rest)
        elif isinstance(node, ast.Call):
            _allow_call_with_arguments(node, allowed_dynamic_calls)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return facts


def _allow_call_with_arguments(node: ast.Call, allowed: set[int]) -> None:
    if isinstance(node.func, ast.Name) and (node.args or node.keywords):
        allowed.add(id(node.func))


def _evaluated_parts_of_arguments(arguments: ast.arguments) -> list[ast.AST]:
    """Defaults and annotations: evaluated in the enclosing scope when the def runs."""
    parts: list[ast.AST] = [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None)]
    parts.extend(a.annotation for a in parameters(arguments) if a.annotation is not None)
    return parts
