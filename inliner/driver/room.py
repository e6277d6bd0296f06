"""Room under the per-user limit of processes and threads (``ulimit -u``, RLIMIT_NPROC).

The kernel counts every task (each thread of each process) of a user against that
user's RLIMIT_NPROC. A library that starts threads or worker processes up to the limit
takes them from its caller: a pipeline's own pool, started lazily, is then refused a
thread and fails. So before starting a task the library looks at the limit and at what
the user already runs, and keeps a reserve for the caller.

The reserve is half of the limit (at least :data:`MIN_RESERVE` tasks): the library
cannot know how many threads its caller will start later, and half leaves a pipeline
room to double what it runs. Under realistic limits (thousands of tasks) half is still
far more than the library's own bound (see :mod:`inliner.driver.pool`); under a tight
one (``ulimit -u 12``) the library mostly works in the calling thread, which is what a
tight limit asks for.

Root, and a user without a limit, are not limited by the kernel: then there is no
check (and no cost). Elsewhere the count reads ``/proc`` (Linux); where it cannot be
read, the limit alone is known and the library assumes it has room.
"""

from __future__ import annotations

import os
from collections.abc import Callable

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX
    resource = None  # type: ignore[assignment]  # a module or None: mypy types the name as the module only

MIN_RESERVE = 4
"""Tasks always left to the caller, however small the limit."""

PROC = "/proc"


def nproc_limit() -> int | None:
    """The soft RLIMIT_NPROC that applies to this process, or None when none does."""
    if resource is None or not hasattr(resource, "RLIMIT_NPROC"):
        return None
    if os.getuid() == 0:
        return None  # the kernel does not hold root to it
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    return int(soft)


def reserve_for(limit: int) -> int:
    """Tasks of the user's limit the library leaves to its caller."""
    return max(MIN_RESERVE, limit // 2)


def user_tasks(uid: int | None = None, proc: str = PROC) -> int | None:
    """How many tasks (threads of every process) the user with real id ``uid`` runs, as
    the kernel counts them for RLIMIT_NPROC; None when ``/proc`` cannot tell."""
    uid = os.getuid() if uid is None else uid
    try:
        entries = os.listdir(proc)
    except OSError:
        return None
    total = 0
    seen_any = False
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"{proc}/{entry}/status", "rb") as handle:
                status = handle.read()
        except OSError:
            continue  # gone meanwhile, or hidden from us
        real_uid = threads = None
        for line in status.split(b"\n"):
            if line.startswith(b"Uid:"):
                real_uid = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
        if real_uid is None or threads is None:
            continue
        seen_any = True
        if real_uid == uid:
            total += threads
    return total if seen_any else None


def task_room(limit: Callable[[], int | None] = nproc_limit,
              tasks: Callable[[], int | None] = user_tasks) -> int | None:
    """How many more tasks the library may start now, keeping the caller's reserve; None
    when no limit applies (or the user's tasks cannot be counted)."""
    bound = limit()
    if bound is None:
        return None
    running = tasks()
    if running is None:
        return None
    return max(0, bound - reserve_for(bound) - running)
