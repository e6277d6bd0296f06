"""Files are precious: kill -9 in the middle of a run, and several runs at once."""

from __future__ import annotations

import ast
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixture_runner import FIXTURES_DIR
from helpers import sized
from inliner import InlineOptions, inline_source

COPIES = 3
KILL_ROUNDS = sized(6, 40)
"""Runs killed (or let finish) at a random moment, before the run that must converge."""
INSTANCES = sized(3, 6)
"""Runs at once on one tree and one cache."""


def make_tree(root: Path) -> dict[Path, str]:
    """A tree of generated modules (the fixtures, several times over); returns the originals."""
    originals = {}
    for copy in range(COPIES):
        folder = root / f"batch{copy}"
        folder.mkdir(parents=True)
        for module in FIXTURES_DIR.glob("[sd]*.py"):
            if module.name == "dsl.py":
                continue
            text = module.read_text().replace("def solve_", f"def solve{copy}_").replace(
                "def differ_", f"def differ{copy}_")
            (folder / module.name).write_text(text)
            originals[folder / module.name] = text
    return originals


def run_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "inline_solvers_cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    """What an uninterrupted run writes, by fixture file name and copy."""
    return {
        f"batch{copy}/{module.name}": inline_source(
            module.read_text().replace("def solve_", f"def solve{copy}_").replace(
                "def differ_", f"def differ{copy}_"), InlineOptions()).code
        for copy in range(COPIES) for module in FIXTURES_DIR.glob("[sd]*.py") if module.name != "dsl.py"
    }


def test_kill_9_at_random_moments_never_tears_a_file(tmp_path, expected, record_property):
    tree = tmp_path / "tree"
    originals = make_tree(tree)
    rng = random.Random(2026)
    kills = checked = 0
    for round_ in range(KILL_ROUNDS):
        process = run_cli("--no-cache", str(tree))
        time.sleep(rng.uniform(0.05, 1.5))  # the moment of the kill, not a synchronisation
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        process.stderr.close()
        done = 0
        for path, original in originals.items():
            text = path.read_text()
            new = expected[path.relative_to(tree).as_posix()]
            assert text in (original, new), path
            ast.parse(text)
            done += text == new
            checked += 1
        if done == len(originals) and round_ < KILL_ROUNDS - 1:
            # All written: start over, so that later kills still interrupt writes.
            for path, original in originals.items():
                path.write_text(original)
    record_property("kills", kills)
    record_property("files_checked", checked)
    assert kills > 0, "no run was interrupted: the test proved nothing"
    final = run_cli("--no-cache", str(tree))
    _, errors = final.communicate(timeout=600)
    assert final.returncode == 0, errors
    assert {p.relative_to(tree).as_posix(): p.read_text() for p in originals} == expected
    assert [p for p in tree.rglob("*") if p.name.endswith(".inline-solvers.tmp")] == []


def test_three_instances_on_one_tree_and_cache(tmp_path, expected):
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    originals = make_tree(tree)
    processes = [run_cli("--cache-dir", str(cache), "--parallel", "2", str(tree)) for _ in range(INSTANCES)]
    errors = [p.communicate(timeout=900)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * INSTANCES, errors
    assert {p.relative_to(tree).as_posix(): p.read_text() for p in originals} == expected
    with sqlite3.connect(cache / "cache.db") as database:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_stale_temporary_files_of_dead_runs_are_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".m.py.{dead}.abc123.inline-solvers.tmp"
    stale.write_text("half a file")
    live = tmp_path / f".m.py.{os.getpid()}.abc123.inline-solvers.tmp"
    live.write_text("being written")
    (tmp_path / "m.py").write_text("def f(a):\n    x = g(a)\n    return x\n")
    from inline_solvers_cli.app import main

    assert main(["--no-cache", str(tmp_path)]) == 0
    assert not stale.exists()
    assert live.exists()  # a running process's file is never touched
    shutil.rmtree(tmp_path)
