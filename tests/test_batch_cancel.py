"""Stopping a batch: ``cancel()``, the with-block, and interrupts that are never results.

A cancelled batch keeps the results it yielded, yields nothing more, starts nothing more
and ends its worker processes; a ``KeyboardInterrupt`` or ``SystemExit`` raised while an
item is worked on ends the run instead of becoming that item's result, so a store fed
from the batch holds only canonical texts.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fixture_runner import fixture_modules
from inliner import (CANONICAL, InlineBatch, canonical_form, inline_source, prepare_store, renamed_functions,
                     store_canonical)
from inliner.driver import lookups as lookups_module
from inliner.driver import chunks as remote_module
from inliner.driver.pool import BUDGET, BoundedPool
from inliner.driver.chunks import RemoteOptions

SMALL = [f"def f{k}(a):\n    x = g(a, {k})\n    return h(x)\n" for k in range(40)]
MODULES = [p.read_text() for p in fixture_modules()]


@pytest.fixture(autouse=True)
def nothing_left_running():
    yield
    assert [t for t in threading.enumerate() if t.name == "inline-solvers-worker"] == []
    assert BUDGET.in_use == 0
    assert multiprocessing.active_children() == []


def counting(monkeypatch) -> list[str]:
    """Count the sources the calling thread computes (the real function still does it)."""
    computed: list[str] = []
    real = lookups_module.inline_source

    def inline_source_counted(source, options=None):
        computed.append(source)
        return real(source, options)

    monkeypatch.setattr(lookups_module, "inline_source", inline_source_counted)
    return computed


def test_cancel_keeps_what_finished_and_runs_no_more(monkeypatch):
    computed = counting(monkeypatch)
    kept = {}
    with InlineBatch(parallel=1) as batch:
        for index, result in batch.run(SMALL):
            kept[index] = result
            if len(kept) == 5:
                batch.cancel()
        assert list(batch.run(SMALL)) == []  # a cancelled batch starts nothing
    assert len(kept) == 5 and len(computed) == 5
    assert all(kept[k].code == inline_source(SMALL[k]).code for k in kept)
    assert batch.cancelled and batch.stats.items == 5
    assert batch.stats.not_done == len(SMALL) - 5 + len(SMALL)


def test_cancel_ends_the_worker_processes_at_once():
    sources = [*MODULES, *MODULES]
    with InlineBatch(parallel=2, executor="process") as batch:
        kept = []
        for index, result in batch.run(sources):
            kept.append(index)
            batch.cancel()
        # Out of the loop: the run has ended, and with it its worker processes.
        assert multiprocessing.active_children() == []
    assert len(kept) == 1 and batch.stats.not_done == len(sources) - 1


def test_leaving_the_block_by_an_exception_cancels_and_ends_the_run():
    class Stop(Exception):
        pass

    with pytest.raises(Stop):
        with InlineBatch(parallel=2, executor="process") as batch:
            for _ in batch.run([*MODULES, *MODULES]):
                raise Stop
    assert batch.cancelled
    assert multiprocessing.active_children() == []  # not left for the collector to end


def test_a_cancel_from_another_thread_ends_a_run_waiting_on_its_executor(monkeypatch):
    """The run waits on a chunk its executor never finishes (no deadline): only the
    cancel can end it."""
    started, release = threading.Event(), threading.Event()

    def stuck_chunk(options, jobs):
        started.set()
        release.wait()
        return remote_module.identity(), []

    monkeypatch.setattr(remote_module, "run_chunk", stuck_chunk)
    results: list[object] = []
    with ThreadPoolExecutor(1) as executor:
        batch = InlineBatch(parallel=1, executor=executor, remote=RemoteOptions(chunk_deadline=None))
        reader = threading.Thread(target=lambda: results.extend(batch.run(SMALL)))
        reader.start()
        try:
            assert started.wait(timeout=60)
            batch.cancel()
            reader.join(timeout=60)
            assert not reader.is_alive(), "the run did not end on cancel"
        finally:
            release.set()
            reader.join()
    assert results == [] and batch.cancelled and batch.stats.not_done == len(SMALL)


# -- interrupts are never results ------------------------------------------------------------


@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit])
def test_a_stop_raised_in_a_worker_thread_is_raised_in_the_caller(stop):
    calls = []

    def work(item: int) -> int:
        calls.append(item)
        if item == 3:
            raise stop
        return item

    with pytest.raises(stop):
        list(BoundedPool(work, parallel=2).run(range(50)))
    assert len(calls) < 50  # the items not yet started were dropped


def test_an_interrupted_batch_stores_only_canonical_texts(tmp_path, monkeypatch):
    """The README's loop into a store, with a real SIGINT arriving while the fifth
    function is worked on: the interrupt ends the loop, and what the store received is
    the canonical text of the functions done before it."""
    functions = [f for source in MODULES for f in renamed_functions(source)][:40]
    canonical_texts = {canonical_form(f, inline_source(f.text, CANONICAL)).text for f in functions}
    assert not canonical_texts & {f.text for f in functions}  # every one is changed by inlining
    real = lookups_module.inline_source
    calls = [0]

    def interrupted_on_the_fifth(source, options=None):
        calls[0] += 1
        if calls[0] == 5:
            os.kill(os.getpid(), signal.SIGINT)  # Python's own handler: KeyboardInterrupt here
        return real(source, options)

    monkeypatch.setattr(lookups_module, "inline_source", interrupted_on_the_fifth)
    store = prepare_store(tmp_path / "store")
    with pytest.raises(KeyboardInterrupt):
        with InlineBatch(CANONICAL, parallel=1) as batch:
            for index, result in batch.run(f.text for f in functions):
                canonical = canonical_form(functions[index], result)
                if not canonical.circumstantial:
                    store_canonical(store, canonical)
    stored = {path.read_text() for path in store.iterdir()}
    assert all(hashlib.md5(path.read_bytes()).hexdigest() == path.stem for path in store.iterdir())
    assert stored <= canonical_texts
    assert 0 < len(stored) < len(functions)
