"""What ``knowledge_for`` costs, as a multiple of parsing the same module.

    python benchmarks/knowledge.py            # every fixture, 7 repetitions each
    python benchmarks/knowledge.py --quick    # one repetition, to check that the program works

Columns, each the minimum over the repetitions, as a ratio to ``ast.parse`` of the same
module measured in the same run (absolute times do not carry between machines):

* first: the first ``knowledge_for`` of this process on the module (parses dsl.py etc.);
* again: a later one on a fresh tree of the same text (the library modules remembered);
* every name: the same, computing every name the module binds, called or not (what
  ``knowledge_for`` did before it computed only the names a module calls).
"""

from __future__ import annotations

import argparse
import ast
import gc
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inliner.knowledge import KnowledgeSettings, knowledge_for  # noqa: E402
from inliner.knowledge.facade import _knowledge_of_every_name  # noqa: E402

FIXTURES = ROOT / "fixtures"
SETTINGS = KnowledgeSettings(search_installed=False)

FIRST_CALL = """
import ast, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from inliner.knowledge import KnowledgeSettings, knowledge_for
path = Path(sys.argv[2])
tree = ast.parse(path.read_text())
started = time.perf_counter()
knowledge_for(tree, path, KnowledgeSettings(search_installed=False))
print(time.perf_counter() - started)
"""


def best_of(repeat: int, action: Callable[[], object]) -> float:
    """The fastest of ``repeat`` runs, each from a collected heap (so that none pays for
    the garbage another left)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def first_call(path: Path, repeat: int) -> float:
    """``knowledge_for`` in a fresh interpreter, where nothing is remembered yet."""
    runs = [
        float(subprocess.run([sys.executable, "-c", FIRST_CALL, str(ROOT), str(path)], capture_output=True, text=True, check=True).stdout)
        for _ in range(min(repeat, 3))
    ]
    return min(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition")
    options = parser.parse_args(argv)
    repeat = 1 if options.quick else 7
    print("| module | lines | parse ms | first | again | every name |")
    print("|---|---|---|---|---|---|")
    for path in sorted(FIXTURES.glob("*.py")):
        text = path.read_text()
        parse = best_of(repeat, lambda: ast.parse(text))
        first = first_call(path, repeat)
        trees = [ast.parse(text) for _ in range(repeat)]
        knowledge_for(trees[0], path, SETTINGS)  # the library modules are seen once
        again = best_of(repeat, lambda: knowledge_for(trees.pop(), path, SETTINGS))
        trees = [ast.parse(text) for _ in range(repeat)]
        every = best_of(repeat, lambda: _knowledge_of_every_name(trees.pop(), path, SETTINGS))
        lines = text.count("\n")
        print(f"| {path.name} | {lines} | {parse * 1000:.1f} | {first / parse:.2f} | {again / parse:.2f} | {every / parse:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
