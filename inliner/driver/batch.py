"""Inline many sources: in the calling thread, a bounded pool of threads, worker
processes or any ``concurrent.futures.Executor`` (a cluster), through the cache.

Scheduling lives here; the transformation lives in the engine. Each fallback below exists
so that a loaded machine costs speed, never results: no thread → the caller does the work;
no room for worker processes, no process pool, or a broken one → the items are done in
this process; a cluster that fails → its chunks are done here (see
:mod:`inliner.driver.chunks`).

Stopping is no fault: ``KeyboardInterrupt``, ``SystemExit`` and ``GeneratorExit`` are never
turned into results. They end the run where they arise, its own worker processes are
ended at once, and the items not yet done get no result at all (never a fallback that a
caller could mistake for an answer, or file in a store).
"""

from __future__ import annotations

import inspect
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import TYPE_CHECKING, Literal, cast

from ..options import InlineOptions
from ..result import InlineResult, internal_error
from . import lifeline, room
from .cancel import Cancellation
from .chunks import ChunkedRun, RemoteOptions
from .gate import gil_enabled, useful_threads
from .lookups import CacheCounts, inline_with_cache
from .pool import PROCESS_BUDGET, BoundedPool, in_library_worker
from .telemetry import RunStats, append_line

if TYPE_CHECKING:  # the cache module (and diskcache) is imported only when a cache is used
    from .cache import ResultCache

ExecutorKind = Literal["thread", "process", "auto"]
Executor = ExecutorKind | FuturesExecutor
EXECUTORS = ("thread", "process", "auto")

__all__ = ["AUTO_PROCESS_MIN_CHARACTERS", "BatchResults", "InlineBatch", "PROCESS_OVERHEAD_TASKS",
           "inline_many"]

AUTO_PROCESS_MIN_CHARACTERS = 500_000
"""``executor="auto"`` uses processes on a GIL build once a batch holds this much source:
from about there a fresh process, which must start its fork server, is never much slower
than the calling thread. A process that has run a process batch before gains much sooner,
so a pipeline with many batches may pass ``executor="process"`` itself. (The measurements
are in docs/benchmarks.md.)"""

PROCESS_OVERHEAD_TASKS = 4
"""Tasks a process pool costs besides its workers, against the user's limit: the fork
server, multiprocessing's resource tracker, and two threads of this process (the pool's
manager and its queue's feeder)."""


# -- the batch --------------------------------------------------------------------------------


class InlineBatch:
    """One run over many sources; ``run`` yields ``(index, result)`` as items finish and
    leaves the run's figures in ``stats``.

    Used as a context manager (``with InlineBatch(...) as batch:``), the block owns its
    runs: leaving it ends any run still going (its worker processes are ended, its threads
    finish the item they hold), and leaving it by an exception also cancels the batch.
    :meth:`cancel` (from any thread) drops the work not yet done and keeps what finished:
    the results already yielded stand, ``run`` yields nothing more, and no item starts.

    ``executor`` is ``"thread"``, ``"process"``, ``"auto"``, or an executor the caller owns
    (a Dask ``Client.get_executor()``, a ``ProcessPoolExecutor``, loky): work then goes to
    it in chunks (see :mod:`inliner.driver.chunks`, and ``remote`` for its options), and
    the batch never shuts it down. ``parallel`` is then the number of its workers, which
    sets how many chunks are out at once."""

    def __init__(self, options: InlineOptions | None = None, *, parallel: int = 4,
                 cache_dir: str | os.PathLike[str] | None = None, executor: Executor = "thread",
                 timeout: float | None = None, telemetry: str | os.PathLike[str] | None = None,
                 warn: Callable[[str], None] | None = None,
                 remote: RemoteOptions | None = None) -> None:
        if not isinstance(executor, FuturesExecutor) and executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {EXECUTORS} or a concurrent.futures.Executor, "
                             f"not {executor!r}")
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        options = options or InlineOptions()
        self.options = replace(options, timeout=timeout) if timeout is not None else options
        self.parallel = parallel
        self.cache_dir = None if cache_dir is None else os.fspath(cache_dir)
        self.executor = executor
        self.remote = remote or RemoteOptions()
        self.telemetry = telemetry
        self.warn = warn or (lambda message: print(f"inline-solvers: warning: {message}", file=sys.stderr))
        self.stats = RunStats(parallel=parallel)
        self._cancel = Cancellation()
        self._open_runs: dict[object, Generator[tuple[int, InlineResult], None, None]] = {}
        """Runs started and not yet ended, by a token of their own."""

    # -- stopping ---------------------------------------------------------------------------

    def cancel(self) -> None:
        """Drop the work not yet done: no item starts after this, and every run of the
        batch (now or later) yields nothing more. Results already yielded, and those the
        cache received, are kept. Safe to call from any thread; a run blocked waiting for
        workers wakes at once, one computing in the calling thread after its item."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def __enter__(self) -> InlineBatch:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is not None:
            self.cancel()
        for token, run in list(self._open_runs.items()):
            if inspect.getgeneratorstate(run) != inspect.GEN_RUNNING:  # one read elsewhere ends on the cancel
                run.close()
                self._open_runs.pop(token, None)  # closed before its start, it ran no finally

    def _choose_executor(self, sources: list[str]) -> str:
        """The kind of executor for this batch: "external" (the caller's), "process" or
        "thread"."""
        if isinstance(self.executor, FuturesExecutor):
            return "external"
        if self.executor != "auto":
            return self.executor
        if self.parallel < 2 or (os.cpu_count() or 1) < 2:
            return "thread"
        if not gil_enabled():
            return "thread"
        return "process" if sum(map(len, sources)) >= AUTO_PROCESS_MIN_CHARACTERS else "thread"

    def run(self, sources: Iterable[str]) -> Iterator[tuple[int, InlineResult]]:
        """Yield ``(index, result)`` for each source as it finishes, in no set order; once
        the batch is cancelled, nothing more (``stats.not_done`` counts what was left)."""
        token = object()
        run = self._open_runs[token] = self._run(sources, token)
        return run

    def _run(self, sources: Iterable[str], token: object) -> Generator[tuple[int, InlineResult], None, None]:
        started = time.perf_counter()
        items = sources if isinstance(sources, list) else list(sources)
        done = 0
        kind = self._choose_executor(items)
        if in_library_worker():
            kind = "thread"  # a pool inside a pool runs in its worker, see BoundedPool
        self.stats.executor = kind
        counts = CacheCounts()
        outcomes: Generator[tuple[int, InlineResult, CacheCounts], None, None] | None = None
        try:
            if self._cancel.is_set():
                return
            if kind == "external" and isinstance(self.executor, FuturesExecutor):  # always both, or neither
                outcomes = self._through(self.executor, items, owned=False)
            elif kind == "process":
                outcomes = self._in_processes(items)
            else:
                outcomes = self._in_threads(items)
            for index, result, item_counts in outcomes:
                if self._cancel.is_set():
                    return  # cancelled while it was being done: it is dropped like the rest
                counts.hits += item_counts.hits
                counts.misses += item_counts.misses
                self.stats.count(result)
                done += 1
                yield index, result
        finally:
            if outcomes is not None:
                # Ends the executor's work now (worker processes are ended, threads stop
                # taking items), not whenever the collector gets to it.
                outcomes.close()
            self._open_runs.pop(token, None)
            self.stats.not_done += len(items) - done
            self.stats.cache_hits, self.stats.cache_misses = counts.hits, counts.misses
            self.stats.wall_seconds = round(time.perf_counter() - started, 6)
            if self.telemetry is not None:
                problem = append_line(self.telemetry, self.stats)
                if problem:
                    self.warn(problem)

    def _open_cache(self) -> ResultCache | None:
        if self.cache_dir is None:
            return None
        from .cache import ResultCache

        return ResultCache.open(self.cache_dir, warn=self.warn)

    def _in_threads(self, items: list[str]) -> Generator[tuple[int, InlineResult, CacheCounts], None, None]:
        cache = self._open_cache()
        options = self.options

        def one(source: str) -> tuple[InlineResult, CacheCounts]:
            return inline_with_cache(source, options, cache)

        # On a GIL build one thread computes at a time (the gate), so the calling thread
        # is the only worker worth having; see gate.useful_threads.
        workers = useful_threads(self.parallel)
        self.stats.executor = "thread" if workers > 1 else "caller"
        pool: BoundedPool[str, tuple[InlineResult, CacheCounts]] = BoundedPool(one, workers)
        outcomes = pool.run(items, self._cancel)
        try:
            for index, outcome in outcomes:
                if isinstance(outcome, Exception):
                    yield index, internal_error(items[index], outcome), CacheCounts()
                else:
                    result, item_counts = cast("tuple[InlineResult, CacheCounts]", outcome)
                    yield index, result, item_counts
        finally:
            outcomes.close()
            self._record_pool(pool)
            if cache is not None:
                self.stats.cache_errors += cache.errors
                cache.close()

    def _record_pool(self, pool: BoundedPool[str, tuple[InlineResult, CacheCounts]]) -> None:
        stats = pool.stats
        self.stats.workers_started += stats.workers_started
        self.stats.thread_starts_refused += stats.thread_starts_refused
        self.stats.budget_refusals += stats.budget_refusals
        self.stats.room_refusals += stats.room_refusals
        self.stats.retries += stats.growth_retries
        self.stats.backoff_seconds = round(self.stats.backoff_seconds + stats.backoff_seconds, 6)
        self.stats.ran_in_caller += stats.ran_in_caller

    def _process_workers(self) -> int:
        """How many worker processes to start: ``parallel``, within the process-wide budget
        and the room the user's limit of tasks leaves (each acquired from the budget)."""
        wanted = self.parallel
        free = room.task_room()
        if free is not None and free - PROCESS_OVERHEAD_TASKS < wanted:
            self.stats.room_refusals += 1
            wanted = max(0, free - PROCESS_OVERHEAD_TASKS)
        granted = 0
        while granted < wanted and PROCESS_BUDGET.try_acquire():
            granted += 1
        if granted < wanted:
            self.stats.budget_refusals += 1
        if granted < min(self.parallel, 2):
            # One worker process beside an idle caller gains nothing over working here.
            for _ in range(granted):
                PROCESS_BUDGET.release()
            return 0
        return granted

    def _in_processes(self, items: list[str]) -> Generator[tuple[int, InlineResult, CacheCounts], None, None]:
        workers = self._process_workers()
        if workers == 0:
            self.stats.executor = "caller"
            yield from self._in_threads(items)
            return
        try:
            try:
                context: BaseContext
                if "forkserver" in multiprocessing.get_all_start_methods():
                    forkserver = multiprocessing.get_context("forkserver")
                    # Workers fork from a server that has imported the library (and libcst)
                    # once, instead of each importing it again; see forkserver_exit.
                    forkserver.set_forkserver_preload(["inliner.driver.forkserver_exit"])
                    context = forkserver
                else:
                    context = multiprocessing.get_context("spawn")
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                           initializer=lifeline.worker_started,
                                           initargs=(os.getpid(),))
            except (OSError, RuntimeError, ValueError) as error:
                self.warn(f"no process pool ({error}); working in this process")
                self.stats.executor = "caller"
                yield from self._in_threads(items)
                return
            self.stats.workers_started += workers
            finished = False
            try:
                yield from self._through(pool, items, owned=True, workers=workers)
                finished = not self._cancel.is_set()
            finally:
                if not finished:
                    # Interrupted (Ctrl-C, an error, the caller stopped reading, cancel):
                    # end the workers now rather than wait for what they hold.
                    _terminate_workers(pool)
                pool.shutdown(wait=True, cancel_futures=True)
        finally:
            for _ in range(workers):
                PROCESS_BUDGET.release()

    def _through(self, executor: FuturesExecutor, items: list[str], *, owned: bool,
                 workers: int | None = None) -> Generator[tuple[int, InlineResult, CacheCounts], None, None]:
        cache = self._open_cache()
        remote = replace(self.remote, check_versions=False) if owned else self.remote
        run = ChunkedRun(executor, self.options, workers=workers or self.parallel, cache=cache,
                        remote=remote, warn=self.warn, cancel=self._cancel)
        outcomes = run.run(items)
        try:
            yield from outcomes
        finally:
            outcomes.close()
            self.stats.chunks_sent += run.stats.chunks_sent
            self.stats.chunk_retries += run.stats.chunk_retries
            self.stats.chunks_done_here += run.stats.chunks_done_here
            self.stats.jobs_done_remotely += run.stats.jobs_done_remotely
            self.stats.process_pool_broken += int(run.stats.pool_broken)
            if cache is not None:
                self.stats.cache_errors += cache.errors
                cache.close()


def _terminate_workers(pool: ProcessPoolExecutor) -> None:
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass


class BatchResults(list[InlineResult]):
    """The results, one per source in input order, with the run's figures in ``stats``."""

    stats: RunStats


def inline_many(sources: Iterable[str], options: InlineOptions | None = None, *,
                parallel: int = 4, cache_dir: str | os.PathLike[str] | None = None,
                executor: Executor = "thread", timeout: float | None = None,
                telemetry: str | os.PathLike[str] | None = None,
                remote: RemoteOptions | None = None) -> BatchResults:
    """Inline every source; one result per source, in input order.

    At most ``parallel`` workers (processes with ``executor="process"``; threads on a
    free-threaded build, while on a GIL build the calling thread does the work) work at
    once; the library's threads and processes are bounded process-wide and by the user's
    limit of tasks, and a call from inside one of its own workers runs in that worker.
    ``executor`` may also be an executor the caller owns (a Dask ``Client.get_executor()``,
    a ``ProcessPoolExecutor``): work goes to it in chunks, and it is never shut down.
    ``timeout`` overrides the options' per-function time limit. When this returns, none of
    its work is still running in this process or in its own worker processes (a chunk a
    caller's executor did not return in time may still run there; its answer is unused).
    """
    items = list(sources)
    batch = InlineBatch(options, parallel=parallel, cache_dir=cache_dir, executor=executor,
                        timeout=timeout, telemetry=telemetry, remote=remote)
    results: list[InlineResult | None] = [None] * len(items)
    with batch:  # an interrupt anywhere here ends the work before it propagates
        for index, result in batch.run(items):
            results[index] = result
    # Every slot is filled: the run yields each item once, and only an exception (which
    # propagates from the with block) cancels it here.
    out = BatchResults(cast("list[InlineResult]", results))
    out.stats = batch.stats
    return out
