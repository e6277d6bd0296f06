"""Ctrl-C (SIGINT) and SIGTERM during a run: stop at once, leave every file whole, and say
how far the run got.

While a run is on, both signals raise :class:`Interrupted` (a ``KeyboardInterrupt``) in
the main thread, so that the driver ends its workers and the run unwinds as from Ctrl-C.
Inside :meth:`StopSignals.held` (one file's write and its count) a signal waits until the
block ends, so that the summary's count of files written is exact. A signal the process
was told to ignore (``nohup``, a background job of a non-interactive shell) stays ignored.

An exception raised by a signal handler is lost when the signal lands in a ``__del__``
method (Dask's futures release themselves in one): Python prints it as ignored and the run
goes on. So a signal that lands in one is not raised there but sent again a moment later,
and every signal is also remembered: each ``held`` block, before and after, raises one
that has not ended the run yet.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any

from .report import Summary, plural

Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None
"""What ``signal.signal`` returns and takes back: a function, SIG_DFL/SIG_IGN, or None for
a handler installed from outside Python."""

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
RESEND_AFTER = 0.05
"""Seconds before a signal that landed in a ``__del__`` is sent again."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped by ``signal_number``."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


def signal_of(stop: KeyboardInterrupt) -> int:
    """The signal behind an interruption (a bare ``KeyboardInterrupt`` is Ctrl-C's)."""
    return stop.signal_number if isinstance(stop, Interrupted) else signal.SIGINT


def exit_status(stop: KeyboardInterrupt) -> int:
    """128 + the signal, as shells report it: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + signal_of(stop)


class StopSignals:
    """SIGINT and SIGTERM handlers for the length of a ``with`` block (in the main thread
    only: elsewhere Python cannot install them, and the block changes nothing)."""

    def __init__(self) -> None:
        self._previous: dict[int, Handler] = {}
        self._holding = 0
        self._received: int | None = None

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                if signal.getsignal(number) is signal.SIG_IGN:
                    continue
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()

    def _handle(self, number: int, frame: FrameType | None) -> None:
        self._received = number
        if self._holding:
            return
        if _in_finaliser(frame):
            resend = threading.Timer(RESEND_AFTER, os.kill, (os.getpid(), number))
            resend.daemon = True
            resend.start()
            return
        raise Interrupted(number)

    def _raise_received(self) -> None:
        if self._received is not None:
            raise Interrupted(self._received)

    @contextmanager
    def held(self) -> Iterator[None]:
        """A stop signal received inside the block takes effect when it ends; one received
        before it (whose exception was lost) takes effect instead of the block."""
        if not self._holding:
            self._raise_received()
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding:
                self._raise_received()


def _in_finaliser(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs inside a ``__del__`` method, where an exception is lost."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


@dataclass
class Tally:
    """How far a run got: files whose turn came in the phase under way (inlining, or
    digesting for ``--duplicates``/``--store``)."""

    phase: str = "processed"
    handled: int = 0

    def start(self, phase: str) -> None:
        self.phase, self.handled = phase, 0

    def line(self, stop: KeyboardInterrupt, summary: Summary, *, writing: bool, storing: bool) -> str:
        """``interrupted: 7 files written, 23 not processed`` (``terminated`` for SIGTERM)."""
        what = "interrupted" if signal_of(stop) == signal.SIGINT else "terminated"
        parts = [f"{plural(summary.changed, 'file')} {'written' if writing else 'would change'}"]
        if storing:
            parts.append(f"{summary.stored} stored")
        parts.append(f"{max(0, summary.files - self.handled)} not {self.phase}")
        return f"{what}: " + ", ".join(parts)
