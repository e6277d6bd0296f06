"""Tests of the fixture corpus: the DSL, the generator and the generated modules."""

from __future__ import annotations

import ast
import collections
import importlib.util
import io
import os
import random
import re
import subprocess
import sys
import tokenize
from pathlib import Path
from types import ModuleType

import pytest

try:
    from fixture_runner import FIXTURES_DIR, fixture_modules, load_namespace, run_functions, sample_inputs
except ImportError:  # tests/ collected as a package
    from tests.fixture_runner import (
        FIXTURES_DIR,
        fixture_modules,
        load_namespace,
        run_functions,
        sample_inputs,
    )

ROOT = FIXTURES_DIR.parent
GENERATOR = ROOT / "tools" / "generate_fixtures.py"
DSL_FILE = FIXTURES_DIR / "dsl.py"
NAME_RE = re.compile(r"(solve|differ)_[0-9a-f]{8}")
VAR_RE = re.compile(r"x[1-9][0-9]*")
PARAMS = ("S", "I", "C")


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dsl() -> ModuleType:
    return _load(DSL_FILE, "_test_fixtures_dsl")


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return _load(GENERATOR, "_test_fixtures_generator")


# ---------------------------------------------------------------------------
# (a) the generator is deterministic and the checked-in modules are its output
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Run the generator twice, in parallel, with different string-hash seeds."""
    outs = [tmp_path_factory.mktemp(f"generated{k}") for k in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, str(GENERATOR), "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        for out, hash_seed in zip(outs, ("0", "4242"))
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    return outs


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def test_generator_is_deterministic(regenerated: list[Path]) -> None:
    first, second = (_files(d) for d in regenerated)
    assert first, "the generator wrote nothing"
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs"


def test_checked_in_fixtures_are_generator_output(regenerated: list[Path]) -> None:
    generated = _files(regenerated[0])
    checked_in = {p.name: p.read_bytes() for p in fixture_modules()}
    assert sorted(checked_in) == sorted(generated), "fixtures/ holds other modules than the generator writes"
    for name, data in generated.items():
        assert checked_in[name] == data, (
            f"fixtures/{name} is not the generator's output; regenerate with "
            "`python tools/generate_fixtures.py` instead of editing it"
        )


def test_seed_changes_output(generator: ModuleType) -> None:
    registry = generator.Registry(generator.load_dsl())
    spec = generator.MODULES[0]

    def small(seed: int) -> str:
        return generator.build_module(registry, random.Random(seed), seed, spec, set())

    default = generator.DEFAULT_SEED
    assert small(default) == small(default)
    assert small(default) != small(default + 1)


# ---------------------------------------------------------------------------
# (b) every fixture module parses and every function runs on every input
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_results() -> dict[str, dict[str, list[tuple[str, object]]]]:
    return {p.name: run_functions(p.read_text(encoding="utf-8")) for p in fixture_modules()}


def test_sample_inputs_shape() -> None:
    samples = sample_inputs()
    assert samples == sample_inputs()
    shapes = set()
    for s, i, c in samples:
        assert isinstance(s, tuple) and s and all(len(pair) == 2 for pair in s)
        for grid in (i, c, *(g for pair in s for g in pair)):
            assert grid and len({len(row) for row in grid}) == 1
            assert all(isinstance(v, int) and 0 <= v <= 9 for row in grid for v in row)
            shapes.add((len(grid), len(grid[0])))
    assert (1, 1) in shapes
    assert any(h != w for h, w in shapes)


@pytest.mark.parametrize("path", fixture_modules(), ids=lambda p: p.name)
def test_fixture_module_runs(path: Path, run_results: dict[str, dict[str, list[tuple[str, object]]]]) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    results = run_results[path.name]
    assert list(results) == defined
    for name, outcomes in results.items():
        assert len(outcomes) == len(sample_inputs())
        for number, (status, value) in enumerate(outcomes):
            assert status == "ok", f"{name} on sample {number}: {status} {value}"


def test_run_functions_records_outcomes() -> None:
    source = (
        "from dsl import *\n"
        "def solve_00000001(S, I, C):\n    return rbind(add, ONE)\n"
        "def solve_00000002(S, I, C):\n    return (S, I, C)[5]\n"
        "def differ_00000003(S, I, C):\n    return size_f(I)\n"
        "def helper(S, I, C):\n    return 1\n"
    )
    results = run_functions(source)
    assert list(results) == ["solve_00000001", "solve_00000002", "differ_00000003"]
    assert results["solve_00000001"][0] == ("function", "rbind.<locals>.<lambda>")
    assert results["solve_00000002"][0] == ("raise", "IndexError")
    assert results["differ_00000003"] == [("ok", len(i)) for _, i, _ in sample_inputs()]
    assert run_functions(source) == results


def test_differs_return_bools_ints_and_grids(run_results: dict[str, dict[str, list[tuple[str, object]]]]) -> None:
    kinds = collections.Counter()
    for outcomes in run_results["differs.py"].values():
        value = outcomes[0][1]
        kinds["bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "grid"] += 1
    assert kinds["bool"] and kinds["int"] and kinds["grid"], kinds


# ---------------------------------------------------------------------------
# (c) the generated code has the promised shapes
# ---------------------------------------------------------------------------


class FunctionShape:
    """What one generated function looks like, from its AST."""

    def __init__(self, node: ast.FunctionDef, dsl: ModuleType) -> None:
        self.node = node
        body = list(node.body)
        self.docstring = ast.get_docstring(node) is not None
        if self.docstring:
            body = body[1:]
        assert isinstance(body[-1], ast.Return) and isinstance(body[-1].value, ast.Name), node.name
        self.returned = body[-1].value.id
        self.assigns = [st for st in body[:-1] if isinstance(st, ast.Assign)]
        assert len(self.assigns) == len(body) - 1, f"{node.name}: only assignments before the return"
        self.targets = [st.targets[0].id for st in self.assigns]
        self.loads = collections.Counter(
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        )
        self.calls = [st.value for st in self.assigns]
        self.functions = set(dsl.SIGNATURES)
        self.constants = set(dsl.CONSTANTS)

    @property
    def variables(self) -> list[str]:
        return [t for t in self.targets if t != "O"]


@pytest.fixture(scope="module")
def corpus(dsl: ModuleType) -> list[tuple[Path, FunctionShape]]:
    shapes = []
    for path in fixture_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        shapes.extend((path, FunctionShape(n, dsl)) for n in tree.body if isinstance(n, ast.FunctionDef))
    return shapes


def test_corpus_size_and_names(corpus: list[tuple[Path, FunctionShape]]) -> None:
    names = [shape.node.name for _, shape in corpus]
    assert len(names) >= 300
    assert len(set(names)) == len(names)
    assert all(NAME_RE.fullmatch(name) for name in names)
    assert sum(name.startswith("differ_") for name in names) >= 30
    assert len(fixture_modules()) >= 4
    for _, shape in corpus:
        args = shape.node.args
        assert [a.arg for a in args.args] == list(PARAMS), shape.node.name
        assert not (args.vararg or args.kwarg or args.kwonlyargs or args.defaults or args.posonlyargs)


def test_statements_are_single_calls_of_known_names(corpus: list[tuple[Path, FunctionShape]]) -> None:
    for _, shape in corpus:
        name = shape.node.name
        variables = shape.variables
        assert variables == [f"x{k}" for k in range(1, len(variables) + 1)], name
        assert len(variables) >= 2, name
        assert shape.targets[-1] == shape.returned, name
        bound = set(PARAMS)
        for target, call in zip(shape.targets, shape.calls):
            assert isinstance(call, ast.Call) and not call.keywords, name
            assert isinstance(call.func, ast.Name), name
            assert call.func.id in shape.functions or call.func.id in bound, f"{name}: {target}"
            for arg in call.args:
                assert isinstance(arg, ast.Name), f"{name}: {target} has a non-name argument"
                known = bound | shape.functions | shape.constants
                assert arg.id in known, f"{name}: {target} reads unknown {arg.id}"
            bound.add(target)


def test_statement_counts(corpus: list[tuple[Path, FunctionShape]]) -> None:
    counts = [len(shape.variables) for _, shape in corpus]
    assert min(counts) >= 2
    assert max(counts) <= 61
    assert sum(count > 40 for count in counts) >= 3
    assert sum(count <= 10 for count in counts) >= 50


def test_shapes_present(corpus: list[tuple[Path, FunctionShape]]) -> None:
    found = collections.Counter()
    for _, shape in corpus:
        name = shape.node.name
        found["return O"] += shape.returned == "O"
        found["return xN"] += VAR_RE.fullmatch(shape.returned) is not None
        multi = [v for v in shape.variables if 2 <= shape.loads[v] <= 4]
        found["multi-use"] += bool(multi)
        found["unused"] += any(shape.loads[v] == 0 for v in shape.variables)
        found["called variable"] += any(VAR_RE.fullmatch(call.func.id) for call in shape.calls)
        function_args = [
            a for call in shape.calls for a in call.args if a.id in shape.functions
        ]
        found["function argument"] += bool(function_args)
        found["branch of functions"] += any(
            call.func.id == "branch" and sum(a.id in shape.functions for a in call.args) == 2
            for call in shape.calls
        )
        found["reads S"] += shape.loads["S"] > 0
        found["reads C"] += shape.loads["C"] > 0
        if name.startswith("differ_"):
            found["differ docstring"] += shape.docstring
            found["differ without docstring"] += not shape.docstring
    for shape_name in (
        "return O",
        "return xN",
        "multi-use",
        "unused",
        "called variable",
        "function argument",
        "branch of functions",
        "reads S",
        "reads C",
        "differ docstring",
        "differ without docstring",
    ):
        assert found[shape_name] >= 2, f"fewer than two generated functions show {shape_name!r}: {found}"
    assert found["unused"] < len(corpus), "unused variables should occur in some functions, not all"


def test_module_layout() -> None:
    for path in fixture_modules():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        assert ast.get_docstring(tree), path.name
        imports = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
        assert [(i.module, [a.name for a in i.names]) for i in imports] == [("dsl", ["*"])], path.name
        comments = {
            tok.start[0]
            for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT and tok.start[1] == 0
        }
        lines = source.splitlines()
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        commented = sum((n.lineno - 1) in comments for n in functions)
        assert commented == len(functions), f"{path.name}: functions without a comment line before them"
        for before, after in zip(functions, functions[1:]):
            gap = lines[before.end_lineno : after.lineno - 1]
            assert "" in gap, f"{path.name}: no blank line between {before.name} and {after.name}"
            assert any(line.startswith("# task ") for line in gap), path.name


# ---------------------------------------------------------------------------
# the DSL itself
# ---------------------------------------------------------------------------


def test_dsl_has_no_single_use_locals() -> None:
    """An inliner of single-use locals must find nothing to do in dsl.py."""
    tree = ast.parse(DSL_FILE.read_text(encoding="utf-8"))
    offenders = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        assigned = [
            t.id
            for st in ast.walk(fn)
            if isinstance(st, (ast.Assign, ast.AnnAssign))
            for t in (st.targets if isinstance(st, ast.Assign) else [st.target])
            if isinstance(t, ast.Name)
        ]
        loads = collections.Counter(
            n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        )
        offenders.extend(f"{fn.name}.{name}" for name in assigned if loads[name] < 2)
    assert not offenders


def test_dsl_registry(dsl: ModuleType, generator: ModuleType) -> None:
    assert 35 <= len(dsl.SIGNATURES) <= 70
    for name, overloads in dsl.SIGNATURES.items():
        fn = getattr(dsl, name)
        assert fn.__doc__, name
        assert "return" in fn.__annotations__, name
        for params, ret in overloads:
            assert len(params) == fn.__code__.co_argcount, name
            for tag in (*params, ret):
                generator.parse_tag(tag)
    for name, tag in dsl.CONSTANTS.items():
        generator.parse_tag(tag)
        assert hasattr(dsl, name)
    assert sorted(dsl.__all__) == sorted([*dsl.SIGNATURES, *dsl.CONSTANTS])


def _values(rng: random.Random, tag: str, dsl: ModuleType) -> object:
    """A random value of a first-order tag, with a bias towards edge cases."""
    grids = [(), ((0,),), ((5,),)] + [
        tuple(tuple(rng.choice((0, 0, 0, 1, 2, 5)) for _ in range(w)) for _ in range(h))
        for h, w in ((rng.randint(1, 7), rng.randint(1, 7)), (rng.randint(1, 3), rng.randint(1, 9)))
    ]
    ints = [0, 1, -1, 7, -7, 1000, -1000, rng.randint(-40, 40)]
    if tag == "Grid":
        return rng.choice(grids)
    if tag in ("Int", "Mode", "A", "E"):
        return rng.choice(ints)
    if tag == "Bool":
        return rng.choice((True, False))
    if tag == "Vec":
        return (rng.choice(ints), rng.choice(ints))
    if tag == "Objects":
        return dsl.o_g(rng.choice(grids), rng.randint(0, 7))
    if tag == "Object":
        return rng.choice((frozenset(), frozenset({(3, (-2, 40))}), *dsl.o_g(rng.choice(grids), 5)[:3]))
    if tag == "Samples":
        return rng.choice(((), ((rng.choice(grids), rng.choice(grids)),)))
    if tag == "Tuple[A]":
        return rng.choice(((), (1, 2), dsl.o_g(rng.choice(grids), 0)))
    raise KeyError(tag)


def test_dsl_first_order_functions_are_total(dsl: ModuleType) -> None:
    """Every overload without function-valued parameters returns on edge-case arguments."""
    rng = random.Random(7)
    checked = 0
    for name, overloads in sorted(dsl.SIGNATURES.items()):
        for params, ret in overloads:
            if any("Callable" in tag for tag in params):
                continue
            for _ in range(25):
                args = [_values(rng, tag, dsl) for tag in params]
                result = getattr(dsl, name)(*args)
                if ret == "Grid":
                    assert isinstance(result, tuple) and len({len(row) for row in result}) <= 1, name
                    assert len(result) <= dsl.MAX_SIDE and all(
                        0 < len(row) <= dsl.MAX_SIDE and all(0 <= v <= 9 for v in row) for row in result
                    ), name
                elif ret in ("Int", "Bool"):
                    assert isinstance(result, (int, bool)), name
                checked += 1
    assert checked > 1000


def test_load_namespace_exposes_dsl() -> None:
    namespace = load_namespace("from dsl import *\n")
    assert callable(namespace["rot90"]) and namespace["R0"] == 0
