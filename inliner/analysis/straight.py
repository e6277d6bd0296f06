"""The analysis of a straight-line function, in one pass: the shape of every generated
solver and differ.

A function is straight-line when its body holds only ``name = value`` assignments,
expression statements and returns, and every expression in it is made of names,
constants, calls (without ``*args``), attribute reads and unary operators. For such a function the
general walker (:mod:`inliner.analysis.scan`) has no blocks, nested scopes or
exception paths to follow; this module records exactly the facts it would record (the
same sites, effects, candidates and sizes, in the same order) without its machinery.
Anything else returns None, and the general walker analyses the function.
"""

from __future__ import annotations

import ast

from ..deadline import Deadline
from ..effects import Effect
from ..precedence import site_context
from ..reasons import KeepReason
from .model import Candidate, FunctionAnalysis, Site, Statement, Suite
from .scope import parameter_names
from .shared import ModuleNames, NameVisibility

_DYNAMIC = frozenset({"locals", "eval", "exec", "vars", "dir", "super"})
"""Names through which a function may see its locals: the general walker judges them."""

_MAY_RAISE = int(Effect.MAY_RAISE)
_CALL = int(Effect.CALL)

_Name, _Call, _Constant, _Attribute, _UnaryOp = ast.Name, ast.Call, ast.Constant, ast.Attribute, ast.UnaryOp
_Assign, _Expr, _Return = ast.Assign, ast.Expr, ast.Return


class _NotStraight(Exception):
    """The function holds something this pass does not model."""


class _Pass:
    """The state of one pass over one function (as the general walker keeps it).

    Sizes and heights are counted as the general walker measures them: ``nodes`` counts
    every node (and keyword) walked, ``deepest`` is the greatest depth reached, so an
    expression walked from depth 1 is as high as the deepest depth in it."""

    __slots__ = ("candidate_names", "locals_", "definitely_bound", "visibility", "read_effects",
                 "noted", "sites", "statement", "order", "prefix", "names", "nodes", "deepest")

    def __init__(self, candidate_names: frozenset[str], locals_: set[str], definitely_bound: set[str],
                 visibility: NameVisibility) -> None:
        self.candidate_names = candidate_names
        self.locals_ = locals_
        self.definitely_bound = definitely_bound
        """Parameters never rebound, and candidates whose definition has been passed."""
        self.visibility = visibility
        self.read_effects: dict[str, int] | None = {} if visibility.reads_matter else None
        self.noted: frozenset[str] | None = (
            None if visibility.reads_matter else frozenset(locals_ - definitely_bound) | _DYNAMIC)
        """The names whose reads may record more than the name (None: any name may): a
        parameter never rebound is always bound, and a global's read is no event here."""
        self.sites: list[Site] = []
        self.statement: Statement
        self.order = 0
        self.prefix = 0
        self.names: set[str] | None = None
        self.nodes = 0
        self.deepest = 0

    def expr(self, node: ast.expr, parent: ast.AST, field: str, index: int | None, depth: int) -> None:
        """Record what evaluating ``node`` does. Every position here is evaluated exactly
        once, unconditionally."""
        kind = type(node)
        if kind is _Call:
            self.call(node, depth)  # type: ignore[arg-type]
            return
        self.nodes += 1
        if depth > self.deepest:
            self.deepest = depth
        if kind is _Name:
            self.read(node, parent, field, index, depth)  # type: ignore[arg-type]
        elif kind is _Constant:
            pass
        elif kind is _Attribute and type(node.ctx) is ast.Load:  # type: ignore[attr-defined]
            self.expr(node.value, node, "value", None, depth + 1)  # type: ignore[attr-defined]
            self.order += 1
            self.prefix |= _MAY_RAISE
        elif kind is _UnaryOp:
            self.expr(node.operand, node, "operand", None, depth + 1)  # type: ignore[attr-defined]
            self.order += 1
            self.prefix |= _MAY_RAISE
        else:
            raise _NotStraight

    def call(self, node: ast.Call, depth: int) -> None:
        self.nodes += 1
        deeper = depth + 1
        if deeper > self.deepest:
            self.deepest = deeper  # the function's own expression, at least
        noted, names = self.noted, self.names
        function = node.func
        if type(function) is _Name and noted is not None and function.id not in noted:
            self.nodes += 1
            if names is not None:
                names.add(function.id)
        else:
            self.expr(function, node, "func", None, deeper)
        for position, argument in enumerate(node.args):
            if type(argument) is _Name:
                self.nodes += 1
                if noted is None or argument.id in noted:
                    self.read(argument, node, "args", position, deeper)
                elif names is not None:
                    names.add(argument.id)
            else:
                self.expr(argument, node, "args", position, deeper)
        for keyword in node.keywords:
            self.nodes += 1
            self.expr(keyword.value, keyword, "value", None, deeper)
            if keyword.arg is None:
                self.order += 1
                self.prefix |= _CALL
        self.order += 1
        self.prefix |= _CALL

    def measure(self, value: ast.expr, statement: ast.stmt) -> tuple[int, int]:
        """Walk a statement's value; its (height, size)."""
        self.nodes = self.deepest = 0
        self.expr(value, statement, "value", None, 1)
        return self.deepest, self.nodes

    def read(self, node: ast.Name, parent: ast.AST, field: str, index: int | None, depth: int) -> None:
        if type(node.ctx) is not ast.Load:
            raise _NotStraight
        name = node.id
        if name in _DYNAMIC:
            raise _NotStraight
        if self.names is not None:
            self.names.add(name)
        if name in self.candidate_names:
            self.order += 1
            statement = self.statement
            sites = self.sites
            # Positionally, in Site's field order: uid, name, node, parent, field, index,
            # statement, order, prefix, depth, context, safe_position, in_fstring.
            site = Site(len(sites), name, node, parent, field, index, statement, self.order, self.prefix,
                        depth, site_context(parent, field, index), True, False)
            sites.append(site)
            statement.sites.append(site)
        if name in self.locals_ and name not in self.definitely_bound:
            self.order += 1
            self.prefix |= _MAY_RAISE
        read_effects = self.read_effects
        if read_effects is not None:
            effect = read_effects.get(name)
            if effect is None:
                effect = read_effects[name] = self.visibility.read_effect(name)
            if effect:
                self.order += 1
                self.prefix |= effect


def analyse_straight_line(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, deadline: Deadline,
                          module: ModuleNames, unit_nonlocal: frozenset[str],
                          unit_bound: frozenset[str]) -> FunctionAnalysis | None:
    """The analysis of ``node`` if it is straight-line (see the module's text), else None."""
    body = node.body
    counts: dict[str, int] = {}
    last_assignment: dict[str, ast.Assign] = {}
    for statement in body:
        kind = type(statement)
        if kind is _Assign:
            targets = statement.targets  # type: ignore[attr-defined]
            if len(targets) != 1 or type(targets[0]) is not _Name:
                return None
            name = targets[0].id
            counts[name] = counts.get(name, 0) + 1
            last_assignment[name] = statement  # type: ignore[assignment]
        elif kind is not _Return and kind is not _Expr:
            return None
    params = parameter_names(node.args)
    candidate_names = frozenset(name for name, count in counts.items() if count == 1 and name not in params)
    kept_without_candidate = [
        (name, assignment.lineno, KeepReason.MULTIPLE_BINDINGS)
        for name, assignment in last_assignment.items() if name not in candidate_names
    ]
    locals_ = {*counts, *params}
    visibility = NameVisibility(
        declared=frozenset(), captured=frozenset(), seen_after_exceptions=frozenset(), locals_=locals_,
        unit_nonlocal=unit_nonlocal, unit_bound=unit_bound, module=module,
    )
    walk = _Pass(candidate_names, locals_, {p for p in params if p not in counts}, visibility)
    suite = Suite(owner=node, field="body")
    statements = suite.statements
    candidates = suite.candidates
    binding_indices = suite.binding_indices
    total = 1
    try:
        for index, statement_node in enumerate(body):
            deadline.check()
            statement = Statement(index, index, suite, statement_node)  # uid, index, suite, node
            statements.append(statement)
            walk.statement = statement
            walk.order = walk.prefix = 0
            value = statement_node.value  # type: ignore[attr-defined]
            if type(statement_node) is _Assign:
                name = statement_node.targets[0].id  # type: ignore[attr-defined]
                if name in candidate_names:
                    names: set[str] = set()
                    walk.names = names
                    try:
                        height, size = walk.measure(value, statement_node)
                    finally:
                        walk.names = None
                    candidate = Candidate(  # name, statement, value, effects, trivial, names_read, height, size
                        name, statement, value, walk.prefix, type(value) is _Name or type(value) is _Constant,
                        frozenset(names), height, size,
                    )
                    statement.candidate = candidate
                    candidates.append(candidate)
                else:
                    size = walk.measure(value, statement_node)[1]
                statement.size = size + 2
                statement.binds = frozenset((name,))
                binding_indices.setdefault(name, []).append(index)
                if name in candidate_names:
                    walk.definitely_bound.add(name)
            elif value is None:
                statement.size = 1
            else:
                statement.size = 1 + walk.measure(value, statement_node)[1]
            statement.effects = walk.prefix
            suite.has_effects |= walk.prefix
            total += statement.size
    except _NotStraight:
        return None
    sites = walk.sites
    by_name = {c.name: c for c in candidates}
    for site in sites:
        by_name[site.name].sites.append(site)
    return FunctionAnalysis(
        node=node, qualname=qualname, suites=[suite], statements=statements, sites=sites,
        candidates=candidates, kept_without_candidate=kept_without_candidate, size=total,
    )
