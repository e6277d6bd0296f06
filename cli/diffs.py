"""Unified diffs of a module and its inlined text, in time linear in the number of functions.

``difflib.unified_diff`` compares the two texts whole, which grows with the square of
their length on generated modules full of look-alike lines (4,000 functions: 11 s). The
inliner never touches a top-level line (a ``def``, ``class`` or module statement's first
line), so both texts split at those lines into the same sequence of pieces: each pair of
pieces is compared on its own, and the hunks are written as ``diff -u`` does.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import Literal

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


def _piece_starts(lines: Sequence[str]) -> list[int]:
    """Indices of the top-level lines: not indented, not blank, not a comment."""
    return [i for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", "\n", "\r", "#", "\f")]


def _opcodes(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    old_starts, new_starts = _piece_starts(old), _piece_starts(new)
    if [old[i] for i in old_starts] != [new[i] for i in new_starts]:
        # The whole texts, with difflib's own heuristics (popular lines are not anchors).
        return difflib.SequenceMatcher(None, old, new).get_opcodes()
    bounds_old = [0, *old_starts[1:], len(old)] if old_starts else [0, len(old)]
    bounds_new = [0, *new_starts[1:], len(new)] if new_starts else [0, len(new)]
    merged: list[Opcode] = []
    for k in range(len(bounds_old) - 1):
        a0, a1, b0, b1 = bounds_old[k], bounds_old[k + 1], bounds_new[k], bounds_new[k + 1]
        matcher = difflib.SequenceMatcher(None, old[a0:a1], new[b0:b1], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            opcode = (tag, a0 + i1, a0 + i2, b0 + j1, b0 + j2)
            if merged and tag == "equal" and merged[-1][0] == "equal":
                previous = merged.pop()
                opcode = ("equal", previous[1], opcode[2], previous[3], opcode[4])
            merged.append(opcode)
    return merged


class _Precomputed(difflib.SequenceMatcher[str]):
    """A matcher that hands out given opcodes, for ``get_grouped_opcodes``."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        super().__init__(None, [], [])
        self.opcodes = opcodes

    def get_opcodes(self) -> list[Opcode]:
        return self.opcodes


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def _marked(prefix: str, line: str) -> Iterator[str]:
    yield prefix + line
    if not line.endswith(("\n", "\r")):
        yield "\n\\ No newline at end of file\n"


def unified_diff(old: Sequence[str], new: Sequence[str], fromfile: str, tofile: str,
                 context: int = 3) -> Iterator[str]:
    """The lines of ``diff -u`` between two lists of lines, each with its line ending
    (split as Python does, :func:`inliner.source.split_lines`, not ``str.splitlines``)."""
    started = False
    for group in _Precomputed(_opcodes(old, new)).get_grouped_opcodes(context):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in old[i1:i2]:
                    yield from _marked(" ", line)
                continue
            for line in old[i1:i2]:
                yield from _marked("-", line)
            for line in new[j1:j2]:
                yield from _marked("+", line)
