"""The values options take: one definition each, shared by flags and ``pyproject.toml``
(whose settings reach the same parsers through the context's ``default_map``).

Every option that takes a value has a parser here, and every parser refuses in the tool's
own words (``typer.BadParameter``, which typer passes on as it is). typer's own checks
(choices, bounds, numbers, paths) would answer in its validation library's wording, which
means nothing to a user of this tool. A setting that is no text nor number at all (a
table, a list, a boolean) is refused by :mod:`.config` before it reaches a parser."""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeGuard

import typer

from inliner.driver.batch import EXECUTORS
from inliner.options import EXPANSIONS, POLICIES


def _choice(what: str, values: tuple[str, ...]) -> Callable[[object], str]:
    """A parser that takes one of ``values`` (the library's own names for them)."""

    def parse(value: object) -> str:
        if isinstance(value, str) and value in values:
            return value
        raise typer.BadParameter(f"{value!r} is no {what}; choose {' or '.join(values)}")

    parse.__name__ = what.replace(" ", "_")
    return parse


def choices_metavar(values: tuple[str, ...]) -> str:
    """How ``--help`` shows an option's choices: ``<strict|pure>``."""
    return f"<{'|'.join(values)}>"


policy = _choice("policy", POLICIES)
expand = _choice("expansion", EXPANSIONS)
executor = _choice("executor", EXECUTORS)

NO_LIMIT = ("none", "0", "inf")
"""What ``--timeout`` takes for no time limit."""


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def timeout(value: object) -> float | None:
    """Seconds, or no limit (``none``, ``0`` or ``inf``; in ``pyproject.toml`` also the
    numbers 0 and inf): a positive number of seconds, or None."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in NO_LIMIT:
        return None
    try:
        if not (isinstance(value, str) or _is_number(value)):
            raise TypeError
        seconds = float(value)
    except (TypeError, ValueError):
        raise typer.BadParameter(f"{value!r} is no number of seconds (or none, 0, inf for no limit)") from None
    if seconds == 0 or seconds == math.inf:
        return None
    if not seconds > 0 or math.isnan(seconds):
        raise typer.BadParameter(f"{value!r}: a time limit must be a positive number of seconds "
                                 "(or none, 0, inf for no limit)")
    return seconds


def file_count(value: object) -> int:
    """How many files at once: a whole number, 1 or more."""
    number: object = value
    if isinstance(value, str) and re.fullmatch(r"\s*[+]?\d+\s*", value):
        number = int(value)
    if isinstance(number, int) and not isinstance(number, bool) and number >= 1:
        return number
    raise typer.BadParameter(f"{value!r} is no number of files; give a whole number, 1 or more")


def line_length(value: object) -> int:
    """Characters a written line may hold: a whole number, 1 or more."""
    number: object = value
    if isinstance(value, str) and re.fullmatch(r"\s*[+]?\d+\s*", value):
        number = int(value)
    if isinstance(number, int) and not isinstance(number, bool) and number >= 1:
        return number
    raise typer.BadParameter(f"{value!r} is no line length; give a whole number of characters, 1 or more")


def path(value: object) -> Path:
    """A file or directory name (whether it exists is the run's business)."""
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value:
        raise typer.BadParameter(f"{value!r} is no path")
    return Path(value)


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


_PATTERN = re.compile(r"[A-Za-z_*?\[\]][A-Za-z0-9_.*?\[\]!-]*")


def call_pattern(value: object) -> str:
    """A shell-style pattern of dotted callable names (``dsl.*``, ``mypkg.util.norm``)."""
    if isinstance(value, str) and _PATTERN.fullmatch(value):
        return value
    raise typer.BadParameter(f"{value!r} is no pattern of dotted names (for example dsl.* or pkg.mod.func)")
