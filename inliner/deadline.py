"""A cooperative per-function deadline: long loops call :meth:`Deadline.check`."""

from __future__ import annotations

import time


class DeadlineExceeded(Exception):
    """Raised inside the inliner when a function's time is up; never escapes it."""


class Deadline:
    __slots__ = ("_limit",)

    def __init__(self, seconds: float | None) -> None:
        self._limit = None if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if self._limit is not None and time.monotonic() > self._limit:
            raise DeadlineExceeded


NO_DEADLINE = Deadline(None)
