"""The facts the analysis hands to the planner and to both rewriters."""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass, field

from ..precedence import SiteContext
from ..reasons import FallbackReason, KeepReason


@dataclass(slots=True, eq=False)
class Site:
    """One read of a candidate variable."""

    uid: int
    name: str
    node: ast.Name
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
    statements: list[Statement] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    binding_indices: dict[str, list[int]] = field(default_factory=dict)
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
