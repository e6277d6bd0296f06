"""What calls do, through the real command line: the DSL read beside the solvers or under a
root, declarations on the command line and in pyproject.toml, their warnings, the cache
following an edited DSL, and the summary of a canonical run that copies calls."""

from __future__ import annotations

import textwrap
from pathlib import Path

from command import cli, lines

DSL = textwrap.dedent("""
    def grow(x):
        return (x, x)

    def shrink(x):
        return x[0]
    """)
SOLVER = textwrap.dedent("""
    from dsl import *

    def solve(S, I, C):
        x1 = grow(I)
        x2 = shrink(C)
        return pair(x2, x1)


    def pair(a, b):
        return (a, b)
    """)
# x1 would move past shrink(C): only when both are known to compute is that allowed.
INLINED = SOLVER.replace("    x1 = grow(I)\n    x2 = shrink(C)\n    return pair(x2, x1)\n",
                         "    return pair(shrink(C), grow(I))\n")


def _project(tmp_path: Path, dsl_where: str = ".") -> Path:
    (tmp_path / "solvers").mkdir()
    (tmp_path / "solvers" / "solve.py").write_text(SOLVER)
    (tmp_path / dsl_where).mkdir(exist_ok=True)
    (tmp_path / dsl_where / "dsl.py").write_text(DSL)
    return tmp_path / "solvers" / "solve.py"


def test_the_dsl_beside_the_solvers_is_read(tmp_path):
    solver = _project(tmp_path, "solvers")
    done = cli("--no-cache", solver, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert solver.read_text() == INLINED


def test_without_inference_nothing_is_known(tmp_path):
    solver = _project(tmp_path, "solvers")
    done = cli("--no-cache", "--no-infer-calls", solver, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert solver.read_text() == SOLVER


def test_a_root_says_where_imported_modules_are(tmp_path):
    solver = _project(tmp_path, "lib")
    assert cli("--no-cache", solver, cwd=tmp_path).returncode == 0
    assert "    x1 = grow(I)\n" in solver.read_text()  # dsl.py is neither beside it nor under a root
    solver.write_text(SOLVER)
    done = cli("--no-cache", "--root", tmp_path / "lib", solver, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert solver.read_text() == INLINED


def test_the_project_root_is_a_root_and_settings_declare_pure_calls(tmp_path):
    solver = _project(tmp_path, ".")  # dsl.py beside pyproject.toml
    (tmp_path / "pyproject.toml").write_text("[tool.inline-solvers]\n")
    assert cli("--no-cache", solver, cwd=tmp_path).returncode == 0
    assert solver.read_text() == INLINED
    solver.write_text(SOLVER)
    (tmp_path / "dsl.py").unlink()
    (tmp_path / "pyproject.toml").write_text('[tool.inline-solvers]\npure-calls = ["dsl.*"]\n')
    done = cli("--no-cache", solver, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert solver.read_text() == INLINED  # the user's word, with no source to read


def test_a_declared_callable_that_writes_state_is_named_in_a_warning(tmp_path):
    solver = _project(tmp_path, "solvers")
    (tmp_path / "solvers" / "dsl.py").write_text(DSL + "\nLOG = []\n\ndef noisy(x):\n    LOG.append(x)\n    return x\n")
    done = cli("--no-cache", "--check", "--pure-calls", "dsl.*", solver, cwd=tmp_path)
    warnings = [line for line in lines(done.stderr) if line.startswith("warning: ")]
    assert len(warnings) == 1 and "dsl.noisy is declared pure" in warnings[0], done.stderr
    assert "writes state" in warnings[0]


def test_a_bad_pattern_is_a_usage_error(tmp_path):
    solver = _project(tmp_path, "solvers")
    done = cli("--pure-calls", "dsl.(", solver, cwd=tmp_path)
    assert done.returncode == 2
    assert "is no pattern of dotted names" in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()


def test_an_edited_dsl_changes_the_cached_result(tmp_path):
    """What the DSL's functions do is part of the cache key: a warm cache does not hide an
    edit that makes one of them write state."""
    solver = _project(tmp_path, "solvers")
    assert cli(solver, cwd=tmp_path).returncode == 0
    assert solver.read_text() == INLINED
    solver.write_text(SOLVER)
    (tmp_path / "solvers" / "dsl.py").write_text(DSL.replace("    return x[0]", "    print(x)\n    return x[0]"))
    assert cli(solver, cwd=tmp_path).returncode == 0
    assert "    x1 = grow(I)\n" in solver.read_text()  # shrink now prints: grow(I) may not move past it


def test_a_canonical_run_that_copies_calls_says_so(tmp_path):
    twice = tmp_path / "twice.py"
    twice.write_text("def f(a):\n    x = g(a)\n    return k(x, x)\n")
    done = cli("--no-cache", "--canonical", "--policy", "pure", "--expand", "all", twice, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert twice.read_text() == "def f(a):\n    return k(g(a), g(a))\n"
    assert "1 function with copied calls" in lines(done.stderr)[-1]
    twice.write_text("def f(a):\n    x = g(a)\n    return k(x, x)\n")
    written = cli("--no-cache", "--policy", "pure", "--expand", "all", twice, cwd=tmp_path)
    assert twice.read_text() == "def f(a):\n    x = g(a)\n    return k(x, x)\n"
    assert "copied calls" not in written.stderr.decode()
