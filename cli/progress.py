"""The progress bar: count, rate and time left, on standard error, on a terminal only."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

PROGRESS_MINIMUM = 20
"""Runs over at least this many files show a progress bar on a terminal."""


class RateColumn(ProgressColumn):
    """Files per second (rich's own speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("? files/s" if speed is None else f"{speed:.1f} files/s", style="progress.data.speed")


class RunProgress:
    """A bar per pass of a run (``with RunProgress(...) as progress``), or nothing at all
    when standard error is not a terminal, the run is small, or it is not wanted."""

    def __init__(self, files: int, wanted: bool) -> None:
        self._bar: Progress | None = None
        if wanted and files >= PROGRESS_MINIMUM and sys.stderr.isatty():
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("files"), RateColumn(), TimeRemainingColumn(),
                # force_terminal: isatty() was asked already; TERM=dumb would only hide it.
                console=Console(file=sys.stderr, force_terminal=True),
                # Diffs go to standard output and must not pass through the bar's console.
                redirect_stdout=False, transient=True,
            )

    def __enter__(self) -> RunProgress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def task(self, description: str, total: int) -> Callable[[], None]:
        """A new bar of ``total`` steps; returns the function that advances it by one."""
        bar = self._bar
        if bar is None:
            return lambda: None
        task = bar.add_task(description, total=total)
        return lambda: bar.advance(task)
