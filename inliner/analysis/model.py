"""The facts the analysis hands to the planner and to both rewriters."""

from __future__ import annotations

import ast
import dataclasses
from bisect import bisect_right
from dataclasses import dataclass, field

from ..precedence import SiteContext
from ..reasons import FallbackReason, KeepReason


@dataclass(slots=True, eq=False)
class Site:
    """One read of a candidate variable."""

    uid: int
    name: str
    node: ast.Name | ast.arg | ast.Global | ast.Nonlocal
    """The name read; a mention inside a nested scope (``captured``) may also be a
    parameter of that scope or its ``global``/``nonlocal`` declaration."""
    parent: ast.AST
    field: str
    index: int | None
    statement: Statement
    order: int
    """Position in the statement's evaluation order (comparable within one statement)."""
    prefix: int
    """Effects (:class:`Effect` bits) evaluated before this read within its statement."""
    depth: int
    """Nesting depth in the statement's expression (1: a top-level expression)."""
    context: SiteContext
    safe_position: bool
    """Evaluated exactly once, unconditionally, whenever the statement runs."""
    in_fstring: bool
    captured: bool = False
    """A mention inside a nested scope (lambda, comprehension body, nested def or class):
    the variable is captured, for as long as the code holding this mention stays."""
    after_read: int = 0
    """Effects evaluated after this read within its statement."""

    @property
    def read(self) -> ast.Name:
        """The name node of a read a value may move to (no captured mention is one)."""
        node = self.node
        if not isinstance(node, ast.Name):
            raise TypeError(f"the mention of {self.name!r} on line {node.lineno} is no read")
        return node


@dataclass(slots=True, eq=False)
class Statement:
    uid: int
    index: int
    suite: Suite
    node: ast.stmt
    effects: int = 0
    binds: frozenset[str] = frozenset()
    sites: list[Site] = field(default_factory=list)
    size: int = 1
    candidate: Candidate | None = None
    reachable: bool = True
    """False after a ``return``, ``raise``, ``break`` or ``continue`` of its block (or of
    a block around it): the statement never runs."""


@dataclass(slots=True, eq=False)
class Suite:
    """A block of statements: ``owner.field`` is the list they live in."""

    owner: ast.AST
    field: str
    # The attribute ``field`` hides dataclasses.field in this class's body (for mypy).
    statements: list[Statement] = dataclasses.field(default_factory=list)
    candidates: list[Candidate] = dataclasses.field(default_factory=list)
    binding_indices: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    """Statement indices binding each name."""
    has_effects: int = 0
    holder: Statement | None = None
    """The statement whose block this is (None for the function's body)."""

    def binds_between(self, names: frozenset[str], after: int, before: int) -> bool:
        """Whether a statement with index in ``(after, before)`` binds any of ``names``."""
        indices = self.binding_indices
        for name in names:
            positions = indices.get(name)
            if positions:
                k = bisect_right(positions, after)
                if k < len(positions) and positions[k] < before:
                    return True
        return False


@dataclass(slots=True, eq=False)
class Candidate:
    """A variable bound by exactly one plain assignment (whether or not it may be inlined)."""

    name: str
    statement: Statement
    value: ast.expr
    effects: int
    trivial: bool
    """The value is a name or a constant."""
    names_read: frozenset[str]
    """The names the value reads that the function binds (only those can be rebound
    between the definition and a read)."""
    height: int
    size: int
    living: bool = False
    """The value's object may be seen dying (see :mod:`inliner.analysis.lifetime`)."""
    origin: str = ""
    """When the value is a call: what is known of its callee, in a few words."""
    sites: list[Site] = field(default_factory=list)
    excluded: KeepReason | None = None

    @property
    def assignment(self) -> ast.Assign:
        """The assignment that binds the variable (a candidate is made only from one:
        ``name = value``, a single plain name as its target)."""
        node = self.statement.node
        if not isinstance(node, ast.Assign):
            raise TypeError(f"candidate {self.name!r} is bound by a {type(node).__name__}, not an assignment")
        return node


@dataclass(slots=True, eq=False)
class FunctionAnalysis:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    qualname: str
    suites: list[Suite]
    statements: list[Statement]
    sites: list[Site]
    candidates: list[Candidate]
    kept_without_candidate: list[tuple[str, int, KeepReason]]
    """Plainly assigned names that are no candidates at all (bound several times, ...)."""
    size: int
    skipped: FallbackReason | None = None
    skip_detail: str | None = None

    def unlink(self) -> None:
        """Break the references that point back up (block to statement, statement to its
        reads and candidate), once nothing will read them again. Without cycles the whole
        analysis is freed the moment it is dropped, instead of waiting for the garbage
        collector, whose every pass also sweeps everything else the process holds."""
        for suite in self.suites:
            suite.statements = []
            suite.candidates = []
            suite.holder = None
        for statement in self.statements:
            statement.sites = []
            statement.candidate = None
