"""One function on its way through analysis, plan, rewrite and verification.

Failure is data: each step runs guarded, and any exception becomes that function's
fallback with a named reason, so one function never spoils its module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .analysis import FunctionAnalysis
from .deadline import Deadline, DeadlineExceeded
from .discover import FoundFunction
from .plan import FunctionPlan
from .reasons import FallbackReason, KeepReason
from .result import FunctionReport, FunctionStatus, KeptVariable


class WorkStateError(RuntimeError):
    """A step asked a :class:`FunctionWork` for what its state does not hold (a bug: the
    guarded step that asked turns it into an internal-error fallback)."""


Problem = tuple[FallbackReason, str]
"""Why a rewrite was refused: a reason and its detail."""


@dataclass(frozen=True, slots=True)
class Decided:
    """What planning decided for a function, in the report's terms: all the rest of the
    run needs once a rewriter no longer needs the analysis and plan themselves."""

    kept: tuple[KeptVariable, ...]
    inlined: tuple[str, ...]
    dropped: tuple[str, ...]
    frees_outer_reads: bool
    """Dead code was dropped in a nested function, or beside kept variables: another pass
    may inline what its reads held back."""

    @property
    def changes(self) -> bool:
        return bool(self.inlined or self.dropped)


def _kept(variables: Iterable[tuple[str, int, KeepReason]]) -> tuple[KeptVariable, ...]:
    return tuple([KeptVariable(name, line, reason) for name, line, reason in variables])


def decided(plan: FunctionPlan, qualname: str) -> Decided:
    return Decided(
        kept=tuple([KeptVariable(c.name, c.statement.node.lineno, r, plan.details.get(id(c)))
                    for c, r in plan.kept]),
        inlined=tuple([c.name for c in plan.inlined]),
        dropped=tuple([c.name for c in plan.dropped]),
        frees_outer_reads=bool(plan.dropped) and ("<locals>" in qualname or bool(plan.kept)),
    )


@dataclass(slots=True, eq=False)
class FunctionWork:
    """One function: what was found, planned and decided for it."""

    found: FoundFunction
    deadline: Deadline
    status: FunctionStatus = "unchanged"
    reason: FallbackReason | None = None
    detail: str | None = None
    analysis: FunctionAnalysis | None = None
    plan: FunctionPlan | None = None
    kept_unplanned: tuple[KeptVariable, ...] = ()
    """Plainly assigned names that are no candidates at all (bound several times, ...)."""
    decided: Decided | None = None
    """Set with every plan; it outlives the analysis and plan (see :meth:`release`)."""
    pins: dict[str, KeepReason] = field(default_factory=dict)
    """Variables a rewriter must keep (and why), fed back into planning."""

    @property
    def changes(self) -> bool:
        return self.status == "unchanged" and self.decided is not None and self.decided.changes

    # The fields above form a small state machine: ``analysis`` is set by :meth:`analysed`,
    # ``plan`` and ``decided`` by :meth:`planned` (``decided`` alone by :meth:`kept_all`),
    # and :meth:`release` or :meth:`fall_back` let the plan go. The accessors below name
    # the state a caller relies on, and raise :class:`WorkStateError` outside it.

    def current_analysis(self) -> FunctionAnalysis:
        """The analysis, for a function analysed and not yet released."""
        if self.analysis is None:
            raise WorkStateError(f"{self.found.qualname}: no analysis (not analysed, or released)")
        return self.analysis

    def current_plan(self) -> FunctionPlan:
        """The plan, for a function planned and neither released nor fallen back; a
        rewriter holds it for every function that :attr:`changes`."""
        if self.plan is None:
            raise WorkStateError(f"{self.found.qualname}: no plan (not planned, released or fallen back)")
        return self.plan

    def decision(self) -> Decided:
        """What planning decided, for a function planned (or decided without a plan)."""
        if self.decided is None:
            raise WorkStateError(f"{self.found.qualname}: nothing decided yet")
        return self.decided

    def analysed(self, analysis: FunctionAnalysis) -> None:
        self.analysis = analysis
        self.kept_unplanned = _kept(analysis.kept_without_candidate)

    def planned(self, plan: FunctionPlan) -> None:
        self.plan, self.decided = plan, decided(plan, self.found.qualname)

    def kept_all(self, kept_unplanned: list[tuple[str, int, KeepReason]],
                 kept: list[tuple[str, int, KeepReason]]) -> None:
        """Decided without an analysis or plan: nothing changes, these stay."""
        self.kept_unplanned = _kept(kept_unplanned)
        self.decided = Decided(kept=_kept(kept), inlined=(), dropped=(), frees_outer_reads=False)

    def release(self) -> None:
        """Let the analysis and plan go as soon as no rewriter needs them: a module's
        functions then never hold all their analyses at once, and the collector frees
        each while it is young instead of sweeping it again and again."""
        if self.analysis is not None:
            self.analysis.unlink()
        self.analysis = self.plan = None

    def fall_back(self, reason: FallbackReason, detail: str | None = None) -> None:
        self.status, self.reason, self.detail, self.plan = "fallback", reason, detail, None

    def report(self) -> FunctionReport:
        node = self.found.node
        decided = self.decided if self.status != "fallback" else None
        kept = [*self.kept_unplanned, *(decided.kept if decided else ())]
        return FunctionReport(
            qualname=self.found.qualname, line=node.lineno,
            status="inlined" if self.changes else self.status,
            reason=self.reason, detail=self.detail,
            inlined=decided.inlined if decided else (),
            dropped=decided.dropped if decided else (),
            kept=tuple(sorted(kept, key=lambda k: k.line)),
        )


Replan = Callable[[FunctionWork], None]
"""Plan a function again with its current ``pins``."""


def guarded(work: FunctionWork, step: Callable[[], None]) -> None:
    """Run one step for one function; any failure becomes that function's fallback."""
    try:
        step()
    except DeadlineExceeded:
        work.fall_back(FallbackReason.TIMEOUT, "the per-function time limit passed")
    except RecursionError:
        work.fall_back(FallbackReason.TOO_COMPLEX, "nested too deeply to analyse")
    except MemoryError:
        work.fall_back(FallbackReason.OUT_OF_MEMORY, "memory ran out while analysing it")
    except Exception as error:  # noqa: BLE001 - a bug must cost one function, not the run
        work.fall_back(FallbackReason.INTERNAL_ERROR, f"{type(error).__name__}: {error}")


def by_unit(works: Iterable[FunctionWork]) -> dict[int, list[FunctionWork]]:
    """Functions grouped by the top-level statement that holds them."""
    groups: dict[int, list[FunctionWork]] = {}
    for work in works:
        groups.setdefault(work.found.unit, []).append(work)
    return groups
