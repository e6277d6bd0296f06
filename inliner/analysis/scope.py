"""Which names a function binds, how, and which of them other scopes can see.

One iterative pass over the function's own scope (nested function, lambda, class and
comprehension bodies are only searched for dynamic-scope calls and for assignment
expressions, which bind in the function; the scanner records what they mention).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_ALWAYS_DYNAMIC = frozenset({"locals", "eval", "exec"})
_DYNAMIC_WITHOUT_ARGUMENTS = frozenset({"vars", "dir", "super"})
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_CATCHING = (ast.Try, getattr(ast, "TryStar", ast.Try), ast.With, ast.AsyncWith)


@dataclass(slots=True)
class ScopeFacts:
    params: frozenset[str]
    binding_counts: dict[str, int] = field(default_factory=dict)
    """Bindings of each name in the function's scope, parameters not counted."""
    plain_assignments: dict[str, ast.Assign] = field(default_factory=dict)
    """Names bound by at least one ``name = expr`` statement (the last one seen)."""
    declared: set[str] = field(default_factory=set)
    """Names declared ``global`` or ``nonlocal`` in the function."""
    dynamic_use: str | None = None
    """How the function can see its locals dynamically, e.g. ``"locals() on line 4"``."""
    captured: set[str] = field(default_factory=set)
    """Names mentioned inside nested scopes (functions, lambdas, classes, comprehension
    bodies): a store to one of them may be seen by a closure."""
    catches: bool = False
    """The function's own code holds a ``try`` or ``with`` statement, after which code may
    run when an exception stopped its body early."""

    def is_local(self, name: str) -> bool:
        return name in self.binding_counts or name in self.params


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

    def note_dynamic(node: ast.Name) -> None:
        if facts.dynamic_use is None:
            facts.dynamic_use = f"{node.id} on line {node.lineno}"

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
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
                if node.id in _ALWAYS_DYNAMIC or (  # type: ignore[attr-defined]
                    node.id in _DYNAMIC_WITHOUT_ARGUMENTS and id(node) not in allowed_dynamic_calls  # type: ignore[attr-defined]
                ):
                    note_dynamic(node)  # type: ignore[arg-type]
            else:
                bind(node.id)  # type: ignore[attr-defined]
            continue
        if kind is ast.Constant:
            continue
        if kind is ast.Call:
            _allow_call_with_arguments(node, allowed_dynamic_calls)  # type: ignore[arg-type]
            stack.extend(reversed(node.keywords))  # type: ignore[attr-defined]
            stack.extend(reversed(node.args))  # type: ignore[attr-defined]
            push(node.func)  # type: ignore[attr-defined]
            continue
        if kind is ast.Attribute or kind is ast.keyword:
            push(node.value)  # type: ignore[attr-defined]
            continue
        if kind is ast.Assign:
            targets = node.targets  # type: ignore[attr-defined]
            if len(targets) == 1 and type(targets[0]) is ast.Name:
                facts.plain_assignments[targets[0].id] = node  # type: ignore[assignment]
            push(node.value)  # type: ignore[attr-defined]
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
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                if node.id in _ALWAYS_DYNAMIC or (
                    node.id in _DYNAMIC_WITHOUT_ARGUMENTS and id(node) not in allowed_dynamic_calls
                ):
                    note_dynamic(node)
            else:
                bind(node.id)
            continue
        if isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                facts.plain_assignments[node.targets[0].id] = node
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            facts.declared.update(node.names)
        elif isinstance(node, _CATCHING):
            facts.catches = True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bind(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name)
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
