"""A bounded pool of worker threads that treats thread exhaustion as normal.

Why not ``ThreadPoolExecutor``: its ``submit`` queues the work item *before* it tries to
start a thread, so when the start fails (``RuntimeError: can't start new thread``) the item
is queued anyway: retrying ``submit`` runs it twice, and with no worker alive it waits
forever. This pool starts its own threads and hands out work only to threads that exist;
when it has none, the calling thread does the work itself. Nothing is lost or run twice.

Threads started by the library are bounded process-wide by one shared budget (not one per
call), and a call made from inside one of the pool's own workers never starts threads.
Before starting one, the pool also asks :mod:`inliner.driver.room` whether the user's
limit of tasks (``ulimit -u``) leaves room after the caller's reserve; without room it
works with the threads it has, and with none the calling thread does the work.

Only an ``Exception`` is a result: ``KeyboardInterrupt``, ``SystemExit`` and
``GeneratorExit`` stop the run. Raised in the calling thread they pass straight through;
raised in a worker they are raised again in the calling thread. Either way the items not
yet started are dropped, and the workers finish the one item each holds and end.
"""

from __future__ import annotations

import enum
import errno
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from . import room
from .cancel import Cancellation

T = TypeVar("T")
R = TypeVar("R")

_BACKOFF_FIRST = 0.005
_BACKOFF_LAST = 1.0
_WINDOW_PER_WORKER = 2


def _default_thread_limit() -> int:
    configured = os.environ.get("INLINE_SOLVERS_MAX_THREADS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return min(32, 4 * (os.cpu_count() or 1))


class TaskBudget:
    """How many more tasks (threads, or worker processes) the library may start, shared by
    every pool in the process that draws on it."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._in_use = 0

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def in_use(self) -> int:
        return self._in_use

    def set_limit(self, limit: int) -> None:
        if limit < 0:
            raise ValueError("the thread limit cannot be negative")
        with self._lock:
            self._limit = limit

    def try_acquire(self) -> bool:
        with self._lock:
            if self._in_use >= self._limit:
                return False
            self._in_use += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._in_use -= 1

    def forget_threads(self) -> None:
        """In a child made by fork: no thread of the parent exists here."""
        self._lock = threading.Lock()
        self._in_use = 0


BUDGET = TaskBudget(_default_thread_limit())
PROCESS_BUDGET = TaskBudget(max(1, os.cpu_count() or 1))
"""Worker processes of the library's own pools, process-wide: more than one per core
cannot run at once, and nested calls (many pipeline threads each asking for a process
pool) must not multiply them. A call that gets none works in this process."""
_local = threading.local()
_GROWTH = threading.Lock()
"""Held while a pool counts the user's tasks and starts threads in the room it found, so
that two pools growing at once do not both take the same room."""


def _after_fork_in_child() -> None:
    """A child made by fork has none of the library's threads or worker processes: it
    starts with the whole budgets, and no lock held by a thread that is not there."""
    global _GROWTH
    BUDGET.forget_threads()
    PROCESS_BUDGET.forget_threads()
    _GROWTH = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def set_thread_limit(limit: int) -> None:
    """Bound the number of threads the library keeps running at once, process-wide."""
    BUDGET.set_limit(limit)


def in_library_worker() -> bool:
    return getattr(_local, "worker", False)


def is_thread_exhaustion(error: BaseException) -> bool:
    """The ways CPython reports that the OS refused a new thread."""
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return True
    return isinstance(error, OSError) and error.errno in (errno.EAGAIN, errno.ENOMEM)


def start_thread(thread: threading.Thread) -> None:
    """Start ``thread`` (a seam for fault injection in tests)."""
    thread.start()


@dataclass
class PoolStats:
    workers_started: int = 0
    thread_starts_refused: int = 0
    budget_refusals: int = 0
    room_refusals: int = 0
    growth_retries: int = 0
    backoff_seconds: float = 0.0
    ran_in_caller: int = 0


class _Stop(enum.Enum):
    """What tells a worker to end, in the queue of tasks."""

    STOP = "stop"


_STOP = _Stop.STOP


@dataclass(frozen=True)
class _Escaped:
    """A worker's item raised what stops a run (``KeyboardInterrupt``, ``SystemExit``):
    the calling thread raises it again."""

    error: BaseException


class BoundedPool(Generic[T, R]):
    """Apply ``function`` to items with at most ``parallel`` threads doing the work.

    ``run`` yields ``(index, outcome)`` pairs as items finish, where ``outcome`` is the
    result or the ``Exception`` the function raised. At most ``2 * parallel`` items are
    handed out at once (a sliding window: a new item goes out as soon as one comes back).
    Once ``cancel`` is set, no item starts and ``run`` ends.
    """

    def __init__(self, function: Callable[[T], R], parallel: int, *,
                 budget: TaskBudget = BUDGET) -> None:
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        self.function = function
        self.parallel = parallel
        self.budget = budget
        self.stats = PoolStats()
        self._tasks: queue.SimpleQueue[tuple[int, T] | _Stop] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[tuple[int, object]] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._alive = 0
        self._alive_lock = threading.Lock()
        self._backoff = _BACKOFF_FIRST
        self._next_growth = 0.0

    # -- workers --------------------------------------------------------------------------

    def _work(self) -> None:
        _local.worker = True
        try:
            while True:
                task = self._tasks.get()
                if isinstance(task, _Stop):
                    return
                index, item = task
                try:
                    outcome = self._call(item)
                except BaseException as error:  # noqa: BLE001 - raised again by the caller
                    self._results.put((index, _Escaped(error)))
                    return
                self._results.put((index, outcome))
        finally:
            with self._alive_lock:
                self._alive -= 1
            self.budget.release()

    def _call(self, item: T) -> object:
        try:
            return self.function(item)
        except Exception as error:  # noqa: BLE001 - handed back to the caller as data
            return error

    def _try_grow(self, wanted: int) -> None:
        """Start workers up to ``wanted``; on refusal, back off before trying again."""
        now = time.monotonic()
        if now < self._next_growth:
            return
        with _GROWTH:
            self._grow(wanted, now)

    def _grow(self, wanted: int, now: float) -> None:
        free = room.task_room()
        while len(self._workers) < wanted:
            if free is not None and free < 1:
                # The user's limit of tasks: what is left belongs to the caller.
                self.stats.room_refusals += 1
                self._schedule_retry(now)
                return
            if not self.budget.try_acquire():
                self.stats.budget_refusals += 1
                self._schedule_retry(now)
                return
            thread = threading.Thread(target=self._work, name="inline-solvers-worker", daemon=True)
            with self._alive_lock:
                self._alive += 1
            try:
                start_thread(thread)
            except BaseException as error:  # undo the count whatever it was; only exhaustion is kept
                with self._alive_lock:
                    self._alive -= 1
                self.budget.release()
                if not is_thread_exhaustion(error):
                    raise
                self.stats.thread_starts_refused += 1
                self._schedule_retry(now)
                return
            self._workers.append(thread)
            self.stats.workers_started += 1
            if free is not None:
                free -= 1
            self._backoff = _BACKOFF_FIRST

    def _schedule_retry(self, now: float) -> None:
        self._next_growth = now + self._backoff
        self.stats.backoff_seconds += self._backoff
        self.stats.growth_retries += 1
        self._backoff = min(self._backoff * 2, _BACKOFF_LAST)

    # -- the caller's loop ----------------------------------------------------------------

    def run(self, items: Iterable[T],
            cancel: Cancellation | None = None) -> Generator[tuple[int, object], None, None]:
        if cancel is None:
            cancel = Cancellation()
        if in_library_worker() or self.parallel == 1:
            # From one of our own workers: never a pool inside a pool. With one worker the
            # calling thread is that worker: a thread would only cost its start.
            for index, item in enumerate(items):
                if cancel.is_set():
                    return
                self.stats.ran_in_caller += 1
                yield index, self._call(item)
            return
        source = enumerate(items)
        window = _WINDOW_PER_WORKER * self.parallel
        handed_out = 0
        exhausted = False
        try:
            while not cancel.is_set():
                while not exhausted and handed_out < window:
                    task = next(source, None)
                    if task is None:
                        exhausted = True
                        break
                    self._tasks.put(task)
                    handed_out += 1
                if handed_out == 0:
                    return
                if len(self._workers) < min(self.parallel, handed_out):
                    self._try_grow(min(self.parallel, handed_out))
                finished = self._next_outcome(cancel)
                if finished is None:
                    return
                index, outcome = finished
                if isinstance(outcome, _Escaped):
                    raise outcome.error
                handed_out -= 1
                yield index, outcome
        finally:
            # Whatever ended the run (its end, cancel, an interrupt, the caller's close),
            # items not yet started are dropped: each worker ends after the one it holds.
            while self._take_task() is not None:
                pass
            for _ in self._workers:
                self._tasks.put(_STOP)
            for thread in self._workers:
                thread.join()

    def _take_task(self) -> tuple[int, T] | None:
        try:
            task = self._tasks.get_nowait()
        except queue.Empty:
            return None
        if isinstance(task, _Stop):
            # Never so: a pool runs once, and its stops go in after this was last called.
            return None
        return task

    def _next_outcome(self, cancel: Cancellation) -> tuple[int, object] | None:
        """The next finished item: from a worker, or done here when no worker is alive;
        None once ``cancel`` is set."""
        while not cancel.is_set():
            if self._alive == 0:
                task = self._take_task()
                if task is not None:
                    index, item = task
                    self.stats.ran_in_caller += 1
                    return index, self._call(item)
            try:
                return self._results.get(timeout=0.05)
            except queue.Empty:
                if len(self._workers) < self.parallel:
                    self._try_grow(self.parallel)
        return None
