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

Problem = tuple[FallbackReason, str]
"""Why a rewrite was refused: a reason and its detail."""


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
    pins: dict[str, KeepReason] = field(default_factory=dict)
    """Variables a rewriter must keep (and why), fed back into planning."""

    @property
    def changes(self) -> bool:
        return self.status == "unchanged" and self.plan is not None and self.plan.changes

    def fall_back(self, reason: FallbackReason, detail: str | None = None) -> None:
        self.status, self.reason, self.detail, self.plan = "fallback", reason, detail, None

    def report(self) -> FunctionReport:
        node = self.found.node
        plan = self.plan if self.status != "fallback" else None
        kept: list[KeptVariable] = []
        if self.analysis is not None:
            kept += [KeptVariable(n, line, r) for n, line, r in self.analysis.kept_without_candidate]
        if plan is not None:
            kept += [KeptVariable(c.name, c.statement.node.lineno, r) for c, r in plan.kept]
        changed = plan is not None and plan.changes
        return FunctionReport(
            qualname=self.found.qualname, line=node.lineno,
            status="inlined" if changed and self.status == "unchanged" else self.status,
            reason=self.reason, detail=self.detail,
            inlined=tuple(c.name for c in plan.inlined) if plan else (),
            dropped=tuple(c.name for c in plan.dropped) if plan else (),
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
