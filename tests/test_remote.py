"""Work through an executor: the caller's own, the library's process pool, executors that
fail, lose their workers, refuse work or run another version. Nothing is lost, nothing
is applied twice, results are the sequential ones, and the run always ends."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor

import pytest

import inliner
from fixture_runner import fixture_modules
from inliner import InlineOptions, inline_many, inline_source
from inliner.driver import chunks as remote_module
from inliner.driver.chunks import RemoteOptions

MODULES = [p.read_text() for p in fixture_modules()]
SMALL = [f"def f{k}(a):\n    x = g(a, {k})\n    y = x + {k}\n    return h(y)\n" for k in range(60)]
ITEMS = [MODULES[0], *SMALL[:30], MODULES[-1], *SMALL[30:]]
SMALL_CHUNKS = RemoteOptions(chunk_characters=600, chunk_deadline=None, probe_deadline=60)


@pytest.fixture(scope="module")
def sequential() -> dict[str, str]:
    return {s: inline_source(s).code for s in ITEMS}


class ScriptedExecutor(Executor):
    """Runs each call at once in the calling thread, or fails it, or never answers, as
    ``behave(fn, attempt)`` says ("ok", "fail", "hang", "refuse"). Records every call."""

    def __init__(self, behave) -> None:  # type: ignore[no-untyped-def]
        self.behave = behave
        self.calls: list[tuple[str, tuple]] = []
        self.hanging: list[Future] = []
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self._lock:
            self.calls.append((fn.__name__, args))
            attempt = sum(1 for name, a in self.calls if name == fn.__name__ and a == args)
        what = self.behave(fn, attempt)
        if what == "refuse":
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()
        if what == "ok":
            future.set_result(fn(*args, **kwargs))
        elif what == "fail":
            future.set_exception(OSError("connection to the worker lost"))
        elif what == "cancel":
            future.cancel()
        else:
            self.hanging.append(future)
        return future

    def chunk_calls(self) -> list[tuple]:
        return [args for name, args in self.calls if name == "run_chunk"]


def codes(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.code for r in results]


def run_batch(items, executor, remote=SMALL_CHUNKS, **kwargs):  # type: ignore[no-untyped-def]
    """inline_many through InlineBatch (to collect warnings), checking exactly-once."""
    warned: list[str] = []
    batch = inliner.InlineBatch(InlineOptions(), parallel=2, executor=executor, remote=remote,
                                warn=warned.append, **kwargs)
    seen: list[int] = []
    results: dict[int, object] = {}
    for index, result in batch.run(items):
        seen.append(index)
        results[index] = result
    assert sorted(seen) == list(range(len(items)))  # each item exactly once
    return [results[i] for i in range(len(items))], batch.stats, warned


def test_a_callers_process_pool_does_the_work_and_stays_open(sequential):
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        results, stats, warned = run_batch(ITEMS, pool)
        assert pool.submit(sum, [1, 2]).result() == 3  # never shut down by the library
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert stats.executor == "external" and warned == []
    assert stats.jobs_done_remotely >= len(ITEMS) and stats.chunks_done_here == 0
    assert stats.chunks_sent > 2


def test_a_failed_chunk_is_sent_once_more(sequential):
    executor = ScriptedExecutor(lambda fn, attempt: "fail" if fn.__name__ == "run_chunk" and attempt == 1 else "ok")
    results, stats, warned = run_batch(ITEMS, executor)
    assert codes(results) == [sequential[s] for s in ITEMS]
    chunks = executor.chunk_calls()
    assert stats.chunk_retries == stats.chunks_sent // 2 > 0
    assert all(chunks.count(c) == 2 for c in chunks)  # every chunk twice: failed, then resent
    assert stats.chunks_done_here == 0 and warned == []


@pytest.mark.parametrize("failure", ["fail", "cancel"])
def test_a_chunk_failing_twice_is_done_here(sequential, failure):
    executor = ScriptedExecutor(lambda fn, attempt: failure if fn.__name__ == "run_chunk" else "ok")
    results, stats, _ = run_batch(ITEMS, executor)
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert stats.jobs_done_remotely == 0
    assert stats.chunks_done_here == stats.chunk_retries == stats.chunks_sent // 2 > 0


def test_a_cluster_that_lost_its_workers_never_hangs_the_run(sequential):
    """The probe is answered, then no chunk ever comes back: the first chunk's deadline
    gives the executor up, and everything is done here."""
    executor = ScriptedExecutor(lambda fn, attempt: "hang" if fn.__name__ == "run_chunk" else "ok")
    patient = RemoteOptions(chunk_characters=600, chunk_deadline=0.2, probe_deadline=60)
    results, stats, warned = run_batch(ITEMS, executor, remote=patient)
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert stats.jobs_done_remotely == 0 and stats.chunks_done_here >= stats.chunks_sent > 0
    assert len(warned) == 1 and "not back within" in warned[0]
    assert all(f.cancelled() for f in executor.hanging)


def test_no_worker_answering_the_probe_means_local_work(sequential):
    executor = ScriptedExecutor(lambda fn, attempt: "hang")
    impatient = RemoteOptions(chunk_characters=600, probe_deadline=0.2)
    results, stats, warned = run_batch(ITEMS, executor, remote=impatient)
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert executor.chunk_calls() == [] and stats.chunks_sent == 0
    assert len(warned) == 1 and "no worker answered" in warned[0]


def test_an_executor_that_refuses_work_is_not_used(sequential):
    executor = ScriptedExecutor(lambda fn, attempt: "refuse" if fn.__name__ == "run_chunk" else "ok")
    results, stats, warned = run_batch(ITEMS, executor)
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert len(executor.chunk_calls()) == 1  # refused once, then never asked again
    assert len(warned) == 1 and "refused work" in warned[0]


def _pretend_another_version() -> None:
    inliner.__version__ = "0.0.1"


def test_workers_of_another_version_are_not_used(sequential):
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(2, mp_context=context, initializer=_pretend_another_version) as pool:
        results, stats, warned = run_batch(ITEMS, pool)
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert stats.chunks_sent == 0 and stats.jobs_done_remotely == 0
    assert len(warned) == 1 and "inline-solvers=0.0.1" in warned[0]


def test_a_chunk_answered_by_another_version_is_redone_here(sequential, monkeypatch):
    """The probe may meet a right worker and a chunk a wrong one (a mixed cluster)."""
    real = remote_module.run_chunk

    def from_an_old_worker(*args):  # type: ignore[no-untyped-def]
        _, data = real(*args)
        return "inline-solvers=0.0.1;python=3.0;libcst=0", data

    monkeypatch.setattr(remote_module, "run_chunk", from_an_old_worker)
    executor = ScriptedExecutor(lambda fn, attempt: "ok")
    results, stats, warned = run_batch(ITEMS, executor)
    assert codes(results) == [sequential[s] for s in ITEMS]
    assert stats.jobs_done_remotely == 0 and stats.chunks_done_here >= 1
    assert len(warned) == 1 and "0.0.1" in warned[0]


def test_the_cache_is_read_and_written_here_only(tmp_path, sequential):
    """Workers get only what the cache lacks, and never a path: a warm run sends nothing."""
    executor = ScriptedExecutor(lambda fn, attempt: "ok")
    cold, cold_stats, _ = run_batch(ITEMS, executor, cache_dir=tmp_path)
    assert cold_stats.chunks_sent > 0
    assert not any(str(tmp_path) in repr(args) for args in executor.chunk_calls())
    again = ScriptedExecutor(lambda fn, attempt: "ok")
    warm, warm_stats, _ = run_batch(ITEMS, again, cache_dir=tmp_path)
    assert again.chunk_calls() == [] and warm_stats.cache_hits == len(ITEMS)
    assert codes(cold) == codes(warm) == [sequential[s] for s in ITEMS]


def test_one_big_module_keeps_two_worker_processes_busy():
    """Units are the grain: one module bigger than a chunk goes out as many chunks, and
    the whole is what the engine makes of the module."""
    module = max(MODULES, key=len)
    functions = module.count("\ndef ")
    assert len(module) > 12_000, "the fixture is too small to need splitting"
    results = inline_many([module], parallel=2, executor="process",
                          remote=RemoteOptions(chunk_characters=len(module) // 6))
    assert results[0] == inline_source(module)
    assert results.stats.workers_started == 2
    assert results.stats.chunks_sent >= 6
    assert results.stats.jobs_done_remotely >= functions
