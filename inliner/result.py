"""What the inliner reports back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .reasons import FallbackReason, KeepReason

Status = Literal["inlined", "unchanged", "fallback"]
FunctionStatus = Literal["inlined", "unchanged", "skipped", "fallback"]


@dataclass(frozen=True)
class KeptVariable:
    """A local variable that stays, and why."""

    name: str
    line: int
    reason: KeepReason
    detail: str | None = None
    """More about the reason where there is more to say (for ``lifetime``: where the object
    comes from and until when the variable keeps it alive)."""


@dataclass(frozen=True)
class FunctionReport:
    """What happened in one function (``qualname`` as in ``Class.method.<locals>.inner``)."""

    qualname: str
    line: int
    status: FunctionStatus
    reason: FallbackReason | None = None
    detail: str | None = None
    inlined: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    kept: tuple[KeptVariable, ...] = ()


@dataclass(frozen=True)
class InlineResult:
    """The outcome for one source text.

    ``status`` is ``"fallback"`` when the module, or at least one function in it, could not be
    handled (the affected code is returned as it was); ``"inlined"`` when at least one variable
    was inlined or dropped; otherwise ``"unchanged"``. ``reason`` then reads like
    ``"parse-error: line 3, column 7: invalid syntax"``: the named value of
    ``reason_code`` followed by where and why.
    """

    code: str
    status: Status
    reason: str | None = None
    inlined: int = 0
    dropped: int = 0
    reason_code: FallbackReason | None = None
    functions: tuple[FunctionReport, ...] = ()
    line: int | None = None
    """Where the module-level failure is, when known (a parse error's line)."""
    column: int | None = None
    detail: str | None = None
    """What ``reason`` says after the name of ``reason_code``: where and why."""

    @property
    def kept(self) -> tuple[KeptVariable, ...]:
        return tuple(k for f in self.functions for k in f.kept)

    @property
    def fallbacks(self) -> tuple[FunctionReport, ...]:
        return tuple(f for f in self.functions if f.status == "fallback")


def describe(code: FallbackReason, detail: str | None) -> str:
    """The one place a reason's text is composed."""
    return code.value if not detail else f"{code.value}: {detail}"


def summarise(code: str, reports: tuple[FunctionReport, ...]) -> InlineResult:
    """The module's result from its functions' reports (the first fallback names the reason)."""
    inlined = sum(len(r.inlined) for r in reports)
    dropped = sum(len(r.dropped) for r in reports)
    failed = [r for r in reports if r.status == "fallback"]
    if failed:
        first = failed[0]
        assert first.reason is not None
        detail = f"{first.qualname} (line {first.line})" + (f": {first.detail}" if first.detail else "")
        return InlineResult(code=code, status="fallback", reason=describe(first.reason, detail),
                            reason_code=first.reason, inlined=inlined, dropped=dropped,
                            functions=reports, line=first.line, detail=detail)
    return InlineResult(code=code, status="inlined" if inlined or dropped else "unchanged",
                        inlined=inlined, dropped=dropped, functions=reports)


def merge_passes(first: InlineResult, second: InlineResult) -> InlineResult:
    """One result for two passes over the same module (the second over the first's output):
    the second's code and kept variables, both passes' inlined and dropped names."""
    from dataclasses import replace

    earlier = {(f.qualname, i): f for i, f in enumerate(first.functions)}
    reports = []
    for i, report in enumerate(second.functions):
        before = earlier.get((report.qualname, i))
        if before is not None:
            report = replace(
                report, line=before.line,
                status="inlined" if "inlined" in (before.status, report.status) else report.status,
                inlined=before.inlined + report.inlined, dropped=before.dropped + report.dropped,
            )
        reports.append(report)
    return summarise(second.code, tuple(reports))


def untouched(source: str, code: FallbackReason, detail: str, *, line: int | None = None,
              column: int | None = None) -> InlineResult:
    """The result for a module that comes back exactly as it was, and why (``line`` and
    ``column``: where in it, when that is known)."""
    return InlineResult(code=source, status="fallback", reason=describe(code, detail),
                        reason_code=code, line=line, column=column, detail=detail or None)


def internal_error(source: str, error: BaseException) -> InlineResult:
    return untouched(source, FallbackReason.INTERNAL_ERROR, f"{type(error).__name__}: {error}")
