"""A memory limit (``ulimit -v``: RLIMIT_AS) on huge inputs, through the command line.

Baseline, measured as the peak address space (VmPeak) of ``python -m cli --no-cache`` with
one worker on this project (Python 3.11): about 55 MB on one small file, about 80 MB once
libcst's native parser is loaded for a 200-function module (a thread pool and the cache
add stacks and malloc arenas: about 190 MB). :data:`LIMIT` leaves such a run room, and
each huge input needs far more than it:

* a file too big to read: reading and decoding it needs twice its size;
* a module of many MB of small functions: CPython's parser needs about 250 bytes of
  memory per byte of source, so it fails while parsing;
* (long variant) the same at other limits and with two threads and a cache.

Each must cost only its own file: reported by path with exit code 123, left
byte-identical, no traceback, no crash, every other file of the tree inlined and nothing
lost (no file missing or torn, no temporary file left).
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import INLINED, SOURCE, sized

MB = 2**20
LIMIT = 160 * MB
LIMITS = sized([LIMIT], [128 * MB, LIMIT, 256 * MB])
TOO_BIG_TO_READ = sized(96, 160)  # MB of source: read once, decoded once
BIG_MODULE = sized(4, 12)  # MB of small functions: far beyond what the parser can have
SMALL = {"a.py": SOURCE, "sub/b.py": SOURCE.replace("solve", "solve_b"), "zz_done.py": INLINED}
SMALL_AFTER = {"a.py": INLINED, "sub/b.py": INLINED.replace("solve", "solve_b"), "zz_done.py": INLINED}


def write_repeated(path: Path, unit: bytes, megabytes: float) -> str:
    """``unit`` repeated to ``megabytes`` MB, written without holding it all; its sha256."""
    digest = hashlib.sha256()
    chunk = unit * max(1, MB // len(unit))
    with path.open("wb") as handle:
        for _ in range(int(megabytes * MB) // len(chunk)):
            handle.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(MB):
            digest.update(block)
    return digest.hexdigest()


def run_limited(limit: int, *arguments: str) -> subprocess.CompletedProcess[str]:
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-m", "inline_solvers_cli", *arguments], capture_output=True, text=True,
                          preexec_fn=set_limit, timeout=600)


def small_files(tree: Path) -> None:
    for relative, text in SMALL.items():
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_text(text)


def assert_small_files_done(tree: Path) -> None:
    assert {relative: (tree / relative).read_text() for relative in SMALL} == SMALL_AFTER


@pytest.mark.parametrize("limit", LIMITS, ids=[f"{limit // MB}MB" for limit in LIMITS])
@pytest.mark.parametrize("workers", sized([[]], [[], ["--parallel", "2", "--executor", "thread"]]),
                         ids=lambda workers: "threads" if workers else "one-worker")
def test_files_beyond_a_memory_limit_cost_only_themselves(tmp_path, limit, workers):
    tree = tmp_path / "tree"
    tree.mkdir()
    small_files(tree)
    huge = {
        "too_big_to_read.py": write_repeated(tree / "too_big_to_read.py", b"x = 1\n", TOO_BIG_TO_READ),
        "big_module.py": write_repeated(
            tree / "big_module.py", b"def f(a):\n    x = g(a)\n    return x\n\n\n", BIG_MODULE),
    }
    cache = ["--cache-dir", str(tmp_path / "cache")] if workers else ["--no-cache"]

    done = run_limited(limit, *cache, *workers, str(tree))

    assert done.returncode == 123, f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr and "memory allocation" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert len(errors) == len(huge), done.stderr
    assert f"{tree / 'too_big_to_read.py'}: error: cannot be read: too large" in done.stderr
    assert any(line.startswith(f"{tree / 'big_module.py'}: error: ") for line in errors), errors
    assert f"{len(SMALL) + len(huge)} files, 2 changed," in done.stderr
    assert f"{len(huge)} could not be processed" in done.stderr
    for name, digest in huge.items():
        assert sha256(tree / name) == digest, f"{name} was changed"
    assert_small_files_done(tree)
    entries = sorted(str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file())
    assert entries == sorted([*SMALL, *huge]), "a file went missing or a temporary file was left"


def huge_function(statements: int) -> str:
    # The comment keeps the function on the libcst path (a plain one needs no libcst).
    lines = ["def big(a):", "    # generated"] + [f"    x{k} = a + {k}" for k in range(statements)]
    lines.append("    return g(" + ", ".join(f"x{k}" for k in range(statements)) + ")")
    return "\n".join(lines) + "\n"


def test_a_function_within_the_parser_s_reach_but_beyond_libcst_s(tmp_path):
    """5,000 statements in one function: CPython's parser needs about 50 MB for them,
    libcst's about 160 MB, and libcst's native parser aborts the process (SIGABRT) when an
    allocation fails. The engine keeps such a unit from reaching it: the function falls
    back, the run goes on."""
    tree = tmp_path / "tree"
    tree.mkdir()
    small_files(tree)
    source = huge_function(5_000)
    (tree / "huge_function.py").write_text(source)

    done = run_limited(LIMIT, "--no-cache", str(tree))

    assert done.returncode in (0, 123), f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert_small_files_done(tree)
    assert (tree / "huge_function.py").read_text() == source
    assert "out-of-memory 1" in done.stderr, done.stderr[-3000:]
