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
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from ..deadline import Deadline
from ..effects import Effect
from ..precedence import SiteContext, site_context
from ..reasons import KeepReason
from ..source import FAST_PATH_DEPTH
from .lifetime import holds_living, origin_of, settle
from .model import Candidate, FunctionAnalysis, Site, Statement, Suite
from .scope import DYNAMIC_NAMES, is_frame_marker, not_a_candidate, parameter_names, sees_locals
from .visibility import ModuleNames, NameVisibility

_DYNAMIC = DYNAMIC_NAMES
"""Names through which a function may see its locals: the general walker judges them."""

_DEPTH_LIMIT = FAST_PATH_DEPTH

_ARGUMENT = site_context(ast.Call(ast.Name("f"), [], []), "args", 0)
"""The context of a call's argument, the read generated code holds most."""
_MAY_RAISE = int(Effect.MAY_RAISE)
_CALL = int(Effect.CALL)
_UNKNOWN_CALL = int(Effect.CALL | Effect.ESCAPE)

_Name, _Call, _Constant, _Attribute, _UnaryOp = ast.Name, ast.Call, ast.Constant, ast.Attribute, ast.UnaryOp
_Assign, _Expr, _Return, _Load = ast.Assign, ast.Expr, ast.Return, ast.Load

# Typing in the walks below: they test ``kind = type(node)`` once against each class (the
# fastest dispatch, and exact: no subclass of an ast node class is expected). mypy does not
# narrow ``node`` through ``kind``, so each branch names the type it has just checked, for
# mypy alone: ``if TYPE_CHECKING: assert isinstance(...)`` costs next to nothing where
# ``typing.cast``, a call, made the read-counting walk 15% slower (a call once per
# statement, 4%). Code run once per function uses ``cast``.

_Straight = ast.Assign | ast.Expr | ast.Return
"""A statement of a straight-line body, as :func:`_assignments` accepts them."""


class _NotStraight(Exception):
    """The function holds something this pass does not model."""


def _assignments(body: list[ast.stmt]) -> tuple[dict[str, int], dict[str, ast.Assign]] | None:
    """How often each name is assigned, and its last assignment; None unless every
    statement is ``name = value`` (a single plain name as its target), an expression
    statement or a return: a :data:`_Straight`, which :func:`_straight` then names."""
    counts: dict[str, int] = {}
    last_assignment: dict[str, ast.Assign] = {}
    last = len(body) - 1
    for position, statement_node in enumerate(body):
        kind = type(statement_node)
        if kind is _Return and position != last:
            return None  # code after it never runs: the general walker marks it so
        if kind is _Assign:
            if TYPE_CHECKING:
                assert isinstance(statement_node, ast.Assign)
            targets = statement_node.targets
            if len(targets) != 1 or type(targets[0]) is not _Name:
                return None
            name = targets[0].id
            counts[name] = counts.get(name, 0) + 1
            last_assignment[name] = statement_node
        elif kind is not _Return and kind is not _Expr:
            return None
    return counts, last_assignment


def _straight(body: list[ast.stmt]) -> list[_Straight]:
    """``body`` with the type :func:`_assignments` checked it has (call it only once that
    returned a shape)."""
    return cast(list[_Straight], body)


def _kept_without_candidate(last_assignment: dict[str, ast.Assign],
                            candidates: Collection[str]) -> list[tuple[str, int, KeepReason]]:
    return [(name, assignment.lineno, not_a_candidate(name))
            for name, assignment in last_assignment.items() if name not in candidates]


def _rebinding(body: list[_Straight], counts: dict[str, int], params: frozenset[str]) -> set[str]:
    """The names whose stores may end the life of an object they held (see
    :meth:`inliner.analysis.scope.ScopeFacts.rebinds`)."""
    constants: dict[str, int] = {}
    for statement_node in body:
        if type(statement_node) is _Assign and type(statement_node.value) is _Constant:
            target = statement_node.targets[0]
            if TYPE_CHECKING:
                assert isinstance(target, ast.Name)  # checked by _assignments
            name = target.id
            constants[name] = constants.get(name, 0) + 1
    return {name for name, count in counts.items()
            if name in params or (count > 1 and constants.get(name, 0) != count)}


def _is_candidate(name: str, count: int, params: frozenset[str]) -> bool:
    return count == 1 and name not in params and not is_frame_marker(name)


class _Pass:
    """One walk over one function, keeping the state the general walker keeps: the events
    of the statement being walked (``order``, ``prefix``), the names its value reads
    (``names``, for a candidate's value) and its measures. ``nodes`` counts every node
    (and keyword) walked and ``deepest`` is the greatest depth reached: an expression
    walked from depth 1 is as high as the deepest depth in it."""

    __slots__ = ("bound", "candidate_names", "locals_", "definitely_bound", "visibility", "reads_matter",
                 "noted", "sites", "statement", "order", "prefix", "names", "nodes", "deepest", "orders",
                 "bits", "calls_known")

    def __init__(self, bound: dict[str, int], candidate_names: frozenset[str], locals_: set[str],
                 definitely_bound: set[str], visibility: NameVisibility) -> None:
        self.bound = bound
        self.candidate_names = candidate_names
        self.locals_ = locals_
        self.definitely_bound = definitely_bound
        """Parameters, and names whose first assignment has been passed."""
        self.visibility = visibility
        self.reads_matter = visibility.reads_matter
        self.noted: frozenset[str] | None = (
            None if visibility.reads_matter else frozenset(bound) | frozenset(locals_ - definitely_bound) | _DYNAMIC)
        """The names whose reads may record anything (None: any name may): a parameter
        never rebound is always bound and never rebound between a value and its read, and no
        global's read is an event here."""
        self.sites: list[Site] = []
        self.statement: Statement
        self.order = self.prefix = self.nodes = self.deepest = 0
        self.names: set[str] | None = None
        self.orders: list[int] = []
        self.bits: list[int] = []
        """The events of the statement being walked that have effect bits, in order."""
        self.calls_known = visibility.knows_calls

    def event(self, bits: int) -> None:
        self.order += 1
        if bits:
            self.prefix |= bits
            self.orders.append(self.order)
            self.bits.append(bits)

    def expr(self, node: ast.expr, parent: ast.AST, field: str, index: int | None, depth: int) -> None:
        """Record what evaluating ``node`` does. Every position here is evaluated exactly
        once, unconditionally."""
        kind = type(node)
        if depth > _DEPTH_LIMIT:
            raise _NotStraight
        if kind is _Call:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Call)
            self.call(node, depth)
            return
        self.nodes += 1
        if depth > self.deepest:
            self.deepest = depth
        if kind is _Name:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Name)
            self.read(node, parent, field, index, depth)
        elif kind is _Constant:
            pass
        elif kind is _Attribute:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Attribute)
            if type(node.ctx) is not _Load or sees_locals(node):
                raise _NotStraight
            self.expr(node.value, node, "value", None, depth + 1)
            self.event(_MAY_RAISE)
        elif kind is _UnaryOp:
            if TYPE_CHECKING:
                assert isinstance(node, ast.UnaryOp)
            self.expr(node.operand, node, "operand", None, depth + 1)
            self.event(_MAY_RAISE)
        else:
            raise _NotStraight

    def call(self, node: ast.Call, depth: int) -> None:
        if depth > _DEPTH_LIMIT:
            raise _NotStraight
        deeper = depth + 1
        if deeper > self.deepest:
            self.deepest = deeper  # the function's own expression, at least
        noted = self.noted
        nodes = 1
        function = node.func
        if type(function) is _Name and noted is not None and function.id not in noted:
            nodes += 1
        else:
            self.expr(function, node, "func", None, deeper)
        position = 0
        for argument in node.args:
            kind = type(argument)
            if kind is _Name:
                if TYPE_CHECKING:
                    assert isinstance(argument, ast.Name)
                nodes += 1
                if noted is None or argument.id in noted:
                    self.read(argument, node, "args", position, deeper, _ARGUMENT)
            elif kind is _Call:
                if TYPE_CHECKING:
                    assert isinstance(argument, ast.Call)
                self.call(argument, deeper)
            else:
                self.expr(argument, node, "args", position, deeper)
            position += 1
        for keyword in node.keywords:
            nodes += 1
            self.expr(keyword.value, keyword, "value", None, deeper)
            if keyword.arg is None:
                self.event(_CALL)
        self.nodes += nodes
        self.event(self.visibility.call(node).effect if self.calls_known else _UNKNOWN_CALL)

    def read(self, node: ast.Name, parent: ast.AST, field: str, index: int | None, depth: int,
             context: SiteContext | None = None) -> None:
        if type(node.ctx) is not _Load:
            raise _NotStraight
        name = node.id
        if name in _DYNAMIC:
            raise _NotStraight
        if self.names is not None and name in self.bound:
            self.names.add(name)
        if name in self.candidate_names:
            self.order += 1
            sites = self.sites
            site = Site(uid=len(sites), name=name, node=node, parent=parent, field=field, index=index,
                        statement=self.statement, order=self.order, prefix=self.prefix, depth=depth,
                        context=context or site_context(parent, field, index), safe_position=True,
                        in_fstring=False)
            sites.append(site)
            self.statement.sites.append(site)
        if name in self.locals_ and name not in self.definitely_bound:
            self.event(_MAY_RAISE)
        if self.reads_matter:
            effect = self.visibility.read_effect(name)
            if effect:
                self.event(effect)

    def measure(self, value: ast.expr, statement: ast.stmt) -> int:
        """Walk a statement's value; its size (its height is then ``deepest``)."""
        self.nodes = self.deepest = 0
        self.expr(value, statement, "value", None, 1)
        return self.nodes


def analyse_straight_line(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, deadline: Deadline,
                          module: ModuleNames, unit_nonlocal: frozenset[str],
                          enclosing: frozenset[str]) -> FunctionAnalysis | None:
    """The analysis of ``node`` if it is straight-line (see the module's text), else None."""
    shape = _assignments(node.body)
    if shape is None:
        return None
    counts, last_assignment = shape
    params = parameter_names(node.args)
    candidate_names = frozenset(name for name, count in counts.items() if _is_candidate(name, count, params))
    locals_ = {*counts, *params}
    visibility = NameVisibility(
        declared=frozenset(), captured=frozenset(), seen_after_exceptions=frozenset(), locals_=locals_,
        unit_nonlocal=unit_nonlocal, enclosing=enclosing, module=module,
    )
    visibility.learn_pure_locals(last_assignment, lambda name: counts[name] == 1 and name not in params)
    walk = _Pass(counts, candidate_names, locals_, set(params), visibility)
    rebinding = _rebinding(_straight(node.body), counts, params)
    suite = Suite(owner=node, field="body")
    statements = suite.statements
    candidates = suite.candidates
    binding_indices = suite.binding_indices
    total = 1
    try:
        for index, statement_node in enumerate(_straight(node.body)):
            statement = Statement(uid=index, index=index, suite=suite, node=statement_node)
            statements.append(statement)
            walk.statement = statement
            walk.order = walk.prefix = 0
            walk.orders, walk.bits = [], []
            value = statement_node.value
            if type(statement_node) is _Assign:
                target = statement_node.targets[0]
                if TYPE_CHECKING:
                    assert value is not None and isinstance(target, ast.Name)  # checked by _assignments
                name = target.id
                if name in candidate_names:
                    names: set[str] = set()
                    walk.names = names
                    try:
                        size = walk.measure(value, statement_node)
                    finally:
                        walk.names = None
                    candidate = Candidate(
                        name=name, statement=statement, value=value, effects=walk.prefix,
                        trivial=type(value) is _Name or type(value) is _Constant, names_read=frozenset(names),
                        height=walk.deepest, size=size, living=holds_living(value, visibility.call),
                        origin=origin_of(value, visibility.call),
                    )
                    statement.candidate = candidate
                    candidates.append(candidate)
                else:
                    size = walk.measure(value, statement_node)
                    if name in rebinding:
                        walk.event(_CALL)  # the object the name held may die here
                walk.definitely_bound.add(name)
                statement.size = size + 2
                statement.binds = frozenset((name,))
                binding_indices.setdefault(name, []).append(index)
            elif value is None:
                statement.size = 1
            else:
                statement.size = 1 + walk.measure(value, statement_node)
            settle(statement.sites, walk.orders, walk.bits)
            statement.effects = walk.prefix
            suite.has_effects |= walk.prefix
            total += statement.size
    except _NotStraight:
        return None
    # Checked once it has succeeded: a function it hands over is checked by the general
    # walker alone, and one whose locals are dynamic is skipped without a check.
    deadline.check()
    sites = walk.sites
    by_name = {c.name: c for c in candidates}
    for site in sites:
        by_name[site.name].sites.append(site)
    return FunctionAnalysis(
        node=node, qualname=qualname, suites=[suite], statements=statements, sites=sites,
        candidates=candidates, kept_without_candidate=_kept_without_candidate(last_assignment, candidate_names),
        size=total,
    )


@dataclass(frozen=True, slots=True)
class ReadCounts:
    """How the variables of a straight-line function are read, without recording where:
    enough for the planner when no variable can be inlined (see
    :func:`inliner.plan.kept_without_sites`)."""

    statements: int
    kept_without_candidate: list[tuple[str, int, KeepReason]]
    candidates: list[tuple[str, int, int, bool]]
    """Per candidate, in definition order: its name, its assignment's line, how many
    times it is read, and whether a read comes at or before its assignment."""


def count_reads(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ReadCounts | None:
    """The :class:`ReadCounts` of ``node`` if it is straight-line, else None: it accepts
    exactly what :func:`analyse_straight_line` accepts."""
    shape = _assignments(node.body)
    if shape is None:
        return None
    counts, last_assignment = shape
    params = parameter_names(node.args)
    reads = {name: 0 for name, count in counts.items() if _is_candidate(name, count, params)}
    early: set[str] = set()
    defined: set[str] = set()
    try:
        for statement_node in _straight(node.body):
            value = statement_node.value
            if value is not None:
                _count((value,), 1, reads, defined, early)
            if type(statement_node) is _Assign:
                target = statement_node.targets[0]
                if TYPE_CHECKING:
                    assert isinstance(target, ast.Name)  # checked by _assignments
                defined.add(target.id)
    except _NotStraight:
        return None
    return ReadCounts(
        statements=len(node.body),
        kept_without_candidate=_kept_without_candidate(last_assignment, reads),
        candidates=[(name, last_assignment[name].lineno, number, name in early) for name, number in reads.items()],
    )


def _count(parts: Iterable[ast.expr], depth: int, reads: dict[str, int], defined: set[str],
           early: set[str]) -> None:
    """Count the reads of each name in ``reads`` within ``parts`` at ``depth`` (``early``:
    those read before their definition); raise _NotStraight where analyse_straight_line
    would."""
    if depth > _DEPTH_LIMIT:
        raise _NotStraight
    deeper = depth + 1
    for node in parts:
        kind = type(node)
        if kind is _Name:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Name)
            name = node.id
            if name in _DYNAMIC or type(node.ctx) is not _Load:
                raise _NotStraight
            if name in reads:
                reads[name] += 1
                if name not in defined:
                    early.add(name)
        elif kind is _Call:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Call)
            _count((node.func, *node.args), deeper, reads, defined, early)
            if node.keywords:
                _count([keyword.value for keyword in node.keywords], deeper, reads, defined, early)
        elif kind is _Attribute:
            if TYPE_CHECKING:
                assert isinstance(node, ast.Attribute)
            if type(node.ctx) is not _Load or sees_locals(node):
                raise _NotStraight
            _count((node.value,), deeper, reads, defined, early)
        elif kind is _UnaryOp:
            if TYPE_CHECKING:
                assert isinstance(node, ast.UnaryOp)
            _count((node.operand,), deeper, reads, defined, early)
        elif kind is not _Constant:
            raise _NotStraight

