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
_Assign, _Expr, _Return, _Load = ast.Assign, ast.Expr, ast.Return, ast.Load


class _NotStraight(Exception):
    """The function holds something this pass does not model."""


def analyse_straight_line(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, deadline: Deadline,
                          module: ModuleNames, unit_nonlocal: frozenset[str],
                          unit_bound: frozenset[str]) -> FunctionAnalysis | None:
    """The analysis of ``node`` if it is straight-line (see the module's text), else None."""
    body = node.body
    counts: dict[str, int] = {}
    last_assignment: dict[str, ast.Assign] = {}
    for statement_node in body:
        kind = type(statement_node)
        if kind is _Assign:
            targets = statement_node.targets  # type: ignore[attr-defined]
            if len(targets) != 1 or type(targets[0]) is not _Name:
                return None
            name = targets[0].id
            counts[name] = counts.get(name, 0) + 1
            last_assignment[name] = statement_node  # type: ignore[assignment]
        elif kind is not _Return and kind is not _Expr:
            return None
    params = parameter_names(node.args)
    candidate_names = frozenset(name for name, count in counts.items() if count == 1 and name not in params)
    kept_without_candidate = [
        (name, assignment.lineno, KeepReason.MULTIPLE_BINDINGS)
        for name, assignment in last_assignment.items() if name not in candidate_names
    ]
    locals_ = {*counts, *params}
    definitely_bound = {p for p in params if p not in counts}
    """Parameters never rebound, and candidates whose definition has been passed."""
    visibility = NameVisibility(
        declared=frozenset(), captured=frozenset(), seen_after_exceptions=frozenset(), locals_=locals_,
        unit_nonlocal=unit_nonlocal, unit_bound=unit_bound, module=module,
    )
    read_effects: dict[str, int] | None = {} if visibility.reads_matter else None
    noted = None if read_effects is not None else frozenset(locals_ - definitely_bound) | _DYNAMIC
    """The names whose reads may record more than the name (None: any name may): a
    parameter never rebound is always bound, and no global's read is an event here."""
    sites: list[Site] = []
    suite = Suite(owner=node, field="body")

    # The state of the statement being walked, as the general walker keeps it: events
    # (``order``, ``prefix``), the names its value reads (``names``, for a candidate's
    # value), and its measures. ``nodes`` counts every node (and keyword) walked and
    # ``deepest`` is the greatest depth reached: an expression walked from depth 1 is as
    # high as the deepest depth in it.
    statement: Statement
    order = prefix = nodes = deepest = 0
    names: set[str] | None = None

    def read(name_node: ast.Name, parent: ast.AST, field: str, index: int | None, depth: int) -> None:
        nonlocal order, prefix
        if type(name_node.ctx) is not _Load:
            raise _NotStraight
        name = name_node.id
        if name in _DYNAMIC:
            raise _NotStraight
        if names is not None:
            names.add(name)
        if name in candidate_names:
            order += 1
            # Positionally, in Site's field order: uid, name, node, parent, field, index,
            # statement, order, prefix, depth, context, safe_position, in_fstring.
            site = Site(len(sites), name, name_node, parent, field, index, statement, order, prefix,
                        depth, site_context(parent, field, index), True, False)
            sites.append(site)
            statement.sites.append(site)
        if name in locals_ and name not in definitely_bound:
            order += 1
            prefix |= _MAY_RAISE
        if read_effects is not None:
            effect = read_effects.get(name)
            if effect is None:
                effect = read_effects[name] = visibility.read_effect(name)
            if effect:
                order += 1
                prefix |= effect

    def call(call_node: ast.Call, depth: int) -> None:
        nonlocal order, prefix, nodes, deepest
        deeper = depth + 1
        if deeper > deepest:
            deepest = deeper  # the function's own expression, at least
        nodes += 1
        function = call_node.func
        if type(function) is _Name and noted is not None and function.id not in noted:
            nodes += 1
            if names is not None:
                names.add(function.id)
        else:
            expr(function, call_node, "func", None, deeper)
        position = 0
        for argument in call_node.args:
            kind = type(argument)
            if kind is _Name:
                nodes += 1
                if noted is None or argument.id in noted:
                    read(argument, call_node, "args", position, deeper)
                elif names is not None:
                    names.add(argument.id)
            elif kind is _Call:
                call(argument, deeper)
            else:
                expr(argument, call_node, "args", position, deeper)
            position += 1
        for keyword in call_node.keywords:
            nodes += 1
            expr(keyword.value, keyword, "value", None, deeper)
            if keyword.arg is None:
                order += 1
                prefix |= _CALL
        order += 1
        prefix |= _CALL

    def expr(expression: ast.expr, parent: ast.AST, field: str, index: int | None, depth: int) -> None:
        """Record what evaluating ``expression`` does. Every position here is evaluated
        exactly once, unconditionally."""
        nonlocal order, prefix, nodes, deepest
        kind = type(expression)
        if kind is _Call:
            call(expression, depth)  # type: ignore[arg-type]
            return
        nodes += 1
        if depth > deepest:
            deepest = depth
        if kind is _Name:
            read(expression, parent, field, index, depth)  # type: ignore[arg-type]
        elif kind is _Constant:
            pass
        elif kind is _Attribute and type(expression.ctx) is _Load:  # type: ignore[attr-defined]
            expr(expression.value, expression, "value", None, depth + 1)  # type: ignore[attr-defined]
            order += 1
            prefix |= _MAY_RAISE
        elif kind is _UnaryOp:
            expr(expression.operand, expression, "operand", None, depth + 1)  # type: ignore[attr-defined]
            order += 1
            prefix |= _MAY_RAISE
        else:
            raise _NotStraight

    statements = suite.statements
    candidates = suite.candidates
    binding_indices = suite.binding_indices
    total = 1
    try:
        for index, statement_node in enumerate(body):
            deadline.check()
            statement = Statement(index, index, suite, statement_node)  # uid, index, suite, node
            statements.append(statement)
            order = prefix = nodes = deepest = 0
            value = statement_node.value  # type: ignore[attr-defined]
            if type(statement_node) is _Assign:
                name = statement_node.targets[0].id  # type: ignore[attr-defined]
                if name in candidate_names:
                    names = set()
                    try:
                        expr(value, statement_node, "value", None, 1)
                    finally:
                        read_names, names = names, None
                    candidate = Candidate(  # name, statement, value, effects, trivial, names_read, height, size
                        name, statement, value, prefix, type(value) is _Name or type(value) is _Constant,
                        frozenset(read_names), deepest, nodes,
                    )
                    statement.candidate = candidate
                    candidates.append(candidate)
                    definitely_bound.add(name)
                else:
                    expr(value, statement_node, "value", None, 1)
                statement.size = nodes + 2
                statement.binds = frozenset((name,))
                binding_indices.setdefault(name, []).append(index)
            elif value is None:
                statement.size = 1
            else:
                expr(value, statement_node, "value", None, 1)
                statement.size = nodes + 1
            statement.effects = prefix
            suite.has_effects |= prefix
            total += statement.size
    except _NotStraight:
        return None
    by_name = {c.name: c for c in candidates}
    for site in sites:
        by_name[site.name].sites.append(site)
    return FunctionAnalysis(
        node=node, qualname=qualname, suites=[suite], statements=statements, sites=sites,
        candidates=candidates, kept_without_candidate=kept_without_candidate, size=total,
    )
