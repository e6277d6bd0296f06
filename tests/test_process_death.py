"""Every process the library starts ends with the process that started it.

A command-line run with worker processes is ended by SIGTERM, SIGKILL (as the OOM killer
does) or SIGINT (Ctrl-C, sent to its whole process group as a terminal does), and a
library process holding a process pool ends itself with ``os._exit``. Every process of
the run (found by an environment variable only it carries) must be gone within a bounded
time, no ``pymp-*`` directory may be left in its temporary directory, every file must be
whole (the original text or the inlined one), and the exit status must say how it ended.
No sleep: the test waits for the run to report results, and for the processes' pidfds.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from fixture_runner import fixture_modules
from inliner import inline_source
from inliner.driver.chunks import CHUNK_CHARACTERS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
                                reason="finds processes in /proc and waits on pidfds (Linux)")

PROJECT = Path(__file__).resolve().parents[1]
MARKER = "INLINE_SOLVERS_TEST_RUN"
GONE_WITHIN = 20.0
"""Seconds every process of a run has to end: generous for a loaded machine; the workers
end within milliseconds of the parent (they wait on its pidfd)."""


def medium_module() -> str:
    return next(p.read_text() for p in fixture_modules() if p.name == "solvers_medium.py")


def make_tree(root: Path, files: int) -> dict[Path, str]:
    text = medium_module()
    assert len(text) > CHUNK_CHARACTERS  # split into units, spread over the workers
    root.mkdir()
    originals = {}
    for k in range(files):
        path = root / f"m{k:02d}.py"
        path.write_text(text.replace("def solve_", f"def m{k}_solve_"))
        originals[path] = path.read_text()
    return originals


def marked(token: str) -> set[int]:
    """The pids of processes whose environment carries ``MARKER=token``."""
    needle = f"{MARKER}={token}".encode()
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    found.add(int(entry))
        except OSError:
            continue
    return found


def wait_all_gone(pids: set[int], seconds: float) -> set[int]:
    """Wait (on pidfds) until every process in ``pids`` has exited; returns those still
    running when ``seconds`` have passed."""
    descriptors = {}
    for pid in pids:
        try:
            descriptors[os.pidfd_open(pid)] = pid
        except ProcessLookupError:
            continue
    poller = select.poll()
    for fd in descriptors:
        poller.register(fd, select.POLLIN)
    end = time.monotonic() + seconds
    running = dict(descriptors)
    try:
        while running and time.monotonic() < end:
            for fd, _ in poller.poll(max(1, int((end - time.monotonic()) * 1000))):
                poller.unregister(fd)
                running.pop(fd, None)
        return set(running.values())
    finally:
        for fd in descriptors:
            os.close(fd)


class Run:
    """A run of the command line (or a script) with worker processes, marked."""

    def __init__(self, tmp_path: Path, argv: list[str]) -> None:
        self.token = uuid.uuid4().hex
        self.temporary = tmp_path / "tmp"
        self.temporary.mkdir()
        environment = {**os.environ, MARKER: self.token, "TMPDIR": str(self.temporary),
                       "PYTHONPATH": os.pathsep.join([str(PROJECT), *sys.path])}
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env=environment, cwd=tmp_path,
                                        start_new_session=True)

    def wait_for_lines(self, count: int) -> list[bytes]:
        """Block until the run has written ``count`` lines to standard error."""
        assert self.process.stderr is not None
        lines = []
        while len(lines) < count:
            line = self.process.stderr.readline()
            assert line, f"the run ended first: {b''.join(lines).decode(errors='replace')}"
            lines.append(line)
        return lines

    def finish(self) -> tuple[int, str]:
        """The exit status, and what is in the error pipe so far (read without waiting
        for its end: a process left behind would hold it open)."""
        assert self.process.stderr is not None
        status = self.process.wait(timeout=GONE_WITHIN)
        os.set_blocking(self.process.stderr.fileno(), False)
        rest = self.process.stderr.read() or b""
        self.process.stderr.close()
        return status, rest.decode(errors="replace")


def check_files(originals: dict[Path, str]) -> int:
    """Every file is either as it was or as it should be; returns how many were written."""
    written = 0
    for path, original in originals.items():
        text = path.read_text()
        if text != original:
            assert text == inline_source(original).code, f"{path.name} is neither old nor new"
            written += 1
    leftovers = sorted(p.name for p in next(iter(originals)).parent.iterdir() if p.suffix != ".py")
    assert all(name.endswith(".inline-solvers.tmp") for name in leftovers), leftovers
    return written


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "SIGINT"])
def test_a_cli_run_ended_by_a_signal_leaves_no_process_behind(tmp_path, how):
    originals = make_tree(tmp_path / "tree", 6)
    run = Run(tmp_path, [sys.executable, "-m", "inline_solvers_cli", "--no-cache", "--verbose", "--parallel", "2",
                         "--executor", "process", str(tmp_path / "tree")])
    try:
        run.wait_for_lines(2)  # two files written: the workers are busy with the rest
        processes = marked(run.token)
        assert len(processes) >= 5, "parent, fork server, resource tracker and two workers"
        if how == "SIGINT":
            os.killpg(run.process.pid, signal.SIGINT)  # Ctrl-C: the whole process group
        else:
            run.process.send_signal(getattr(signal, how))
        status, errors = run.finish()
        left = wait_all_gone(processes, GONE_WITHIN) | marked(run.token)
    finally:
        for pid in marked(run.token):
            os.kill(pid, signal.SIGKILL)
    assert left == set(), f"still running after {how}: {sorted(left)}"
    assert status in {"SIGTERM": (-signal.SIGTERM,), "SIGKILL": (-signal.SIGKILL,),
                      "SIGINT": (-signal.SIGINT, 130)}[how], errors[-2000:]
    assert list(run.temporary.iterdir()) == [], "multiprocessing's temporaries were left"
    assert 0 < check_files(originals) < len(originals), "the run was not cut in the middle"


LIBRARY_RUN = r"""
import os, sys
from inliner import InlineBatch

if __name__ == "__main__":  # the workers import this module too
    sources = [open(p).read() for p in sys.argv[1:]]
    done = 0
    for index, result in InlineBatch(parallel=2, executor="process").run(sources):
        done += 1
        print(index, file=sys.stderr, flush=True)
        if done == 2:
            os._exit(3)  # no exit handler runs: the pool is never shut down
"""


def test_a_library_process_that_exits_holding_a_pool_leaves_no_process_behind(tmp_path):
    originals = make_tree(tmp_path / "tree", 4)
    script = tmp_path / "run.py"
    script.write_text(LIBRARY_RUN)
    run = Run(tmp_path, [sys.executable, str(script), *map(str, originals)])
    try:
        run.wait_for_lines(1)
        processes = marked(run.token)
        assert len(processes) >= 5
        status, errors = run.finish()
        left = wait_all_gone(processes, GONE_WITHIN) | marked(run.token)
    finally:
        for pid in marked(run.token):
            os.kill(pid, signal.SIGKILL)
    assert status == 3, errors[-2000:]
    assert left == set(), f"still running after os._exit: {sorted(left)}"
    assert list(run.temporary.iterdir()) == []
