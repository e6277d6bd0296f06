"""Faults injected into the workers of a run, from the tests only (no tests in here).

The library sends :func:`inliner.driver.chunks.run_chunk` to its workers by reference,
so a test replaces it (``monkeypatch``) with :func:`crashing_worker`'s stand-in: a
module-level function and its argument, which the worker process unpickles by importing
this module (the fork server has the tests' ``sys.path``).
"""

from __future__ import annotations

import functools
import os
from typing import Any

import pytest

from inliner.driver import chunks as remote
from inliner.options import InlineOptions

CRASH_STATUS = 70
_REAL_RUN_CHUNK = remote.run_chunk


def run_chunk_or_crash(marker: str, options: InlineOptions,
                       jobs: tuple[remote.Job, ...]) -> tuple[str, list[dict[str, Any]]]:
    """The worker's chunk, unless a job's text holds ``marker``: then the worker process
    dies on the spot (``os._exit``), as one killed by the OS would."""
    if any(marker in job.text for job in jobs):
        os._exit(CRASH_STATUS)
    return _REAL_RUN_CHUNK(options, jobs)


def crashing_worker(monkeypatch: pytest.MonkeyPatch, marker: str) -> None:
    """For the rest of the test, a worker given a job whose text holds ``marker`` dies."""
    monkeypatch.setattr(remote, "run_chunk", functools.partial(run_chunk_or_crash, marker))
