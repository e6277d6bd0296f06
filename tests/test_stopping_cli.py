"""Ctrl-C and SIGTERM stop a command-line run at once, whatever does the work.

A run over 30 generated modules is started as its own process (in its own session, as a
terminal would start it), and signalled once it has provably started: it has reported a
file written (``--verbose``, read from its error pipe). It must then exit within a bound
(130 for SIGINT, the signal itself for SIGTERM), leave every file byte for byte as it was
or as a full run writes it, name in its summary exactly how many files it wrote, and
leave no process of the run behind.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from inliner import CANONICAL, canonical_form, inline_source, renamed_functions
from test_process_death import MARKER, PROJECT, make_tree, marked, wait_all_gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
                                reason="finds processes in /proc and waits on pidfds (Linux)")

FILES = 30
STOPS_WITHIN = 3.0
"""Seconds from the signal to the exit: a bound, not a measurement (a full run takes
longer than this on the test machine only if the run ignores the signal)."""

EXECUTORS = {
    "default": [],
    "thread": ["--executor", "thread", "--parallel", "2"],
    "process": ["--executor", "process", "--parallel", "2"],
}


def start(tmp_path: Path, tree: Path, options: list[str]) -> tuple[subprocess.Popen, str]:
    token = uuid.uuid4().hex
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, MARKER: token, "TMPDIR": str(temporary),
                   "PYTHONPATH": os.pathsep.join([str(PROJECT), *sys.path])}
    process = subprocess.Popen(
        [sys.executable, "-m", "inline_solvers_cli", "--no-cache", "--verbose", *options, str(tree)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
        cwd=tmp_path, start_new_session=True)
    return process, token


def first_file_written(process: subprocess.Popen) -> list[str]:
    """Read the error pipe until the run reports a file written: it is working."""
    assert process.stderr is not None
    lines = []
    while True:
        line = process.stderr.readline().decode(errors="replace")
        assert line, "the run ended before writing a file:\n" + "".join(lines)
        lines.append(line)
        if line.startswith("inlined "):
            return lines


def stop_once_working(tmp_path: Path, tree: Path, options: list[str], how: str) -> tuple[int, str, set[int]]:
    """Start a run over ``tree``, signal it (``how``: SIGINT to its process group, as
    Ctrl-C does, or SIGTERM to the process) once it has written a file, and return its exit
    status, everything it printed on standard error, and the processes of the run left
    after it ended. Whatever happens, nothing of the run outlives this call."""
    process, token = start(tmp_path, tree, options)
    try:
        before = first_file_written(process)
        processes = marked(token)
        if how == "SIGINT":
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        else:
            process.send_signal(signal.SIGTERM)  # kill(1) reaches the process it names
        try:
            status = process.wait(timeout=STOPS_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOPS_WITHIN:g} s after {how}")
        assert process.stderr is not None
        errors = "".join(before) + process.stderr.read().decode(errors="replace")
        left = wait_all_gone(processes, STOPS_WITHIN) | marked(token)
    finally:
        for pid in marked(token):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    return status, errors, left


def files_written(originals: dict[Path, str]) -> int:
    """Every file is as it was or as a full run writes it; how many were written."""
    written = 0
    for path, original in originals.items():
        text = path.read_text()
        if text != original:
            assert text == inline_source(original).code, f"{path.name} is neither old nor new"
            written += 1
    strays = [p.name for p in next(iter(originals)).parent.iterdir() if p not in originals]
    assert strays == [], "temporary files were left"
    return written


@pytest.mark.parametrize("executor", sorted(EXECUTORS))
@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_run_at_once_with_every_file_whole(tmp_path, executor, how):
    originals = make_tree(tmp_path / "tree", FILES)
    status, errors, left = stop_once_working(tmp_path, tmp_path / "tree", EXECUTORS[executor], how)
    assert status == (130 if how == "SIGINT" else -signal.SIGTERM), errors[-2000:]
    assert left == set(), f"still running after {how}: {sorted(left)}"
    assert "Traceback" not in errors and "internal-error" not in errors, errors[-2000:]
    word = "interrupted" if how == "SIGINT" else "terminated"
    summary = re.findall(rf"^{word}: (\d+) files? written, (\d+) not processed$", errors, re.MULTILINE)
    assert len(summary) == 1, errors[-2000:]
    written, not_processed = map(int, summary[0])
    assert written == files_written(originals)
    assert written == sum(line.startswith("inlined ") for line in errors.splitlines())
    assert 0 < written < FILES, "the run was not cut in the middle"
    assert not_processed == FILES - written


def test_an_interrupted_store_run_stores_only_canonical_texts(tmp_path):
    """Ctrl-C while ``--store`` digests: the store holds canonical texts only (none from
    a function whose work the interrupt cut short), each under its own md5, and the
    summary counts them."""
    originals = make_tree(tmp_path / "tree", FILES)
    store = tmp_path / "store"
    functions = renamed_functions(next(iter(originals.values())))  # every copy has the same ones
    canonical = {canonical_form(f, inline_source(f.text, CANONICAL)).text for f in functions}
    process, token = start(tmp_path, tmp_path / "tree", ["--check", "--store", str(store)])
    try:
        # Working, past the first module: every distinct function is in the store (a
        # bounded poll on that), so what is left is inlining (the copies only repeat them),
        # where an interrupt taken for a result would store a text of its own.
        end = time.monotonic() + 120
        while len(list(store.glob("*.py"))) < len(canonical):
            assert process.poll() is None and time.monotonic() < end, "the store was not filled"
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGINT)
        try:
            status = process.wait(timeout=STOPS_WITHIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {STOPS_WITHIN:g} s after SIGINT")
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
    finally:
        for pid in marked(token):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    assert status == 130, errors[-2000:]
    stored = sorted(store.iterdir())
    assert all(p.suffix == ".py" for p in stored), "temporary files were left"
    assert all(hashlib.md5(p.read_bytes()).hexdigest() == p.stem for p in stored)
    assert {p.read_text() for p in stored} == canonical
    summary = re.findall(r"^interrupted: \d+ files? would change, (\d+) stored, (\d+) not digested$",
                         errors, re.MULTILINE)
    assert summary and int(summary[0][0]) == len(stored) > 0, errors[-2000:]
    assert int(summary[0][1]) > 0, "the run was not cut in the middle"
    assert all(path.read_text() == text for path, text in originals.items())  # --check writes nothing
