"""A real per-user limit of tasks: an unprivileged user under ``ulimit -u``.

Root ignores RLIMIT_NPROC, so the test runs a child as ``nobody`` with room for a dozen
tasks (threads count) beside what that user already runs. In the child a pipeline keeps a
``ThreadPoolExecutor`` of six threads, started lazily: each task calls the library with
``parallel=8``, and the next task is handed to the pool (so its next thread starts) only
once the library is at work in the previous one. Three rounds: the library's threads as
on a free-threaded build (where it wants threads), its worker processes, and a direct
call with ``parallel=64``. The pipeline's pool must never be refused a thread, every
result must be the sequential one with no fallback, the library must have held back
(room refusals) without the OS ever refusing it, and the limit must be real: at the end
the child starts bare threads until the OS refuses one.

Until issue 10 the library took threads up to the limit and met refusals (which it
survived); now it asks first, so ``thread_starts_refused`` is zero by promise.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from fixture_runner import fixture_modules
from helpers import sized
from inliner import inline_source
from inliner.driver.room import user_tasks
from unprivileged import SYSTEM_PYTHON, copy_packages, make_readable, needs_unprivileged_user, run_as_user, user_ids

ROOM = 12  # tasks for the child: its main thread, the pipeline's six, and what is left
SMALL_SOURCES = sized(60, 600)

CHILD = r"""
import json, sys, threading
from concurrent.futures import ThreadPoolExecutor
from inliner import InlineBatch, inline_many
from inliner.driver import batch

sources = json.load(open(sys.argv[1]))
report = {"rounds": {}}

def pipeline(executor):
    # The pipeline's pool: each submit may start a thread; the next item goes in only
    # once the library is at work on the previous one (it has handed back a result).
    stats, codes, refused = [], {}, []
    with ThreadPoolExecutor(6) as pool:
        futures = []
        for k in range(6):
            started = threading.Event()
            def task(k=k, started=started):
                run = InlineBatch(parallel=8, executor=executor)
                out = {}
                for index, result in run.run(sources):
                    out[index] = result
                    started.set()
                stats.append(run.stats)
                return [out[i].code for i in range(len(sources))], [out[i].status for i in range(len(sources))]
            try:
                futures.append(pool.submit(task))
            except RuntimeError as error:
                refused.append(str(error))
                break
            started.wait()
        results = [f.result() for f in futures]
    return {
        "codes": [c for c, _ in results], "fallbacks": sum(s.count("fallback") for _, s in results),
        "caller_refused": refused, "calls": len(results),
        "library_refused": sum(s.thread_starts_refused for s in stats),
        "room_refusals": sum(s.room_refusals for s in stats),
        "workers": sum(s.workers_started for s in stats),
        "executors": sorted({s.executor for s in stats}),
    }

if __name__ == "__main__":  # worker processes import this module too
    real_rule = batch.useful_threads
    batch.useful_threads = lambda parallel: parallel  # as on a free-threaded build
    report["rounds"]["threads"] = pipeline("thread")
    batch.useful_threads = real_rule
    report["rounds"]["processes"] = pipeline("process")
    direct = inline_many(sources, parallel=64)
    report["direct"] = [r.code for r in direct]
    report["direct_refused"] = direct.stats.thread_starts_refused

    held, stop = [], threading.Event()
    try:
        while len(held) < 10000:
            t = threading.Thread(target=stop.wait)
            t.start()
            held.append(t)
    except RuntimeError:
        pass
    stop.set()
    report["bare_threads_held"] = len(held)
    print(json.dumps(report))
"""


@needs_unprivileged_user
def test_a_pipeline_pool_under_a_tight_limit_is_never_refused_because_of_the_library(record_property):
    sources = [fixture_modules()[-1].read_text()] + [
        f"def f{k}(a):\n    x = g(a, {k})\n    return x\n" for k in range(SMALL_SOURCES)
    ]
    expected = [inline_source(s).code for s in sources]
    workdir = Path(tempfile.mkdtemp(prefix="inline-solvers-ulimit-", dir="/tmp"))
    try:
        # Everything the child needs, where an unprivileged user can read it.
        copy_packages(workdir / "lib", ["inliner", "libcst"])
        (workdir / "sources.json").write_text(json.dumps(sources))
        (workdir / "child.py").write_text(CHILD)
        make_readable(workdir)
        # What the user already runs elsewhere counts against the same limit.
        limit = ROOM + (user_tasks(user_ids()[0]) or 0)
        done = run_as_user([SYSTEM_PYTHON, "-S", f"{workdir}/child.py", f"{workdir}/sources.json"],
                           lib=workdir / "lib", home=workdir, limits=f"ulimit -u {limit}",
                           environment={"INLINE_SOLVERS_MAX_THREADS": "500"})
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    rounds = report["rounds"]
    for name, outcome in rounds.items():
        record_property(f"{name}_room_refusals", outcome["room_refusals"])
        assert outcome["caller_refused"] == [], f"{name}: the pipeline was refused a thread"
        assert outcome["calls"] == 6
        assert all(codes == expected for codes in outcome["codes"]), name
        assert outcome["fallbacks"] == 0
        assert outcome["library_refused"] == 0, f"{name}: the library met a refusal"
    assert rounds["threads"]["workers"] > 0, "the library never wanted a thread: nothing was proven"
    assert rounds["threads"]["room_refusals"] > 0 and rounds["processes"]["room_refusals"] > 0
    assert report["direct"] == expected and report["direct_refused"] == 0
    assert report["bare_threads_held"] < ROOM, "the limit did not bite: nothing was proven"
