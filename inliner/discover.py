"""Find the functions of a module, at any depth, with their qualified names."""

from __future__ import annotations

import ast
from dataclasses import dataclass

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class FoundFunction:
    node: FunctionNode
    qualname: str
    unit: int
    """Index in the module's body of the top-level statement that contains the function."""
    enclosing: tuple[FunctionNode, ...] = ()
    """The functions around it, outermost first (its free variables live in them)."""


_WITHOUT_SUITES = frozenset({
    ast.Assign, ast.Expr, ast.Return, ast.AugAssign, ast.AnnAssign, ast.Pass, ast.Break,
    ast.Continue, ast.Raise, ast.Delete, ast.Assert, ast.Import, ast.ImportFrom, ast.Global,
    ast.Nonlocal,
})
"""Statements that hold no block of statements (the bulk of every module)."""


def _child_suites(statement: ast.stmt) -> list[list[ast.stmt]]:
    if type(statement) in _WITHOUT_SUITES:
        return []
    suites = [getattr(statement, name) for name in ("body", "orelse", "finalbody")
              if isinstance(getattr(statement, name, None), list)]
    suites += [handler.body for handler in getattr(statement, "handlers", ())]
    suites += [case.body for case in getattr(statement, "cases", ())]
    return suites


def find_functions(tree: ast.Module) -> list[FoundFunction]:
    found: list[FoundFunction] = []
    stack: list[tuple[list[ast.stmt], str, int | None, tuple[FunctionNode, ...]]] = [(tree.body, "", None, ())]
    while stack:
        body, prefix, unit, enclosing = stack.pop()
        for position, statement in enumerate(body):
            owner = position if unit is None else unit
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                qualname = prefix + statement.name
                found.append(FoundFunction(statement, qualname, owner, enclosing))
                stack.append((statement.body, qualname + ".<locals>.", owner, (*enclosing, statement)))
            elif isinstance(statement, ast.ClassDef):
                stack.append((statement.body, prefix + statement.name + ".", owner, enclosing))
            else:
                for suite in _child_suites(statement):
                    stack.append((suite, prefix, owner, enclosing))
    found.sort(key=lambda f: (f.node.lineno, f.node.col_offset))
    return found


def has_plain_assignment(function: FunctionNode) -> bool:
    """A cheap first look: does the function's own code assign to a plain name?"""
    stack = [function.body]
    while stack:
        for statement in stack.pop():
            if isinstance(statement, ast.Assign):
                if len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
                    return True
            elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.extend(_child_suites(statement))
    return False
