"""Results as JSON objects, for the cache: data in, data out, checked field by field."""

from __future__ import annotations

from typing import Any

from ..reasons import FallbackReason, KeepReason
from ..result import FunctionReport, InlineResult, KeptVariable

_STATUSES = ("inlined", "unchanged", "fallback")
_FUNCTION_STATUSES = ("inlined", "unchanged", "skipped", "fallback")


def result_to_json(result: InlineResult) -> dict[str, Any]:
    return {
        "code": result.code, "status": result.status, "reason": result.reason,
        "inlined": result.inlined, "dropped": result.dropped,
        "reason_code": result.reason_code.value if result.reason_code else None,
        "line": result.line, "column": result.column, "detail": result.detail,
        "functions": [
            {
                "qualname": f.qualname, "line": f.line, "status": f.status,
                "reason": f.reason.value if f.reason else None, "detail": f.detail,
                "inlined": list(f.inlined), "dropped": list(f.dropped),
                "kept": [[k.name, k.line, k.reason.value, k.detail] for k in f.kept],
            }
            for f in result.functions
        ],
    }


def _typed(value: Any, kind: type | tuple[type, ...], *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ValueError(f"unexpected value {value!r}")
    return value


def result_from_json(data: Any) -> InlineResult:
    """The result a JSON object describes; ``ValueError`` if it is not exactly one."""
    try:
        functions = tuple(
            FunctionReport(
                qualname=_typed(f["qualname"], str), line=_typed(f["line"], int),
                status=_choice(f["status"], _FUNCTION_STATUSES),
                reason=FallbackReason(f["reason"]) if f["reason"] is not None else None,
                detail=_typed(f["detail"], str, optional=True),
                inlined=tuple(_typed(n, str) for n in f["inlined"]),
                dropped=tuple(_typed(n, str) for n in f["dropped"]),
                kept=tuple(KeptVariable(_typed(n, str), _typed(line, int), KeepReason(r),
                                        _typed(detail, str, optional=True))
                           for n, line, r, detail in f["kept"]),
            )
            for f in data["functions"]
        )
        return InlineResult(
            code=_typed(data["code"], str), status=_choice(data["status"], _STATUSES),
            reason=_typed(data["reason"], str, optional=True),
            inlined=_typed(data["inlined"], int), dropped=_typed(data["dropped"], int),
            reason_code=FallbackReason(data["reason_code"]) if data["reason_code"] is not None else None,
            detail=_typed(data.get("detail"), str, optional=True),
            line=_typed(data["line"], int, optional=True),
            column=_typed(data["column"], int, optional=True), functions=functions,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a cached result: {error}") from None


def _choice(value: Any, choices: tuple[str, ...]) -> Any:
    if value not in choices:
        raise ValueError(f"unexpected value {value!r}")
    return value
