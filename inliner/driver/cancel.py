"""A batch's cancellation: set once, from any thread, and seen by every executor.

It is a ``Future`` underneath so that a run waiting on its workers' futures (a process
pool, a cluster) can wait on it too, and wake the moment it is set instead of at its next
look; the thread pool and the calling thread look at it between items.
"""

from __future__ import annotations

from concurrent.futures import Future, InvalidStateError


class Cancellation:
    """Whether the work still pending should be dropped."""

    def __init__(self) -> None:
        self._signal: Future[None] = Future()

    def set(self) -> None:
        try:
            self._signal.set_result(None)
        except InvalidStateError:
            pass  # set before: once is enough

    def is_set(self) -> bool:
        return self._signal.done()

    @property
    def future(self) -> Future[None]:
        """Done once set: pass it to ``concurrent.futures.wait`` beside the work's futures."""
        return self._signal

