"""The figures of one run, returned to the caller and appended as one JSON line."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from ..result import InlineResult


@dataclass
class RunStats:
    items: int = 0
    """Items that got a result."""
    not_done: int = 0
    """Items given to a run that got no result: the batch was cancelled, or the run was
    interrupted or closed before their turn."""
    inlined: int = 0
    """Items in which at least one variable was inlined or dropped."""
    unchanged: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)
    """Items with a fallback, by reason (a module counts once, under its first reason)."""
    variables_inlined: int = 0
    executor: str = "thread"
    """What did the work: "caller" (the calling thread), "thread", "process" or "external"
    (an executor the caller passed in)."""
    parallel: int = 1
    workers_started: int = 0
    thread_starts_refused: int = 0
    budget_refusals: int = 0
    room_refusals: int = 0
    """Times the user's limit of tasks (``ulimit -u``) left no room for a thread or for
    the worker processes wanted, after the caller's reserve."""
    retries: int = 0
    backoff_seconds: float = 0.0
    ran_in_caller: int = 0
    process_pool_broken: int = 0
    chunks_sent: int = 0
    """Chunks of work sent to worker processes or to a caller's executor."""
    chunk_retries: int = 0
    chunks_done_here: int = 0
    """Chunks done in this process after all (a failed resend, a missed deadline, workers
    of another version, an executor that refused work)."""
    jobs_done_remotely: int = 0
    """Units (top-level functions) and whole modules done by workers."""
    cache_hits: int = 0
    cache_misses: int = 0
    cache_errors: int = 0
    wall_seconds: float = 0.0

    def count(self, result: InlineResult) -> None:
        self.items += 1
        self.variables_inlined += result.inlined
        if result.status == "fallback":
            reasons = Counter(self.fallbacks)
            reasons[result.reason_code.value if result.reason_code else "unknown"] += 1
            self.fallbacks = dict(sorted(reasons.items()))
        elif result.status == "inlined":
            self.inlined += 1
        else:
            self.unchanged += 1

    def to_json(self) -> dict[str, object]:
        return {"time": time.time(), **asdict(self)}


def append_line(path: str | os.PathLike[str], stats: RunStats) -> str | None:
    """Append the run's figures to ``path`` as one line; returns why not, if it failed."""
    line = json.dumps(stats.to_json(), sort_keys=True) + "\n"
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError as error:
        return f"cannot append telemetry to {os.fspath(path)}: {error.strerror or error}"
    return None
