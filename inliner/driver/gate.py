"""One process-wide gate in front of the CPU-bound part of the library's work.

On a build with a GIL, two threads never run Python code at once: threads inlining side
by side only hand the GIL back and forth every few milliseconds, which on the benchmark
machine made four of them 20-40% slower than one. The gate lets one thread at a time
compute (as many as there are cores on a free-threaded build); the threads still overlap
everything else, such as cache lookups. A thread's deadlines start after it passes the
gate, so waiting never eats into its time.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def gil_enabled() -> bool:
    return getattr(sys, "_is_gil_enabled", lambda: True)()


class ComputeGate:
    """At most ``slots`` threads inside at once; re-entrant within a thread."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self._semaphore = threading.Semaphore(slots)
        self._inside = threading.local()
        if hasattr(os, "register_at_fork"):
            # A child made by fork has only the forking thread: slots held by the others
            # would never come back.
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._semaphore = threading.Semaphore(self.slots)
        self._inside = threading.local()

    @contextmanager
    def passage(self) -> Iterator[None]:
        if getattr(self._inside, "depth", 0):
            self._inside.depth += 1
            try:
                yield
            finally:
                self._inside.depth -= 1
            return
        with self._semaphore:
            self._inside.depth = 1
            try:
                yield
            finally:
                self._inside.depth = 0


COMPUTE_GATE = ComputeGate(1 if gil_enabled() else max(1, os.cpu_count() or 1))


def useful_threads(parallel: int) -> int:
    """Threads worth having for ``parallel`` workers, the calling thread included.

    On a build with a GIL only one thread computes at a time (the gate), so only the
    overlap of cache reads and writes could justify a second one, and SQLite answers in
    well under a millisecond: there is nothing to overlap, so the calling thread does the
    work and no thread is started (docs/benchmarks.md has the measurements). A
    free-threaded build keeps ``parallel`` threads.
    """
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    return parallel if not gil_enabled() else 1
