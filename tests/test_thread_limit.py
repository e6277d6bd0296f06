"""A real per-user thread limit: an unprivileged user under ``ulimit -u``.

Root ignores RLIMIT_NPROC, so the test runs a child as ``nobody`` with a limit of a few
processes (threads count), lets the library ask for far more threads than it may have,
directly and from several pipeline threads at once, and checks that every result is the
sequential one and that the OS really refused threads.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import inliner
from fixture_runner import fixture_modules
from inliner import inline_source

SYSTEM_PYTHON = "/usr/bin/python3"
LIMIT = 10  # processes and threads for the user: the child's main thread, 4 outer, 5 spare

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


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "needs root, to run a child as an unprivileged user"
    if not (shutil.which("runuser") and os.access(SYSTEM_PYTHON, os.X_OK)):
        return "needs runuser and a system python3 an unprivileged user can run"
    return None


@pytest.mark.skipif(_unavailable() is not None, reason=str(_unavailable()))
def test_a_real_thread_limit_loses_nothing():
    import libcst

    sources = [fixture_modules()[-1].read_text()] + [
        f"def f{k}(a):\n    x = g(a, {k})\n    return h(x)\n" for k in range(60)
    ]
    expected = [inline_source(s).code for s in sources]
    workdir = Path(tempfile.mkdtemp(prefix="inline-solvers-ulimit-", dir="/tmp"))
    try:
        # Everything the child needs, where an unprivileged user can read it.
        lib = workdir / "lib"
        shutil.copytree(Path(inliner.__file__).parent, lib / "inliner")
        shutil.copytree(Path(libcst.__file__).parent, lib / "libcst")
        (workdir / "sources.json").write_text(json.dumps(sources))
        (workdir / "child.py").write_text(CHILD)
        for path in [workdir, *workdir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        command = f"ulimit -u {LIMIT} && exec {SYSTEM_PYTHON} -S {workdir}/child.py {workdir}/sources.json"
        environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(lib),
                       "INLINE_SOLVERS_MAX_THREADS": "500", "HOME": str(workdir)}
        done = subprocess.run([shutil.which("runuser"), "-u", "nobody", "--", "bash", "-c", command],
                              capture_output=True, text=True, timeout=600, env=environment)
        if "No module named" in done.stderr:
            pytest.skip(f"the copied packages do not import under {SYSTEM_PYTHON}: {done.stderr[-300:]}")
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert report["refused"] > 0, "the limit did not bite: nothing was proven"
    assert report["started"] < LIMIT
    assert report["direct"] == expected
    assert all(codes == expected for codes in report["outer"])
