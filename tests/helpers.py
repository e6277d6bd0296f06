"""Small helpers shared by the test modules."""

from __future__ import annotations

import os
import textwrap
from typing import TypeVar

from inliner import InlineOptions, InlineResult, inline_source

T = TypeVar("T")

LONG = os.environ.get("INLINE_SOLVERS_LONG", "") not in ("", "0")
"""``INLINE_SOLVERS_LONG=1`` runs the long variants: more rounds, examples and faults, and
bigger inputs (see the README's reliability section for the figures)."""


def sized(default: T, long: T) -> T:
    """A suite's size knob: ``long`` under ``INLINE_SOLVERS_LONG=1``, else ``default``."""
    return long if LONG else default


def code(text: str) -> str:
    """A dedented snippet without its first newline."""
    return textwrap.dedent(text).lstrip("\n")


def run(source: str, **options: object) -> InlineResult:
    return inline_source(code(source), InlineOptions(**options))  # type: ignore[arg-type]


def kept_reasons(result: InlineResult) -> dict[str, str]:
    """Each kept name with its reasons (comma-joined when the name is kept in several functions)."""
    reasons: dict[str, set[str]] = {}
    for kept in result.kept:
        reasons.setdefault(kept.name, set()).add(kept.reason.value)
    return {name: ",".join(sorted(values)) for name, values in reasons.items()}


# A generated solver and its inlined form, for tests of the command line. Nothing is known
# about f, so strict moves its result only where nothing runs after it.
SOURCE = code("""
    def solve(S, I, C):
        x1 = f(I)
        return x1
    """)
INLINED = code("""
    def solve(S, I, C):
        return f(I)
    """)
