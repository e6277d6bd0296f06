"""The driver under faults: refused threads, nested pools, deadlines, killed processes."""

from __future__ import annotations

import errno
import json
import os
import random
import threading

import pytest

from fixture_runner import fixture_modules
from inliner import FallbackReason, InlineOptions, inline_many, inline_source
from inliner.driver import lookups as lookups_module
from inliner.driver import pool as pool_module
from inliner.driver.gate import COMPUTE_GATE, ComputeGate, gil_enabled
from inliner.driver.pool import BUDGET, BoundedPool, TaskBudget
from inliner.rewrite import preserving
from worker_faults import crashing_worker

SOURCES = [p.read_text() for p in fixture_modules()]
SMALL = [f"def f{k}(a):\n    x = g(a, {k})\n    return x\n" for k in range(40)]


def library_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "inline-solvers-worker"]


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    yield
    assert library_threads() == []
    assert BUDGET.in_use == 0


@pytest.fixture(scope="module")
def sequential():
    return {source: inline_source(source) for source in [SOURCES[0], SOURCES[-1], *SMALL]}


def refusing(refuse: callable):
    """A thread starter that refuses when ``refuse(attempt)`` says so, as the OS would."""
    attempts = [0]

    def start(thread: threading.Thread) -> None:
        attempts[0] += 1
        error = refuse(attempts[0])
        if error is not None:
            raise error
        thread.start()

    return start


CANT = RuntimeError("can't start new thread")


@pytest.mark.parametrize("refuse", [
    lambda n: CANT if n <= 3 else None,
    lambda n, rng=random.Random(7): CANT if rng.random() < 0.5 else None,
    lambda n: CANT,
    lambda n: OSError(errno.EAGAIN, "Resource temporarily unavailable") if n % 2 else None,
], ids=["first-three", "at-random", "always", "eagain"])
def test_refused_threads_lose_nothing_and_run_nothing_twice(monkeypatch, sequential, refuse):
    monkeypatch.setattr(pool_module, "start_thread", refusing(refuse))
    seen: list[str] = []
    lock = threading.Lock()

    def work(source: str):
        with lock:
            seen.append(source)
        return inline_source(source)

    pool = BoundedPool(work, parallel=8)
    outcomes = dict(pool.run(SMALL))
    assert sorted(outcomes) == list(range(len(SMALL)))
    assert sorted(seen) == sorted(SMALL)  # each item ran exactly once
    assert [outcomes[i].code for i in range(len(SMALL))] == [sequential[s].code for s in SMALL]
    assert pool.stats.thread_starts_refused > 0


def test_always_refused_means_the_caller_does_everything(monkeypatch):
    monkeypatch.setattr(pool_module, "start_thread", refusing(lambda n: CANT))
    pool = BoundedPool(lambda x: x * 2, parallel=4)
    assert sorted(pool.run(range(10))) == [(i, 2 * i) for i in range(10)]
    assert pool.stats.workers_started == 0 and pool.stats.ran_in_caller == 10


def test_other_start_errors_are_not_swallowed(monkeypatch):
    monkeypatch.setattr(pool_module, "start_thread", refusing(lambda n: ValueError("bug")))
    with pytest.raises(ValueError):
        list(BoundedPool(lambda x: x, parallel=2).run(range(3)))


def test_sliding_window_bounds_work_in_flight():
    handed, done, worst = [0], [0], [0]
    lock = threading.Lock()

    def items():
        for k in range(200):
            with lock:
                handed[0] += 1
            yield k

    def work(x: int) -> int:
        with lock:
            worst[0] = max(worst[0], handed[0] - done[0])
        with lock:
            done[0] += 1
        return x

    pool = BoundedPool(work, parallel=3)
    assert sorted(pool.run(items())) == [(k, k) for k in range(200)]
    assert worst[0] <= 2 * 3


def test_budget_is_shared_by_concurrent_callers(monkeypatch):
    budget = TaskBudget(4)
    peak = [0]
    lock = threading.Lock()

    def work(x: int) -> int:
        with lock:
            peak[0] = max(peak[0], budget.in_use)
        return x

    def caller(offset: int) -> list[tuple[int, int]]:
        return sorted(BoundedPool(work, parallel=8, budget=budget).run(range(offset, offset + 30)))

    threads_out: dict[int, list] = {}
    callers = [threading.Thread(target=lambda k=k: threads_out.__setitem__(k, caller(k * 100)))
               for k in range(6)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert peak[0] <= 4
    assert budget.in_use == 0
    assert all(threads_out[k] == [(i, k * 100 + i) for i in range(30)] for k in range(6))


def test_a_call_from_a_worker_never_starts_a_pool(sequential):
    inner_stats = []

    def work(source: str):
        results = inline_many([source, source], parallel=8)
        inner_stats.append(results.stats)
        return results[0]

    pool = BoundedPool(work, parallel=4)
    outcomes = dict(pool.run(SMALL[:8]))
    assert [outcomes[i].code for i in range(8)] == [sequential[s].code for s in SMALL[:8]]
    assert all(s.workers_started == 0 for s in inner_stats)


def test_many_pipeline_threads_calling_inline_many(sequential):
    results: dict[int, list] = {}

    def pipeline(k: int) -> None:
        results[k] = [r.code for r in inline_many(SMALL, parallel=8)]

    callers = [threading.Thread(target=pipeline, args=(k,)) for k in range(6)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert all(results[k] == [sequential[s].code for s in SMALL] for k in range(6))


def test_a_deadline_inside_the_inliner_returns_every_item_as_it_was():
    items = [SOURCES[0], SOURCES[-1], *SMALL[:6]]
    results = inline_many(items, parallel=3, timeout=1e-9)
    assert [r.code for r in results] == items
    assert {r.reason_code.value for r in results} == {"timeout"}
    assert results.stats.fallbacks == {"timeout": len(items)}


@pytest.mark.parametrize("executor", ["thread", "process", "auto"])
def test_results_in_input_order_equal_sequential(sequential, executor):
    items = [SOURCES[0], SOURCES[-1], *SMALL]
    results = inline_many(items, parallel=2, executor=executor)
    assert [r.code for r in results] == [sequential[s].code for s in items]
    assert results.stats.items == len(items)


def test_a_killed_worker_process_loses_nothing(monkeypatch, sequential):
    marker = "# crash the worker that reads this"
    poisoned = SMALL[3] + marker + "\n"
    crashing_worker(monkeypatch, marker)
    items = [*SMALL[:3], poisoned, *SMALL[4:12]]
    results = inline_many(items, parallel=2, executor="process")
    assert results.stats.process_pool_broken == 1
    assert [r.code for r in results] == [inline_source(s).code for s in items]


def test_telemetry_appends_one_line_per_run(tmp_path):
    path = tmp_path / "runs.jsonl"
    inline_many(SMALL[:5], parallel=2, telemetry=path)
    inline_many(["def f(:\n"], parallel=2, telemetry=path)
    first, second = [json.loads(line) for line in path.read_text().splitlines()]
    assert first["items"] == 5 and first["inlined"] == 5 and first["fallbacks"] == {}
    assert second["fallbacks"] == {"parse-error": 1}
    assert {"thread_starts_refused", "retries", "backoff_seconds", "cache_hits",
            "cache_misses", "wall_seconds"} <= set(first)


# -- through the cache ---------------------------------------------------------------------


def test_cold_and_warm_runs_through_the_cache_equal_the_engine(tmp_path):
    items = [SOURCES[0], SOURCES[-1], *SMALL[:5]]
    for options in (InlineOptions(), InlineOptions(policy="pure", expand="all", preserve_format=False)):
        direct = [inline_source(s, options) for s in items]
        cache = tmp_path / f"cache-{options.preserve_format}"
        cold = inline_many(items, options, parallel=2, cache_dir=cache)
        warm = inline_many(items, options, parallel=2, cache_dir=cache)
        assert list(cold) == direct
        assert list(warm) == direct
        assert cold.stats.cache_hits == 0
        assert warm.stats.cache_hits == len(items) and warm.stats.cache_misses == 0


def test_one_changed_function_recomputes_one_unit(tmp_path, monkeypatch):
    module = SOURCES[-1]
    inline_many([module], parallel=1, cache_dir=tmp_path)
    changed = module.replace("def solve_", "def solve_changed_", 1)
    computed: list[str] = []
    real = lookups_module.inline_unit
    monkeypatch.setattr(lookups_module, "inline_unit", lambda text, *a: computed.append(text) or real(text, *a))
    result = inline_many([changed], parallel=1, cache_dir=tmp_path)[0]
    assert len(computed) == 1 and "def solve_changed_" in computed[0]
    assert result == inline_source(changed)


def test_options_are_part_of_the_key(tmp_path):
    inline_many(SMALL[:3], InlineOptions(), parallel=1, cache_dir=tmp_path)
    other = inline_many(SMALL[:3], InlineOptions(preserve_format=False), parallel=1, cache_dir=tmp_path)
    assert other.stats.cache_hits == 0
    assert [r.code for r in other] == [inline_source(s, InlineOptions(preserve_format=False)).code
                                       for s in SMALL[:3]]


def test_a_timeout_is_never_remembered(tmp_path):
    inline_many(SMALL[:3], parallel=1, cache_dir=tmp_path, timeout=1e-9)
    again = inline_many(SMALL[:3], parallel=1, cache_dir=tmp_path)
    assert again.stats.cache_hits == 0
    assert all(r.status == "inlined" for r in again)


def test_a_shortage_of_memory_is_never_remembered(tmp_path, monkeypatch):
    """Under ``ulimit -v`` a unit may be too big for libcst: that is the process's limit,
    not the code's property, so a later run without the limit must inline it."""
    monkeypatch.setattr(preserving, "plain_unit", lambda text: False)  # the libcst path
    monkeypatch.setattr(preserving, "libcst_may_not_fit", lambda characters: True)
    short = inline_many(SMALL[:3], parallel=1, cache_dir=tmp_path)
    assert {f.reason for r in short for f in r.functions} == {FallbackReason.OUT_OF_MEMORY}
    monkeypatch.undo()
    again = inline_many(SMALL[:3], parallel=1, cache_dir=tmp_path)
    assert again.stats.cache_hits == 0
    assert all(r.status == "inlined" for r in again)


def test_a_corrupt_cache_warns_once_and_results_stay_right(tmp_path, capsys):
    cache = tmp_path / "cache"
    inline_many(SMALL[:3], parallel=1, cache_dir=cache)
    (cache / "cache.db").write_bytes(b"this is not a database" * 100)
    results = inline_many(SMALL[:5], parallel=2, cache_dir=cache)
    assert [r.code for r in results] == [inline_source(s).code for s in SMALL[:5]]
    assert capsys.readouterr().err.count("warning") == 1


def test_process_workers_share_the_cache(tmp_path):
    items = [SOURCES[-1], *SMALL[:6]]
    inline_many(items, parallel=2, executor="process", cache_dir=tmp_path)
    warm = inline_many(items, parallel=2, executor="process", cache_dir=tmp_path)
    assert warm.stats.cache_hits == len(items)
    assert [r.code for r in warm] == [inline_source(s).code for s in items]


# -- the compute gate ------------------------------------------------------------------------


@pytest.mark.skipif(not gil_enabled(), reason="a free-threaded build lets the library's threads compute at once")
def test_on_a_gil_build_one_library_thread_computes_at_a_time(monkeypatch):
    """Two workers inside the inliner at once would meet at the barrier; through the gate
    the first one waits there alone until the barrier gives up. (``inline_many`` starts no
    thread on a GIL build, so the pool is driven directly, as a free-threaded build or a
    caller's own threads would drive the gate.)"""
    meeting = threading.Barrier(2, timeout=1.0)
    met = []
    real = lookups_module.inline_source

    def probe(source, options=None):
        try:
            meeting.wait()
            met.append(source)
        except threading.BrokenBarrierError:
            pass
        return real(source, options)

    monkeypatch.setattr(lookups_module, "inline_source", probe)
    pool = BoundedPool(lambda s: lookups_module.inline_with_cache(s, InlineOptions(), None)[0], parallel=4)
    outcomes = dict(pool.run(SMALL[:4]))
    assert pool.stats.workers_started > 1
    assert met == []
    assert [outcomes[i].code for i in range(4)] == [inline_source(s).code for s in SMALL[:4]]


@pytest.mark.skipif(not gil_enabled(), reason="a free-threaded build uses one thread per worker")
@pytest.mark.parametrize("with_cache", [False, True], ids=["no-cache", "cache"])
def test_on_a_gil_build_the_thread_executor_starts_no_thread(monkeypatch, tmp_path, with_cache):
    """Only one thread computes at a time, and the cache is too quick to overlap: the
    calling thread does all the work (see gate.useful_threads for the measurements)."""
    seen: list[int] = []
    real = lookups_module.inline_source

    def probe(source, options=None):
        seen.append(len(library_threads()))
        return real(source, options)

    monkeypatch.setattr(lookups_module, "inline_source", probe)
    items = [SOURCES[0], *SMALL[:6], "def f(:\n"]  # the broken one goes whole, through inline_source
    results = inline_many(items, parallel=8, executor="thread",
                          cache_dir=tmp_path / "cache" if with_cache else None)
    assert [r.code for r in results] == [inline_source(s).code for s in items]
    assert results.stats.workers_started == 0 and results.stats.executor == "caller"
    assert results.stats.ran_in_caller == len(items)
    assert seen and set(seen) == {0}


def test_the_gate_is_re_entrant_within_a_thread_and_bounds_the_others():
    gate = ComputeGate(1)
    inside = threading.Event()
    release = threading.Event()

    def first():
        with gate.passage(), gate.passage():  # nested: must not wait for itself
            inside.set()
            release.wait()

    one = threading.Thread(target=first)
    one.start()
    assert inside.wait(5)
    assert not gate._semaphore.acquire(blocking=False)  # the only slot is taken
    release.set()
    one.join(5)
    assert not one.is_alive()
    assert gate._semaphore.acquire(blocking=False)  # given back once, not twice
    assert not gate._semaphore.acquire(blocking=False)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_while_threads_compute_can_compute_and_start_threads():
    """The pipeline may fork (the default start method before Python 3.14) while one of
    the library's threads holds the gate and the budget: the child must not inherit them."""
    inside, release = threading.Event(), threading.Event()

    def hold():
        with COMPUTE_GATE.passage():
            inside.set()
            release.wait()

    assert BUDGET.try_acquire()
    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(5)
        child = os.fork()
        if child == 0:  # the child: report through the exit status, never return to pytest
            ok = COMPUTE_GATE._semaphore.acquire(blocking=False) and BUDGET.in_use == 0
            if ok:
                COMPUTE_GATE._semaphore.release()
            results = inline_many(SMALL[:4], parallel=2, executor="thread") if ok else []
            os._exit(0 if ok and [r.status for r in results] == ["inlined"] * 4 else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        release.set()
        holder.join()
        BUDGET.release()


# -- room under the user's limit of tasks ------------------------------------------------------


@pytest.mark.parametrize("limit, running, room_left", [
    (None, 500, None),     # root, or no limit: no check
    (12, 2, 4),            # half of 12 kept for the caller: 6 - 2
    (12, 6, 0),
    (12, 11, 0),           # never negative
    (6, 1, 1),             # at least 4 kept, even when half is less
    (4096, 100, 1948),
])
def test_room_keeps_half_the_limit_for_the_caller(limit, running, room_left):
    from inliner.driver.room import task_room

    assert task_room(limit=lambda: limit, tasks=lambda: running) == room_left


def test_user_tasks_counts_threads_of_the_real_user_only(tmp_path):
    from inliner.driver.room import user_tasks

    for pid, uid, threads in [(1, 0, 3), (20, 65534, 4), (31, 65534, 2), (44, 1000, 9)]:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "status").write_text(
            f"Name:\tx\nUid:\t{uid}\t0\t{uid}\t{uid}\nThreads:\t{threads}\n")
    (tmp_path / "self").mkdir()
    (tmp_path / "77").mkdir()  # gone meanwhile: no status file
    assert user_tasks(65534, proc=str(tmp_path)) == 6
    assert user_tasks(4242, proc=str(tmp_path)) == 0
    assert user_tasks(65534, proc=str(tmp_path / "missing")) is None


def test_a_pool_without_room_works_in_the_calling_thread(monkeypatch):
    monkeypatch.setattr(pool_module.room, "task_room", lambda: 0)
    pool = BoundedPool(lambda x: x + 1, parallel=4)
    assert sorted(pool.run(range(12))) == [(i, i + 1) for i in range(12)]
    assert pool.stats.workers_started == 0 and pool.stats.thread_starts_refused == 0
    assert pool.stats.room_refusals > 0 and pool.stats.ran_in_caller == 12


def test_no_room_for_worker_processes_means_work_here(monkeypatch, sequential):
    from inliner.driver import room

    monkeypatch.setattr(room, "task_room", lambda: 5)  # 4 go to the pool's overhead: 1 worker
    items = SMALL[:6]
    results = inline_many(items, parallel=2, executor="process")
    assert results.stats.executor == "caller" and results.stats.workers_started == 0
    assert results.stats.room_refusals == 1
    assert [r.code for r in results] == [sequential[s].code for s in items]


def test_a_cached_run_settles_dead_code_as_an_uncached_one(tmp_path):
    """Dropping dead code in a nested function can free a variable of the outer one, which
    a second pass then inlines: a unit inlined on its own (the cache's path) takes the same
    passes as the whole module."""
    source = (
        "def outer(a):\n"
        "    x = g(a)\n"
        "    def inner(b):\n"
        "        y = x\n"
        "        return b\n"
        "    return inner\n"
        "\n"
        "def other(a):\n"
        "    z = h(a)\n"
        "    return k(z)\n"
    )
    options = InlineOptions(policy="pure", drop_dead=True)
    expected = inline_source(source, options)
    assert "x = g(a)" not in expected.code
    cached = inline_many([source], options, parallel=1, cache_dir=tmp_path)
    assert [r.code for r in cached] == [expected.code]
    again = inline_many([source + "\n"], options, parallel=1, cache_dir=tmp_path)  # units from the cache
    assert again.stats.cache_hits >= 1
    assert [r.code for r in again] == [expected.code + "\n"]


def test_a_cached_unit_follows_what_the_rest_of_its_module_says(tmp_path):
    """Whether a call may rebind a global depends on other functions of the module: when
    another function starts to declare it global, an unchanged function's cached result
    is not reused."""
    reader = "def f():\n    x = bump()\n    return (count, x)\n"
    quiet = "import os\n\ncount = 10\n\n" + reader + "\ndef bump():\n    return 0\n"
    rebinding = quiet.replace("    return 0\n", "    global count\n    count += 1\n    return 0\n")
    first = inline_many([quiet], parallel=1, cache_dir=tmp_path)[0]
    assert "return (count, bump())" in first.code
    second = inline_many([rebinding], parallel=1, cache_dir=tmp_path)
    assert second[0].code == inline_source(rebinding).code
    assert "x = bump()" in second[0].code


def test_a_cached_unit_tells_a_declared_global_from_a_missing_name(tmp_path):
    """The same function reading G, in a module where some function declares G global and
    in one where G is bound nowhere: the two cache keys differ, so the read that may raise
    NameError is not dropped on the strength of the other module's result."""
    reader = "def f():\n    y = G\n    return 1\n"
    declared = "import os\n\ndef g():\n    global G\n    G = 1\n\n" + reader
    missing = "import sys\n\n" + reader
    options = InlineOptions(drop_dead=True)
    inline_many([declared], options, parallel=1, cache_dir=tmp_path)
    result = inline_many([missing], options, parallel=1, cache_dir=tmp_path)[0]
    assert result.code == inline_source(missing, options).code
    assert "y = G" in result.code
