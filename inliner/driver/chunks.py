"""Work sent to any ``concurrent.futures.Executor`` in chunks: the library's own process
pool, a caller's ``ProcessPoolExecutor`` or loky executor, a Dask ``Client.get_executor()``.

The grain is the unit (one top-level function or class, see :mod:`inliner.units`):
a module bigger than one chunk is split into its units, so that a few big files still
keep every worker busy; smaller modules travel whole. Jobs are packed into chunks of
about :data:`CHUNK_CHARACTERS` characters, so that the round trip to a worker is paid
once per chunk, and at most ``2 × workers`` chunks are out at once (the same sliding
window as the thread pool).

Faults cost speed, never results:

- a chunk whose future fails (its worker was killed, the connection was lost, it was
  cancelled) is sent once more, then done in the calling process;
- a chunk that is not back within its deadline is cancelled and done here, and the
  executor is not used again in this run: a cluster that lost its workers holds every
  chunk, and waiting for each in turn would be waiting for ever;
- an executor that refuses work (shut down, broken) is not used again; what is left is
  done here;
- results depend on the versions of inline-solvers, Python and libcst, and so do cache
  keys: before using a caller's executor, one probe asks a worker for its versions, and
  every chunk's answer carries them too; any difference means local work and one warning.

Cache lookups and writes stay in the calling process (workers need no shared disk), and
every result is applied exactly once: a chunk's answer is used only while the chunk is
still out, so an answer that arrives after the chunk was resent or done here is dropped.

A cancelled run (see :class:`inliner.driver.cancel.Cancellation`) sends nothing more,
wakes from any wait at once, and cancels what is still out.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, wait
from concurrent.futures import Executor as FuturesExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..analysis.visibility import ModuleNames
from ..engine import inline_source, inline_unit
from ..options import InlineOptions
from ..result import InlineResult, internal_error
from ..units import ModuleParts, assemble, split_module
from .cancel import Cancellation
from .gate import COMPUTE_GATE
from .lookups import (
    CacheCounts,
    cached_result,
    identity,
    module_key,
    never_cache,
    options_token,
    unit_key,
)
from .records import result_from_json, result_to_json

if TYPE_CHECKING:  # the cache module (and diskcache) is imported only when a cache is used
    from .cache import ResultCache

CHUNK_CHARACTERS = 12_000
"""Characters of source per chunk (about 27 generated functions of 440 characters): a
round trip to a worker is then a few percent of a chunk's work, and a 400-function module
still makes enough chunks to keep two to four workers busy to the end (docs/benchmarks.md
has the measurements)."""

CHUNK_DEADLINE = 300.0
"""Seconds a chunk may be out before it is done here instead (a chunk takes well under a
second of work; this only ends a wait on workers that are gone)."""

CANCEL_CHECK = 1.0
"""Seconds between looks for chunks cancelled behind the executor's back."""

PROBE_DEADLINE = 30.0
"""Seconds the first worker may take to report its versions (a cluster starting up)."""


@dataclass(frozen=True)
class RemoteOptions:
    """How work goes out to an executor's workers."""

    chunk_characters: int = CHUNK_CHARACTERS
    chunk_deadline: float | None = CHUNK_DEADLINE
    """Seconds from sending a chunk until it is done here instead; None waits for ever."""
    probe_deadline: float = PROBE_DEADLINE
    check_versions: bool = True
    """Probe a worker's versions before the first chunk (not needed for the library's own
    pool, whose workers are forked from this installation)."""

    def __post_init__(self) -> None:
        if self.chunk_characters < 1:
            raise ValueError("chunk_characters must be at least 1")
        if self.chunk_deadline is not None and not self.chunk_deadline > 0:
            raise ValueError("chunk_deadline must be positive, or None")
        if not self.probe_deadline > 0:
            raise ValueError("probe_deadline must be positive")


@dataclass(frozen=True)
class Job:
    """One unit of a module (``unit`` is its statement index), or a whole module."""

    item: int
    unit: int | None
    text: str
    flags: int = 0
    names: ModuleNames | None = None


def compute(job: Job, options: InlineOptions) -> InlineResult:
    with COMPUTE_GATE.passage():
        if job.unit is None or job.names is None:
            return inline_source(job.text, options)
        return inline_unit(job.text, options, job.flags, job.names)


# -- on the worker ------------------------------------------------------------------------------


def worker_identity() -> str:
    """Run on a worker: its versions (see :func:`inliner.driver.lookups.identity`)."""
    return identity()


def run_chunk(options: InlineOptions, jobs: tuple[Job, ...]) -> tuple[str, list[dict[str, Any]]]:
    """Run on a worker: the chunk's results as JSON objects (plain data, checked field by
    field on the way back, as cached results are), with the worker's versions."""
    return identity(), [result_to_json(compute(job, options)) for job in jobs]


# -- in the caller ------------------------------------------------------------------------------


@dataclass
class RemoteStats:
    chunks_sent: int = 0
    chunk_retries: int = 0
    chunks_done_here: int = 0
    jobs_done_remotely: int = 0
    pool_broken: bool = False


@dataclass
class _Module:
    index: int
    source: str
    counts: CacheCounts
    parts: ModuleParts | None = None
    keys: dict[int, str] = field(default_factory=dict)
    results: dict[int, InlineResult] = field(default_factory=dict)
    waiting: int = 0
    whole: bool = False
    module_key: str | None = None


@dataclass
class _Chunk:
    jobs: tuple[Job, ...]
    attempts: int = 0
    deadline: float | None = None


class ChunkedRun:
    """One run's work through ``executor``; ``run`` yields ``(index, result, counts)`` as
    modules finish. The executor is the caller's (or the batch's): never shut down here."""

    def __init__(self, executor: FuturesExecutor, options: InlineOptions, *, workers: int,
                 cache: ResultCache | None = None, remote: RemoteOptions = RemoteOptions(),
                 warn: Callable[[str], None] = lambda message: None,
                 cancel: Cancellation | None = None) -> None:
        self.executor = executor
        self.options = options
        self.window = 2 * max(1, workers)
        self.cache = cache
        self.remote = remote
        self.warn = warn
        self.stats = RemoteStats()
        self.token = options_token(options)
        self.cancel = cancel or Cancellation()
        self._usable = True
        self._warned = False
        self._modules: dict[int, _Module] = {}
        self._pending: dict[Future[Any], _Chunk] = {}
        self._finished: deque[tuple[int, InlineResult, CacheCounts]] = deque()
        self._outbox: deque[_Chunk] = deque()
        """Chunks to send (again): filled while collecting, sent by the run's loop, so
        that collecting never waits for more chunks to come back."""

    # -- the run ----------------------------------------------------------------------------

    def run(self, items: list[str]) -> Generator[tuple[int, InlineResult, CacheCounts], None, None]:
        if self.remote.check_versions:
            self._usable = self._probe()
        buffer: list[Job] = []
        size = 0
        try:
            for index, source in enumerate(items):
                if self.cancel.is_set():
                    return
                for job in self._prepare(index, source):
                    buffer.append(job)
                    size += len(job.text)
                    if size >= self.remote.chunk_characters:
                        self._outbox.append(_Chunk(tuple(buffer)))
                        buffer, size = [], 0
                        self._flush()
                        yield from self._drain()
                yield from self._drain()
            if buffer:
                self._outbox.append(_Chunk(tuple(buffer)))
            self._flush()
            while (self._pending or self._outbox) and not self.cancel.is_set():
                if self._pending:
                    self._collect()
                self._flush()
                yield from self._drain()
            yield from self._drain()
        finally:
            for future in self._pending:
                future.cancel()  # a caller's executor: drop what is still queued there

    def _drain(self) -> Iterator[tuple[int, InlineResult, CacheCounts]]:
        while self._finished:
            yield self._finished.popleft()

    def _lose(self, message: str) -> None:
        """Stop using the executor for this run; say why once."""
        self._usable = False
        if not self._warned:
            self._warned = True
            self.warn(message)

    def _probe(self) -> bool:
        try:
            future = self.executor.submit(worker_identity)
        except Exception as error:  # noqa: BLE001 - any refusal means: work here
            self._lose(f"the executor refused work ({error!r}); working in this process")
            return False
        waiting: list[Future[Any]] = [future, self.cancel.future]
        wait(waiting, timeout=self.remote.probe_deadline, return_when=FIRST_COMPLETED)
        if self.cancel.is_set():
            future.cancel()
            return False
        if not future.done():
            future.cancel()
            self._lose(f"no worker answered within {self.remote.probe_deadline:g} s; "
                       "working in this process")
            return False
        try:
            theirs = future.result()
        except (Exception, CancelledError) as error:  # noqa: BLE001 - no usable worker
            self._lose(f"the workers cannot run inline-solvers ({error!r}); working in this process")
            return False
        if theirs != identity():
            self._lose(f"the workers run {theirs}, this process {identity()}: "
                       "working in this process (results and cache keys depend on it)")
            return False
        return True

    # -- preparing a module: cache lookups, then jobs -------------------------------------------

    def _prepare(self, index: int, source: str) -> list[Job]:
        module = _Module(index, source, CacheCounts())
        self._modules[index] = module
        split = self.cache is not None or (
            len(source) > self.remote.chunk_characters and not self.options.drop_dead)
        # Without a cache, only a module bigger than a chunk is split: a smaller one gains
        # nothing, and splitting costs a parse here. Under drop_dead a module may need
        # more than one pass, which only the whole-module call makes.
        parts = split_module(source, self.options) if split else None
        if self.cache is not None:
            # What the module's calls do comes from other files too: their facts are in the key.
            token = self.token if parts is None else f"{self.token};{parts.names.calls.token()}"
            module.module_key = module_key(source, token)
            hit = cached_result(self.cache, module.module_key, module.counts)
            if hit is not None:
                self._finish(module, hit, store=False)
                return []
        if parts is None or not parts.units:
            return [self._whole(module)]
        module.parts = parts
        jobs = []
        for unit in parts.units:
            if self.cache is not None:
                key = module.keys[unit.index] = unit_key(parts, unit, self.token)
                hit = cached_result(self.cache, key, module.counts)
                if hit is not None:
                    module.results[unit.index] = hit
                    continue
            jobs.append(Job(index, unit.index, unit.text, parts.flags, parts.names))
        module.waiting = len(jobs)
        if not jobs:
            self._assemble(module)
        return jobs

    def _whole(self, module: _Module) -> Job:
        module.whole = True
        return Job(module.index, None, module.source)

    # -- sending and collecting ------------------------------------------------------------------

    def _flush(self) -> None:
        while self._outbox and not self.cancel.is_set():
            self._send(self._outbox.popleft())

    def _send(self, chunk: _Chunk) -> None:
        while self._usable and len(self._pending) >= self.window and not self.cancel.is_set():
            self._collect()
        if self.cancel.is_set():
            return
        if not self._usable:
            self._here(chunk)
            return
        chunk.attempts += 1
        try:
            future = self.executor.submit(run_chunk, self.options, chunk.jobs)
        except BrokenProcessPool:
            self.stats.pool_broken = True
            self._usable = False
            self._here(chunk)
            return
        except Exception as error:  # noqa: BLE001 - shut down, closed, broken: work here
            self._lose(f"the executor refused work ({error!r}); working in this process")
            self._here(chunk)
            return
        self.stats.chunks_sent += 1
        if self.remote.chunk_deadline is not None:
            chunk.deadline = time.monotonic() + self.remote.chunk_deadline
        self._pending[future] = chunk

    def _collect(self) -> None:
        """Wait for at least one chunk to come back (or to run out of time) and apply it."""
        # A future cancelled outside its executor's loop never counts as done for wait():
        # look for those first, and look again at least every CANCEL_CHECK seconds.
        done = {f for f in self._pending if f.cancelled()}
        if not done:
            deadlines = [c.deadline for c in self._pending.values() if c.deadline is not None]
            timeout = CANCEL_CHECK if not deadlines else \
                min(CANCEL_CHECK, max(0.0, min(deadlines) - time.monotonic()))
            waiting: list[Future[Any]] = [*self._pending, self.cancel.future]
            done, _ = wait(waiting, timeout=timeout, return_when=FIRST_COMPLETED)
            if self.cancel.is_set():
                return
        for future in done:
            chunk = self._pending.pop(future)
            try:
                theirs, data = future.result()
            except BrokenProcessPool:
                self.stats.pool_broken = True
                self._usable = False
                self._retry(chunk)
                continue
            except (Exception, CancelledError):  # noqa: BLE001 - a worker or the link failed
                self._retry(chunk)
                continue
            if theirs != identity():
                self._lose(f"a worker runs {theirs}, this process {identity()}: "
                           "working in this process (results and cache keys depend on it)")
                self._here(chunk)
                continue
            self.stats.jobs_done_remotely += len(chunk.jobs)
            for job, result_data in zip(chunk.jobs, data, strict=True):
                self._apply(job, _checked(job, result_data))
        now = time.monotonic()
        late = [f for f, c in self._pending.items() if c.deadline is not None and c.deadline <= now]
        if late:
            self._lose(f"a chunk was not back within {self.remote.chunk_deadline:g} s; "
                       "working in this process")
            for future in list(self._pending):
                # The executor is given up on: everything still out is done here.
                future.cancel()
                self._here(self._pending.pop(future))

    def _retry(self, chunk: _Chunk) -> None:
        if self._usable and chunk.attempts < 2:
            self.stats.chunk_retries += 1
            self._outbox.append(chunk)
        else:
            self._here(chunk)

    def _here(self, chunk: _Chunk) -> None:
        self.stats.chunks_done_here += 1
        for job in chunk.jobs:
            if self.cancel.is_set():
                return
            self._apply(job, compute(job, self.options))

    # -- results ------------------------------------------------------------------------------------

    def _apply(self, job: Job, result: InlineResult) -> None:
        module = self._modules.get(job.item)
        if module is None:
            return  # already finished
        if job.unit is None:
            self._finish(module, result)
            return
        if module.whole:
            return  # being done whole: this unit's answer is not needed
        if result.status == "fallback" and not result.functions:
            # The unit could not be handled on its own: do the whole module.
            self._outbox.append(_Chunk((self._whole(module),)))
            return
        module.results[job.unit] = result
        key = module.keys.get(job.unit)
        if key is not None and self.cache is not None and not never_cache(result):
            self.cache.set(key, result_to_json(result))
        module.waiting -= 1
        if module.waiting == 0:
            self._assemble(module)

    def _assemble(self, module: _Module) -> None:
        assert module.parts is not None
        result = assemble(module.source, module.parts, module.results,
                          canonical=not self.options.preserve_format)
        self._finish(module, result)

    def _finish(self, module: _Module, result: InlineResult, *, store: bool = True) -> None:
        if self._modules.pop(module.index, None) is None:
            return
        if store and self.cache is not None and module.module_key is not None and not never_cache(result):
            self.cache.set(module.module_key, result_to_json(result))
        self._finished.append((module.index, result, module.counts))


def _checked(job: Job, data: Any) -> InlineResult:
    try:
        return result_from_json(data)
    except ValueError as error:
        return internal_error(job.text, error)
