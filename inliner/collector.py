"""The garbage collector's thresholds for a process that spends its life inlining.

Parsing a module allocates hundreds of thousands of syntax-tree objects that live until
the module is done. With CPython's default thresholds (700, 10, 10) the collector keeps
sweeping them: on the 400-function benchmark module a tenth of a canonical run and two
fifths of a format-preserving one go to collections that free nothing, since syntax
trees hold no reference cycles.

The setting is process-wide, so the library never changes it behind a caller's back:
the command line and the process executor's workers (processes the tool owns) call
:func:`tune_garbage_collector`; a pipeline may call it once for its own process.
"""

from __future__ import annotations

import gc

BATCH_THRESHOLDS = (100_000, 50, 100)
"""Collect the youngest generation every 100,000 allocations instead of 700; the oldest
one rarely. Memory held by real garbage cycles is still reclaimed, only later."""


def tune_garbage_collector() -> tuple[int, int, int]:
    """Raise the collector's thresholds for batch work; returns the previous ones, to give
    back with ``gc.set_threshold(*previous)``. A collector that was never lower is left
    as it is, and so is one switched off by a threshold of 0."""
    previous = gc.get_threshold()
    if previous[0] == 0:
        return previous
    gc.set_threshold(*(max(now, wanted) for now, wanted in zip(previous, BATCH_THRESHOLDS, strict=True)))
    return previous
