"""What calling a function's *result* does, when the function builds callables.

``rbind(f, x)`` returns ``lambda y: f(y, x)``: calling that result calls ``f``. The
result is summarised like a function of its own whose parameters are the building
function's, so the fixpoint and the composition rule treat ``rbind(equality, x4)(x5)``
like a call of ``rbind`` that calls its parameter ``f``. Each ``return`` gives one of:

* a lambda, or a nested function bound once: its body (calls of the outer parameters are
  the outer function's parameter calls; a ``nonlocal`` it rebinds is state);
* a parameter: calling the result calls that parameter;
* ``callee(args)``: calling the result calls what ``callee``'s result calls (a site
  marked ``of_result``), so ``return rbind(f, x)`` composes;
* a module-level function: calling the result calls it (with arguments not seen);
* ``None`` (or falling off the end): calling it fails; anything else is UNKNOWN.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from .facts import ANYTHING, Does
from .resolve import Target
from .summary_records import Site, Summary

if TYPE_CHECKING:
    from .summary import _Summariser


def result_summary(s: _Summariser) -> Summary:
    """The summary of calling what the top-level function ``s`` summarises returns."""
    built = _Result(s)
    built.collect()
    return Summary(
        qualname=s.qualname,
        where=s.where(s.node),
        evidence=tuple(built.evidence),
        sites=tuple(built.sites),
        param_calls=frozenset(built.param_calls),
        params=s.params,
        positional_count=s.positional_count,
        defaults=s._defaults(),
    )


class _Result:
    def __init__(self, s: _Summariser) -> None:
        self.s = s
        self.evidence: list[tuple[Does, str]] = []
        self.sites: list[Site] = []
        self.param_calls: set[int] = set()

    def note(self, does: Does, why: str, node: ast.AST) -> None:
        self.evidence.append((does, f"{self.s.where(node)} ({self.s.qualname}) {why}"))

    def collect(self) -> None:
        s = self.s
        node = s.node
        assert not isinstance(node, ast.Lambda)
        if s.generator or isinstance(node, ast.AsyncFunctionDef):
            kind = "coroutine" if isinstance(node, ast.AsyncFunctionDef) else "generator"
            self.note(Does.FAILS, f"returns a {kind}, which cannot be called", node)
            return
        if not node.body or not isinstance(node.body[-1], (ast.Return, ast.Raise)):
            self.note(Does.FAILS, "may return None, which cannot be called", node)
        for child in s.nodes:
            if isinstance(child, ast.Return):
                if child.value is None:
                    self.note(Does.FAILS, "returns None, which cannot be called", child)
                else:
                    self.value(child.value)

    def value(self, returned: ast.expr) -> None:
        """One returned expression (both branches of a conditional one)."""
        stack = [returned]
        while stack:
            expr = stack.pop()
            if isinstance(expr, ast.IfExp):
                stack.extend((expr.orelse, expr.body))
            elif isinstance(expr, ast.Lambda):
                self.merge(self.s.nested(expr, f"lambda returned by {self.s.qualname}"))
            elif isinstance(expr, ast.Name):
                self.name(expr)
            elif isinstance(expr, ast.Call):
                self.call(expr)
            elif isinstance(expr, ast.Attribute) and (target := self.s._module_chain(expr)) is not None:
                self.target(target, expr)
            elif isinstance(expr, ast.Constant) and expr.value is None:
                self.note(Does.FAILS, "returns None, which cannot be called", expr)
            else:
                self.note(ANYTHING,
                          f"returns a value ({type(expr).__name__.lower()}) that is not a function it builds", expr)

    def name(self, expr: ast.Name) -> None:
        s = self.s
        name = expr.id
        if name in s.param_index:
            self.param_calls.add(s.param_index[name])
            return
        if name in s.globals or name in s.nonlocals:
            self.note(ANYTHING, f"returns {name}, which some function rebinds", expr)
            return
        if name not in s.locals:
            self.target(s.resolver.free_name(s.scope, name), expr)
            return
        binders = s.binders.get(name, [])
        only = binders[0] if len(binders) == 1 else None
        if isinstance(only, (ast.FunctionDef, ast.AsyncFunctionDef)) and not only.decorator_list:
            inner = s.nested(only, f"{only.name} returned by {s.qualname}")
            if isinstance(only, ast.AsyncFunctionDef) or inner.generator:
                self.note(Does.LIVING_RESULT, f"returns {only.name}, whose calls make a coroutine or generator", expr)
            self.merge(inner)
        elif isinstance(only, ast.Assign) and isinstance(only.value, ast.Lambda) and len(only.targets) == 1:
            self.merge(s.nested(only.value, f"{name} returned by {s.qualname}"))
        else:
            self.note(ANYTHING, f"returns local {name}, not a function it builds", expr)

    def call(self, expr: ast.Call) -> None:
        s = self.s
        func = expr.func
        target: Target | None = None
        if isinstance(func, ast.Name) and func.id not in s.globals and not s._is_local(func.id):
            target = s.resolver.free_name(s.scope, func.id)
        elif isinstance(func, ast.Attribute):
            target = s._module_chain(func)
        if target is None:
            self.note(ANYTHING, "returns what a call of a value it cannot see returns", expr)
            return
        self.sites.append(s.call_site(target, expr, of_result=True))

    def target(self, target: Target, expr: ast.expr) -> None:
        """A module-level callable returned as it is: calling the result calls it, with
        arguments not seen here."""
        self.sites.append(Site(target, (), (), True, getattr(expr, "lineno", 0)))

    def merge(self, inner: Summary) -> None:
        self.evidence.extend(inner.evidence)
        self.sites.extend(inner.sites)
        self.param_calls.update(inner.param_calls)
