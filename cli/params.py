"""The values options take: one definition each, shared by flags and ``pyproject.toml``
(whose settings reach the same parsers through the context's ``default_map``)."""

from __future__ import annotations

import keyword
import math
import re
from enum import Enum

import typer

from inliner.driver.batch import EXECUTORS
from inliner.options import EXPANSIONS, POLICIES


def _choices(name: str, values: tuple[str, ...]) -> type[Enum]:
    """An enumeration of the library's own values, for typer to offer and check."""
    return Enum(name, {value: value for value in values}, type=str)  # type: ignore[return-value]


Policy = _choices("Policy", POLICIES)
Expand = _choices("Expand", EXPANSIONS)
Executor = _choices("Executor", EXECUTORS)

NO_LIMIT = ("none", "0", "inf")
"""What ``--timeout`` takes for no time limit."""


def timeout(value: object) -> float | None:
    """Seconds, or no limit (``none``, ``0`` or ``inf``; in ``pyproject.toml`` also the
    numbers 0 and inf): a positive number of seconds, or None."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in NO_LIMIT:
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise typer.BadParameter(f"{value!r} is no number of seconds (or none, 0, inf for no limit)") from None
    if seconds == 0 or seconds == math.inf:
        return None
    if not seconds > 0 or math.isnan(seconds):
        raise typer.BadParameter(f"{value!r}: a time limit must be a positive number of seconds "
                                 "(or none, 0, inf for no limit)")
    return seconds


def regular_expression(value: object) -> str:
    """A pattern that compiles (checked now, so that the error names the option)."""
    if not isinstance(value, str):
        raise typer.BadParameter(f"{value!r} is no regular expression")
    try:
        re.compile(value)
    except re.error as error:
        raise typer.BadParameter(f"{value!r} is no regular expression: {error}") from None
    return value


def function_name(value: object) -> str:
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise typer.BadParameter(f"{value!r} cannot name a function")
    return value
