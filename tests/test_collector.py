"""The collector's thresholds: raised in processes the tool owns, never lowered."""

from __future__ import annotations

import gc
import subprocess
import sys

from inliner import tune_garbage_collector
from inliner.collector import BATCH_THRESHOLDS


def test_tuning_raises_the_thresholds_and_returns_the_old_ones():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        assert tune_garbage_collector() == (700, 10, 10)
        assert gc.get_threshold() == BATCH_THRESHOLDS
    finally:
        gc.set_threshold(*before)


def test_tuning_never_lowers_a_higher_threshold():
    before = gc.get_threshold()
    try:
        gc.set_threshold(1_000_000, 5, 1_000)
        tune_garbage_collector()
        assert gc.get_threshold() == (1_000_000, BATCH_THRESHOLDS[1], 1_000)
    finally:
        gc.set_threshold(*before)


def test_a_collector_switched_off_stays_off():
    before = gc.get_threshold()
    try:
        gc.set_threshold(0)
        tune_garbage_collector()
        assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)


def test_the_command_line_process_runs_with_the_tuned_collector():
    probe = ("import atexit, gc, sys; atexit.register(lambda: print(gc.get_threshold()));"
             "sys.argv = ['inline-solvers', '--version']; from inline_solvers_cli.app import run; run()")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(BATCH_THRESHOLDS)


def test_importing_the_library_leaves_the_collector_alone():
    probe = "import gc; before = gc.get_threshold(); import inliner, inline_solvers_cli.app; print(gc.get_threshold() == before)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "True", done.stderr
