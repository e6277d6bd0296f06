"""A real per-user thread limit: an unprivileged user under ``ulimit -u``.

Root ignores RLIMIT_NPROC, so the test runs a child as ``nobody`` with a limit of a few
processes (threads count), lets the library ask for far more threads than it may have,
directly and from several pipeline threads at once, and checks that every result is the
sequential one and that the OS really refused threads.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from fixture_runner import fixture_modules
from helpers import sized
from inliner import inline_source
from unprivileged import SYSTEM_PYTHON, copy_packages, make_readable, needs_unprivileged_user, run_as_user

LIMIT = 10  # processes and threads for the user: the child's main thread, 4 outer, 5 spare
SMALL_SOURCES = sized(60, 600)  # beside a fixture module; each inlined 5 times (direct, 4 outer)

CHILD = r"""
import json, sys, threading, time
from inliner import inline_many

def start_outer(thread):
    # The pipeline's own threads: threads of the library's that just ended may not have
    # left the kernel yet, so the pipeline retries its own starts, as a real one would.
    for attempt in range(500):
        try:
            return thread.start()
        except RuntimeError:
            time.sleep(0.01)
    raise RuntimeError("the pipeline could not start its own thread")

sources = json.load(open(sys.argv[1]))
direct = inline_many(sources, parallel=64)
outer_results = {}
def pipeline(k):
    outer_results[k] = [r.code for r in inline_many(sources, parallel=16)]
outer = [threading.Thread(target=pipeline, args=(k,)) for k in range(4)]
for t in outer:
    start_outer(t)
for t in outer:
    t.join()
print(json.dumps({
    "direct": [r.code for r in direct],
    "refused": direct.stats.thread_starts_refused,
    "started": direct.stats.workers_started,
    "outer": [outer_results[k] for k in range(4)],
}))
"""


@needs_unprivileged_user
def test_a_real_thread_limit_loses_nothing(record_property):
    sources = [fixture_modules()[-1].read_text()] + [
        f"def f{k}(a):\n    x = g(a, {k})\n    return h(x)\n" for k in range(SMALL_SOURCES)
    ]
    expected = [inline_source(s).code for s in sources]
    workdir = Path(tempfile.mkdtemp(prefix="inline-solvers-ulimit-", dir="/tmp"))
    try:
        # Everything the child needs, where an unprivileged user can read it.
        copy_packages(workdir / "lib", ["inliner", "libcst"])
        (workdir / "sources.json").write_text(json.dumps(sources))
        (workdir / "child.py").write_text(CHILD)
        make_readable(workdir)
        done = run_as_user([SYSTEM_PYTHON, "-S", f"{workdir}/child.py", f"{workdir}/sources.json"],
                           lib=workdir / "lib", home=workdir, limits=f"ulimit -u {LIMIT}",
                           environment={"INLINE_SOLVERS_MAX_THREADS": "500"})
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    record_property("thread_starts_refused", report["refused"])
    assert report["refused"] > 0, "the limit did not bite: nothing was proven"
    assert report["started"] < LIMIT
    assert report["direct"] == expected
    assert all(codes == expected for codes in report["outer"])
