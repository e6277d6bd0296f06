"""The benchmark program keeps working (tiny sizes; no time is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_prints_a_table(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--breakdown",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert table[0] == "| figure | value | target | met | detail |"
    assert len(table) >= 12
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert (tmp_path / "benchmarks.png").stat().st_size > 1000
