"""The knowledge benchmark program keeps working (one repetition; no time is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_knowledge_benchmark_prints_a_row_per_fixture() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "knowledge.py"), "--quick"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("|")]
    assert table[0] == "| module | lines | parse ms | first | again | every name |"
    rows = {line.split(" | ")[0].lstrip("| ") for line in table[2:]}
    assert rows == {p.name for p in (ROOT / "fixtures").glob("*.py")}
