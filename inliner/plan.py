"""Decide which candidates to inline, within the options' policy and budgets.

Candidates of a block are decided last-defined first. When a variable is decided, every
later one already sits where it will end up, so "what would this expression move across"
is a question about the code as it will be, not as it was. Each decision costs time in
proportion to the variable's reads (plus a logarithmic range query), so planning is linear
in the size of the function; nothing recurses.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

from .analysis import Candidate, FunctionAnalysis, Site, Statement, Suite
from .analysis.straight import ReadCounts
from .compile_warnings import warns_at
from .deadline import NO_DEADLINE, Deadline
from .effects import OBSERVES_DEATH, Effect, barrier_for, shared_barrier_for, uncopyable_for, undroppable_for
from .line_width import LineWidths
from .options import InlineOptions
from .reasons import KeepReason

_INFINITY = 1 << 62
_WORK = (ast.Call, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda, ast.Await,
         ast.Yield, ast.YieldFrom, ast.FormattedValue)
"""Nodes whose evaluation is work to be done again at each copy (or a new object each time)."""
_WARNING_PRONE = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.ListComp, ast.SetComp,
                  ast.DictComp, ast.GeneratorExp, ast.JoinedStr, ast.UnaryOp, ast.BinOp, ast.Lambda)
"""Values that may be literals to the compiler (see :mod:`inliner.compile_warnings`)."""
_WALK_LIMIT = 512
"""Copies of enclosing expressions examined per decision before assuming the worst."""
_OBSERVES_DEATH = int(OBSERVES_DEATH)
_FRAME_READ = int(Effect.FRAME_READ)
_MAY_RAISE = int(Effect.MAY_RAISE)
_ESCAPE = int(Effect.ESCAPE)
_FAILS_ONLY = int(Effect.MAY_RAISE | Effect.NEW_MUTABLE)
"""A value with no other effects may fail, but changes nothing when it runs."""
_TRY = (ast.Try, ast.TryStar)
_WITH = (ast.With, ast.AsyncWith)


@dataclass(slots=True)
class FunctionPlan:
    analysis: FunctionAnalysis
    inlined: list[Candidate] = field(default_factory=list)
    """In definition order within each block."""
    dropped: list[Candidate] = field(default_factory=list)
    kept: list[tuple[Candidate, KeepReason]] = field(default_factory=list)
    live_sites: dict[int, list[Site]] = field(default_factory=dict)
    """For each inlined candidate (by ``id``), the reads to replace."""
    details: dict[int, str] = field(default_factory=dict)
    """For some kept candidates (by ``id``), more about why (see :class:`KeptVariable`)."""

    @property
    def changes(self) -> bool:
        return bool(self.inlined or self.dropped)

    @property
    def removed_statements(self) -> set[int]:
        return {id(c.statement.node) for c in (*self.inlined, *self.dropped)}


def misplaced_read(candidate: Candidate, sites: list[Site]) -> KeepReason | None:
    """Why some of ``sites`` is not a place the value may move to, if it is not."""
    definition = candidate.statement
    suite, index = definition.suite, definition.index
    found: KeepReason | None = None
    for site in sites:
        if site.captured:
            return KeepReason.CAPTURED  # whichever read comes first
        if found is None:
            if not site.statement.reachable and definition.reachable:
                found = KeepReason.UNREACHABLE_READ
            elif not site.safe_position:
                found = KeepReason.CONDITIONAL_READ
            elif site.statement.suite is not suite or site.statement.index <= index:
                found = KeepReason.READ_OUTSIDE_BLOCK
    return found


class _Fenwick:
    """Counts of barrier statements still standing, by position in a block."""

    __slots__ = ("_tree",)

    def __init__(self, size: int) -> None:
        self._tree = [0] * (size + 1)

    def add(self, index: int, delta: int) -> None:
        i = index + 1
        tree = self._tree
        while i < len(tree):
            tree[i] += delta
            i += i & -i

    def _prefix(self, index: int) -> int:
        total, i, tree = 0, index + 1, self._tree
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def any_between(self, after: int, before: int) -> bool:
        """Whether a counted position lies strictly between ``after`` and ``before``."""
        return before - after > 1 and self._prefix(before - 1) - self._prefix(after) > 0


class _Barriers:
    """Where the ordering points of one kind stand, as the plan moves code around.

    A statement holding one is a barrier: nothing may move across it. When an inlined
    value holds one, it now sits at that value's reads (and, through them, in whatever
    holds those reads)."""

    __slots__ = ("mask", "reason", "at", "first_slot", "fenwicks")

    def __init__(self, mask: int, reason: KeepReason, analysis: FunctionAnalysis) -> None:
        self.mask = mask
        self.reason = reason
        self.at = [bool(s.effects & mask) for s in analysis.statements]
        self.first_slot = [_INFINITY] * len(analysis.statements)
        """Per statement, the earliest evaluation slot at which an inlined barrier sits."""
        self.fenwicks: dict[int, _Fenwick] = {}
        for suite in analysis.suites:
            fenwick = _Fenwick(len(suite.statements))
            self.fenwicks[id(suite)] = fenwick
            for statement in suite.statements:
                if self.at[statement.uid]:
                    fenwick.add(statement.index, 1)


class _Planner:
    def __init__(self, analysis: FunctionAnalysis, options: InlineOptions,
                 pins: Mapping[str, KeepReason], deadline: Deadline, widths: LineWidths | None = None) -> None:
        self.analysis = analysis
        self.widths = widths
        self.widened: dict[int, int] = {}
        """Per source line: how much wider the values inlined so far make it."""
        self.options = options
        self.pins = pins
        self.deadline = deadline
        self.uncopyable = int(uncopyable_for(options.policy))
        self.undroppable = int(undroppable_for(options.policy))
        count = len(analysis.statements)
        self.standing = [True] * count
        """Per statement: still in its block (not yet inside an inlined value)."""
        barrier = int(barrier_for(options.policy))
        self.layers = [_Barriers(barrier, KeepReason.EFFECT_BETWEEN, analysis)]
        """The ordering points, one layer per kind (see :meth:`crossing`)."""
        self.failing_layer: _Barriers | None = None
        """Under strict, the ordering points for a value that can only fail: every effect
        but another failure (which of two failures comes first is not kept)."""
        if barrier & _MAY_RAISE:
            self.failing_layer = _Barriers(barrier & ~_MAY_RAISE, KeepReason.EFFECT_BETWEEN, analysis)
            self.layers.append(self.failing_layer)
        shared = int(shared_barrier_for(options.policy))
        self.shared_layer: _Barriers | None = None
        if shared and any(suite.has_effects & shared for suite in analysis.suites):
            self.shared_layer = _Barriers(shared, KeepReason.SHARED_NAME_BETWEEN, analysis)
            self.layers.append(self.shared_layer)
        self.site_live = [True] * len(analysis.sites)
        self.host_copies: dict[int, int] = {}
        """Per inlined candidate: how many copies of its value the function now holds."""
        self.host_depth: dict[int, int] = {}
        """Per inlined candidate: the depth of its deepest read, where its value now sits."""
        self.size = analysis.size
        self.size_limit = options.max_growth * analysis.size
        self.plan = FunctionPlan(analysis)
        self.strict = options.policy == "strict"
        self.after_statement: list[int] | None = None
        """Per statement of the function's body, the effects of the statements after it
        (computed when a living value first asks)."""
        self.frame_reads = [s.uid for s in analysis.statements if s.effects & _FRAME_READ] if self.strict else []

    # -- helpers --------------------------------------------------------------------------

    def live_sites(self, candidate: Candidate) -> list[Site]:
        if not self.plan.dropped:
            return candidate.sites  # no read has died yet
        live = self.site_live
        return [s for s in candidate.sites if live[s.uid]]

    def host_of(self, statement: Statement) -> Candidate | None:
        """The inlined candidate whose value now holds ``statement``'s reads (its host),
        or None while the statement stands in its block."""
        return None if self.standing[statement.uid] else statement.candidate

    def depth_of(self, site: Site) -> int:
        host = self.host_of(site.statement)
        return site.depth if host is None else self.host_depth[id(host)] + site.depth - 1

    def copies_of(self, site: Site) -> int:
        host = self.host_of(site.statement)
        return 1 if host is None else self.host_copies[id(host)]

    def mark_barrier(self, layer: _Barriers, sites: list[Site]) -> None:
        """Record that a barrier now sits at each of ``sites``; propagate to enclosing code."""
        stack = list(sites)
        while stack:
            site = stack.pop()
            uid = site.statement.uid
            if site.order < layer.first_slot[uid]:
                layer.first_slot[uid] = site.order
            if layer.at[uid]:
                continue
            layer.at[uid] = True
            host = self.host_of(site.statement)
            if host is None:
                layer.fenwicks[id(site.statement.suite)].add(site.statement.index, 1)
            else:
                stack.extend(self.live_sites(host))

    def unseat(self, statement: Statement) -> None:
        self.standing[statement.uid] = False
        for layer in self.layers:
            if layer.at[statement.uid]:
                layer.fenwicks[id(statement.suite)].add(statement.index, -1)

    # -- the decision ---------------------------------------------------------------------

    def crossing(self, candidate: Candidate, sites: list[Site], suite: Suite) -> KeepReason | None:
        """What the value would move across on its way to each of ``sites``: first the
        policy's effects and rebindings of names it reads, then shared names. A value
        that can only fail may cross other operations that can only fail."""
        names = candidate.names_read
        definition = candidate.statement.index
        indices = suite.binding_indices
        # Only a name bound again after the definition can be rebound on the way.
        check_names = any(indices[n][-1] > definition for n in names if n in indices)
        effects = self.failing_layer if self.failing_layer is not None and not (
            candidate.effects & ~_FAILS_ONLY) else self.layers[0]
        for number, layer in enumerate((effects, self.shared_layer)):
            if layer is None:
                continue
            active = layer if suite.has_effects & layer.mask else None
            with_names = check_names and number == 0
            if active is not None or with_names:
                reason = self.crossing_layer(candidate, sites, suite, active, with_names)
                if reason is not None:
                    return reason
        return None

    def crossing_layer(self, candidate: Candidate, sites: list[Site], suite: Suite,
                       layer: _Barriers | None, check_names: bool) -> KeepReason | None:
        """Whether a barrier of ``layer``, or (``check_names``) a rebinding of a name the
        value reads, lies between the definition and one of ``sites``."""
        definition = candidate.statement.index
        names = candidate.names_read
        reason = layer.reason if layer is not None else KeepReason.EFFECT_BETWEEN
        stack, seen, steps = list(sites), {s.uid for s in sites}, 0
        while stack:
            steps += 1
            if steps > _WALK_LIMIT:
                return reason
            site = stack.pop()
            statement = site.statement
            if layer is not None and (
                site.prefix & layer.mask or layer.first_slot[statement.uid] < site.order
            ):
                return reason
            host = self.host_of(statement)
            if host is not None:
                for outer in self.live_sites(host):
                    if outer.uid not in seen:
                        seen.add(outer.uid)
                        stack.append(outer)
                continue
            # A rebinding of a name the value reads is the more telling reason when a
            # statement both rebinds it and is an ordering point (a rebinding is one).
            if check_names and suite.binds_between(names, definition, statement.index):
                return KeepReason.REBOUND_BETWEEN
            if layer is not None and layer.fenwicks[id(suite)].any_between(definition, statement.index):
                return reason
        return None

    def warns(self, candidate: Candidate, sites: list[Site]) -> bool:
        """Whether the value would land where the compiler warns about it (a read that is
        the whole value of an inlined variable lands where that variable's reads are)."""
        value = candidate.value
        if not isinstance(value, _WARNING_PRONE):
            return False
        stack, steps = list(sites), 0
        while stack:
            steps += 1
            if steps > _WALK_LIMIT:
                return True
            site = stack.pop()
            host = self.host_of(site.statement)
            if host is not None and site.parent is site.statement.node and site.field == "value":
                stack.extend(self.live_sites(host))
            elif warns_at(value, site.parent, site.field, site.index):
                return True
        return False

    def would_become_docstring(self, candidate: Candidate) -> bool:
        """Whether removing ``candidate``'s assignment leaves a string expression first in
        the function's body (its statements after it are decided already)."""
        statement = candidate.statement
        suite = statement.suite
        if statement.index != 0 or suite.owner is not self.analysis.node:
            return False
        for later in suite.statements[1:]:
            if self.standing[later.uid]:
                node = later.node
                return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str))
        return False

    def later_effects(self, statement: Statement) -> int:
        """The effects that may be evaluated after ``statement`` (standing in its block)
        before the function returns: none after a ``return`` that no ``finally`` or
        ``with`` surrounds; those of the following statements of the function's body;
        anything, conservatively, after a statement inside a block."""
        if isinstance(statement.node, ast.Return):
            holder = statement.suite.holder
            while holder is not None:
                node = holder.node
                if isinstance(node, _WITH) or (isinstance(node, _TRY) and node.finalbody):
                    return _OBSERVES_DEATH  # an exit or a finally runs after the return
                holder = holder.suite.holder
            return 0
        if statement.suite.holder is not None or statement.suite.owner is not self.analysis.node:
            return _OBSERVES_DEATH
        after = self.after_statement
        if after is None:
            body = statement.suite.statements
            after = self.after_statement = [0] * len(body)
            for index in range(len(body) - 2, -1, -1):
                after[index] = after[index + 1] | body[index + 1].effects
        return after[statement.index]

    def runs_after_reads(self, sites: list[Site], mask: int, *, to_the_end: bool) -> bool:
        """Whether an event of ``mask`` is evaluated after one of ``sites`` reads the value:
        later in the statement that now holds the read (following the values it was inlined
        into), and (``to_the_end``) in the statements after that one. A read copied to
        several places is taken to be followed by anything."""
        for site in sites:
            after, statement = site.after_read, site.statement
            while not after & mask:
                host = self.host_of(statement)
                if host is None:
                    break
                outer = self.live_sites(host)
                if len(outer) != 1:
                    return True
                after, statement = outer[0].after_read, outer[0].statement
            if after & mask or (to_the_end and self.later_effects(statement) & mask):
                return True
        return False

    def dies_unseen(self, sites: list[Site]) -> bool:
        """Whether the value's object, which would die as soon as each of ``sites`` is done
        with it, dies before nothing that could see it: no effect is evaluated after the
        read, in the statement that now holds it or after that statement."""
        return not self.runs_after_reads(sites, _OBSERVES_DEATH, to_the_end=True)

    def escapes(self, sites: list[Site]) -> bool:
        """Whether an object no finalizer watches may still be seen dying: a call that is
        no known computation (which could keep a weak reference to it) runs after one of
        ``sites`` reads it, in the statement that now holds the read."""
        return self.runs_after_reads(sites, _ESCAPE, to_the_end=False)

    def read_by_frames(self, candidate: Candidate) -> KeepReason:
        """Keep ``candidate`` for a call that reads frames, naming it."""
        reader = self.analysis.statements[self.frame_reads[0]]
        self.plan.details[id(candidate)] = f"a call in `{ast.unparse(reader.node)[:60]}` reads frames"
        return KeepReason.FRAME_READ

    def read_through_frames(self, candidate: Candidate) -> bool:
        """Whether a call known to read its callers' frames runs while the variable is bound."""
        definition = candidate.statement
        if definition.suite.holder is not None:
            return bool(self.frame_reads)  # inside a block, a loop may come round again
        return any(uid > definition.uid for uid in self.frame_reads)

    def widened_lines(self, candidate: Candidate, sites: list[Site]) -> dict[int, int] | None:
        """How wide each line that would hold the value gets (None: one would pass the
        limit). A read inside another inlined value lands where that value's reads are."""
        widths = self.widths
        assert widths is not None
        added = widths.added_by(candidate.value, candidate.name)
        if added is None:
            return None
        lines: dict[int, int] = {}
        stack, steps = list(sites), 0
        while stack:
            steps += 1
            if steps > _WALK_LIMIT:
                return None
            site = stack.pop()
            host = self.host_of(site.statement)
            if host is not None:
                stack.extend(self.live_sites(host))
                continue
            line = site.node.lineno
            lines[line] = lines.get(line, self.widened.get(line, 0)) + added
        for line, extra in lines.items():
            if widths.width(line) + extra > widths.limit:
                return None
        return lines

    def droppable(self, candidate: Candidate) -> bool:
        if candidate.effects & self.undroppable:
            return False
        return candidate.trivial or self.options.policy == "pure"

    def decide(self, candidate: Candidate, suite: Suite) -> KeepReason | None:
        """Inline or drop ``candidate`` and return None, or return why it stays."""
        if candidate.excluded is not None:
            return candidate.excluded
        pinned = self.pins.get(candidate.name)
        if pinned is not None:
            return pinned
        sites = self.live_sites(candidate)
        misplaced = misplaced_read(candidate, sites)
        if misplaced is not None:
            return misplaced
        # The reasons before this point need no read's details, and counting reads finds
        # them alone (kept_without_sites); every later one is the planner's.
        if not sites:
            if not self.options.drop_dead:
                return KeepReason.UNUSED
            if self.frame_reads and self.read_through_frames(candidate):
                return self.read_by_frames(candidate)
            if not self.droppable(candidate):
                return KeepReason.UNUSED_WITH_EFFECTS
            if self.would_become_docstring(candidate):
                return KeepReason.WOULD_BECOME_DOCSTRING
            self.unseat(candidate.statement)
            for inner in candidate.statement.sites:
                self.site_live[inner.uid] = False
            self.size -= candidate.statement.size
            self.plan.dropped.append(candidate)
            return None
        if self.options.expand == "single" and len(sites) > 1:
            return KeepReason.MULTIPLE_READS  # every read holds at least one copy
        copies = sum(self.copies_of(s) for s in sites)
        if self.options.expand == "single" and copies > 1:
            return KeepReason.MULTIPLE_READS
        if self.frame_reads and self.read_through_frames(candidate):
            return self.read_by_frames(candidate)
        if copies > 1 and (
            candidate.effects & self.uncopyable
            or (self.options.policy == "strict" and not candidate.trivial)
        ):
            return KeepReason.NOT_DUPLICABLE
        if copies > 1 and self.options.preserve_format and any(
                isinstance(node, _WORK) for node in ast.walk(candidate.value)):
            return KeepReason.WOULD_COPY_WORK
        reason = self.crossing(candidate, sites, suite)
        if reason is not None:
            return reason
        if self.warns(candidate, sites):
            return KeepReason.WOULD_WARN
        if self.strict and (not self.dies_unseen(sites) if candidate.living
                            else type(candidate.value) is ast.Call and self.escapes(sites)):
            # No line number here: a unit's report is shifted to its module's lines, a detail's text is not.
            self.plan.details[id(candidate)] = (
                f"{candidate.origin or 'its object'} may be seen dying; the variable keeps it alive "
                "until the function returns")
            return KeepReason.LIFETIME
        deepest = max(self.depth_of(s) for s in sites)
        if deepest + candidate.height - 1 > self.options.max_depth:
            return KeepReason.DEPTH_BUDGET
        grown = self.size + copies * (candidate.size - 1) - candidate.statement.size
        if grown > self.size_limit:
            return KeepReason.GROWTH_BUDGET
        if self.would_become_docstring(candidate):
            return KeepReason.WOULD_BECOME_DOCSTRING
        widened = self.widened_lines(candidate, sites) if self.widths is not None else {}
        if widened is None:
            return KeepReason.LINE_LENGTH
        self.widened.update(widened)
        # Inline: the value now lives at its reads.
        self.size = grown
        self.host_copies[id(candidate)] = copies
        self.host_depth[id(candidate)] = deepest
        self.unseat(candidate.statement)
        self.plan.inlined.append(candidate)
        self.plan.live_sites[id(candidate)] = sites
        for layer in self.layers:
            if layer.at[candidate.statement.uid]:
                self.mark_barrier(layer, sites)
        return None

    def run(self) -> FunctionPlan:
        # Inner blocks first: dead code dropped there may remove reads of outer variables.
        for suite in reversed(self.analysis.suites):
            for candidate in reversed(suite.candidates):
                self.deadline.check()
                reason = self.decide(candidate, suite)
                if reason is not None:
                    self.plan.kept.append((candidate, reason))
        self.plan.inlined.reverse()
        self.plan.dropped.reverse()
        self.plan.kept.reverse()
        return self.plan


def kept_without_sites(reads: ReadCounts, options: InlineOptions,
                       deadline: Deadline = NO_DEADLINE) -> list[tuple[str, int, KeepReason]] | None:
    """The plan of a straight-line function whose every variable stays for a reason that
    needs no read's details, as :meth:`_Planner.decide` finds it; None when any
    variable might be inlined (then the function is planned in full).

    Under single expansion, keeping dead code, with no pins: a variable read at or before
    its own assignment is misplaced, one never read is unused, and one read more than
    once is read too often. Those checks come before any that needs the reads' places."""
    if options.expand != "single" or options.drop_dead:
        return None
    kept = []
    for name, line, reads_of_it, read_early in reads.candidates:
        if read_early:
            reason = KeepReason.READ_OUTSIDE_BLOCK
        elif reads_of_it == 0:
            reason = KeepReason.UNUSED
        elif reads_of_it > 1:
            reason = KeepReason.MULTIPLE_READS
        else:
            return None
        kept.append((name, line, reason))
    deadline.check()
    return kept


def plan_function(analysis: FunctionAnalysis, options: InlineOptions, deadline: Deadline,
                  pins: Mapping[str, KeepReason] | None = None,
                  widths: LineWidths | None = None) -> FunctionPlan:
    """Which of ``analysis``'s candidates to inline or drop, and why the others stay
    (``widths``: the source's lines, for a line-length budget)."""
    return _Planner(analysis, options, pins or {}, deadline, widths).run()
