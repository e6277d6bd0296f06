"""Inline many sources: in a bounded pool of threads or processes, through the cache.

Scheduling lives here; the transformation lives in the engine. Each fallback below exists
so that a loaded machine costs speed, never results: no thread → the caller does the work;
no process pool, or a broken one → the items are done in this process.
"""

from __future__ import annotations

import functools
import importlib.metadata
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Literal

from ..collector import tune_garbage_collector
from ..engine import inline_source, inline_unit
from ..options import InlineOptions
from ..reasons import FallbackReason
from ..result import InlineResult, internal_error
from .gate import COMPUTE_GATE, gil_enabled
from .pool import BoundedPool, in_library_worker
from .records import result_from_json, result_to_json
from .telemetry import RunStats, append_line
from .units import assemble, split_module

Executor = Literal["thread", "process", "auto"]
EXECUTORS = ("thread", "process", "auto")

AUTO_PROCESS_MIN_CHARACTERS = 100_000
"""``executor="auto"`` uses processes on a GIL build once a batch holds this much source.
Measured by ``benchmarks/run.py`` (two cores, parallel 2): processes finished first from
about 90,000 characters in a fresh process, which must start its fork server (the command
line), and from about 22,000 in one that has run a process batch before (a pipeline)."""


@dataclass
class CacheCounts:
    hits: int = 0
    misses: int = 0
    errors: int = 0


@functools.lru_cache(maxsize=1)
def _environment_token() -> str:
    """What besides the options decides the output: ``ast.unparse`` and libcst's code
    generation may change between versions."""
    try:
        libcst_version = importlib.metadata.version("libcst")
    except importlib.metadata.PackageNotFoundError:
        libcst_version = "unknown"
    return f"python={sys.version_info.major}.{sys.version_info.minor};libcst={libcst_version}"


_CIRCUMSTANTIAL = (FallbackReason.TIMEOUT, FallbackReason.OUT_OF_MEMORY)


def _never_cache(result: InlineResult) -> bool:
    """A timeout depends on the machine's load, a shortage of memory on the process's
    limit, not on the code: never remember them."""
    return result.reason_code in _CIRCUMSTANTIAL or any(f.reason in _CIRCUMSTANTIAL for f in result.functions)


def _cached(cache, key: str, counts: CacheCounts) -> InlineResult | None:  # type: ignore[no-untyped-def]
    data = cache.get(key)
    if data is None:
        counts.misses += 1
        return None
    try:
        result = result_from_json(data)
    except ValueError:
        counts.misses += 1
        return None
    counts.hits += 1
    return result


def inline_with_cache(source: str, options: InlineOptions, cache) -> tuple[InlineResult, CacheCounts]:  # type: ignore[no-untyped-def]
    """One source through the cache: one lookup for a module seen before, then one per
    top-level function or class, so that changing one function recomputes one."""
    counts = CacheCounts()
    if cache is None:
        with COMPUTE_GATE.passage():
            return inline_source(source, options), counts
    from .cache import cache_key  # local: the cache module is only needed with a cache

    token = f"{options.cache_token()};{_environment_token()}"
    module_key = cache_key("module", source, token)
    result = _cached(cache, module_key, counts)
    if result is not None:
        return result, counts
    parts = split_module(source)
    result = None
    if parts is not None and parts.units:
        unit_results = {}
        for unit in parts.units:
            context = parts.names.context_token(parts.tree.body[unit.index])
            key = cache_key("unit", unit.text, f"{token};flags={parts.flags};names={context}")
            unit_result = _cached(cache, key, counts)
            if unit_result is None:
                with COMPUTE_GATE.passage():
                    unit_result = inline_unit(unit.text, options, parts.flags, parts.names)
                if unit_result.status == "fallback" and not unit_result.functions:
                    break  # the unit could not be handled on its own: do the whole module
                if not _never_cache(unit_result):
                    cache.set(key, result_to_json(unit_result))
            unit_results[unit.index] = unit_result
        else:
            result = assemble(source, parts, unit_results, canonical=not options.preserve_format)
    if result is None:
        with COMPUTE_GATE.passage():
            result = inline_source(source, options)
    if not _never_cache(result):
        cache.set(module_key, result_to_json(result))
    return result, counts


# -- process workers ------------------------------------------------------------------------

_process_caches: dict[str, object] = {}
CRASH_MARKER_VARIABLE = "INLINE_SOLVERS_CRASH_MARKER"
"""Fault injection for tests: a worker process given a source containing this variable's
value dies on the spot (``os._exit``), as a worker killed by the OS would."""


def _process_item(job: tuple[str, InlineOptions, str | None, str | None]) -> tuple[InlineResult, CacheCounts]:
    source, options, cache_dir, crash_marker = job
    if crash_marker and crash_marker in source:
        os._exit(70)
    cache = None
    if cache_dir is not None:
        from .cache import ResultCache

        cache = _process_caches.get(cache_dir)
        if cache is None:
            cache = _process_caches[cache_dir] = ResultCache.open(cache_dir, warn=lambda m: None)
    return inline_with_cache(source, options, cache)


# -- the batch --------------------------------------------------------------------------------


class InlineBatch:
    """One run over many sources; ``run`` yields ``(index, result)`` as items finish and
    leaves the run's figures in ``stats``."""

    def __init__(self, options: InlineOptions | None = None, *, parallel: int = 4,
                 cache_dir: str | os.PathLike[str] | None = None, executor: Executor = "thread",
                 timeout: float | None = None, telemetry: str | os.PathLike[str] | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        if executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
        if parallel < 1:
            raise ValueError("parallel must be at least 1")
        options = options or InlineOptions()
        self.options = replace(options, timeout=timeout) if timeout is not None else options
        self.parallel = parallel
        self.cache_dir = None if cache_dir is None else os.fspath(cache_dir)
        self.executor = executor
        self.telemetry = telemetry
        self.warn = warn or (lambda message: print(f"inline-solvers: warning: {message}", file=sys.stderr))
        self.stats = RunStats(parallel=parallel)

    def _choose_executor(self, sources: list[str]) -> str:
        if self.executor != "auto":
            return self.executor
        if self.parallel < 2 or (os.cpu_count() or 1) < 2:
            return "thread"
        if not gil_enabled():
            return "thread"
        return "process" if sum(map(len, sources)) >= AUTO_PROCESS_MIN_CHARACTERS else "thread"

    def run(self, sources: Iterable[str]) -> Iterator[tuple[int, InlineResult]]:
        started = time.perf_counter()
        items = sources if isinstance(sources, list) else list(sources)
        executor = self._choose_executor(items)
        if in_library_worker():
            executor = "thread"  # a pool inside a pool runs in its worker, see BoundedPool
        self.stats.executor = executor
        counts = CacheCounts()
        try:
            outcomes = self._in_processes(items) if executor == "process" else self._in_threads(items)
            for index, result, item_counts in outcomes:
                counts.hits += item_counts.hits
                counts.misses += item_counts.misses
                self.stats.count(result)
                yield index, result
        finally:
            self.stats.cache_hits, self.stats.cache_misses = counts.hits, counts.misses
            self.stats.wall_seconds = round(time.perf_counter() - started, 6)
            if self.telemetry is not None:
                problem = append_line(self.telemetry, self.stats)
                if problem:
                    self.warn(problem)

    def _open_cache(self):  # type: ignore[no-untyped-def]
        if self.cache_dir is None:
            return None
        from .cache import ResultCache

        return ResultCache.open(self.cache_dir, warn=self.warn)

    def _in_threads(self, items: list[str]) -> Iterator[tuple[int, InlineResult, CacheCounts]]:
        cache = self._open_cache()
        options = self.options

        def one(source: str) -> tuple[InlineResult, CacheCounts]:
            return inline_with_cache(source, options, cache)

        pool: BoundedPool[str, tuple[InlineResult, CacheCounts]] = BoundedPool(one, self.parallel)
        try:
            for index, outcome in pool.run(items):
                if isinstance(outcome, BaseException):
                    yield index, internal_error(items[index], outcome), CacheCounts()
                else:
                    result, item_counts = outcome  # type: ignore[misc]
                    yield index, result, item_counts
        finally:
            self._record_pool(pool)
            if cache is not None:
                self.stats.cache_errors += cache.errors
                cache.close()

    def _record_pool(self, pool: BoundedPool) -> None:  # type: ignore[type-arg]
        stats = pool.stats
        self.stats.workers_started += stats.workers_started
        self.stats.thread_starts_refused += stats.thread_starts_refused
        self.stats.budget_refusals += stats.budget_refusals
        self.stats.retries += stats.growth_retries
        self.stats.backoff_seconds = round(self.stats.backoff_seconds + stats.backoff_seconds, 6)
        self.stats.ran_in_caller += stats.ran_in_caller

    def _in_processes(self, items: list[str]) -> Iterator[tuple[int, InlineResult, CacheCounts]]:
        try:
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                # Workers fork from a server that has imported the library (and libcst)
                # once, instead of each importing it again.
                context.set_forkserver_preload(["inliner.driver.batch"])
            else:
                context = multiprocessing.get_context("spawn")
            executor = ProcessPoolExecutor(max_workers=self.parallel, mp_context=context,
                                           initializer=tune_garbage_collector)
        except (OSError, RuntimeError, ValueError) as error:
            self.warn(f"no process pool ({error}); using threads")
            self.stats.executor = "thread"
            yield from self._in_threads(items)
            return
        window = 2 * self.parallel
        crash_marker = os.environ.get(CRASH_MARKER_VARIABLE) or None
        pending: dict[Future, int] = {}
        remaining = iter(enumerate(items))
        leftover: list[int] = []
        try:
            for index, source in remaining:
                try:
                    job = (source, self.options, self.cache_dir, crash_marker)
                    pending[executor.submit(_process_item, job)] = index
                except (BrokenProcessPool, RuntimeError, OSError):
                    leftover.append(index)
                    break
                while len(pending) >= window:
                    yield from self._collect(pending, items, leftover)
            while pending:
                yield from self._collect(pending, items, leftover)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        if leftover:
            # A worker died (or the pool would not start one): finish here, losing nothing.
            self.stats.process_pool_broken += 1
            leftover.extend(index for index, _ in remaining)
            for index, result, counts in self._in_threads_indexed(items, sorted(leftover)):
                yield index, result, counts

    def _collect(self, pending: dict[Future, int], items: list[str],
                 leftover: list[int]) -> Iterator[tuple[int, InlineResult, CacheCounts]]:
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in done:
            index = pending.pop(future)
            try:
                result, counts = future.result()
            except BrokenProcessPool:
                leftover.append(index)
                continue
            except Exception as error:  # noqa: BLE001
                yield index, internal_error(items[index], error), CacheCounts()
                continue
            yield index, result, counts

    def _in_threads_indexed(self, items: list[str],
                            indices: list[int]) -> Iterator[tuple[int, InlineResult, CacheCounts]]:
        for position, result, counts in self._in_threads([items[i] for i in indices]):
            yield indices[position], result, counts


class BatchResults(list):  # type: ignore[type-arg]
    """The results, one per source in input order, with the run's figures in ``stats``."""

    stats: RunStats


def inline_many(sources: Iterable[str], options: InlineOptions | None = None, *,
                parallel: int = 4, cache_dir: str | os.PathLike[str] | None = None,
                executor: Executor = "thread", timeout: float | None = None,
                telemetry: str | os.PathLike[str] | None = None) -> BatchResults:
    """Inline every source; one result per source, in input order.

    At most ``parallel`` workers (threads, or processes with ``executor="process"``) work
    at once, the library's threads are bounded process-wide, and a call from inside one of
    its own workers runs in that worker. ``timeout`` overrides the options' per-function
    time limit. When this returns, none of its work is still running.
    """
    items = list(sources)
    batch = InlineBatch(options, parallel=parallel, cache_dir=cache_dir, executor=executor,
                        timeout=timeout, telemetry=telemetry)
    results: list[InlineResult | None] = [None] * len(items)
    for index, result in batch.run(items):
        results[index] = result
    out = BatchResults(results)
    out.stats = batch.stats
    return out
