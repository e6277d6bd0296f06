"""Benchmarks: inline-solvers measured against the cost of just parsing, side by side.

    python benchmarks/run.py            # full sizes; prints a Markdown table, writes docs/benchmarks.png
    python benchmarks/run.py --quick    # tiny sizes, to check that the program works

Every figure is a ratio to a reference measured in the same run (absolute times do not carry
from one machine to another), each time the minimum of several repetitions. Each repetition
starts from a collected heap, so that it pays for the collections its own allocations cause
and not for those an earlier measurement left due (with CPython's default thresholds a full
collection, which sweeps everything the process holds, otherwise lands in whichever
measurement happens to cross the threshold).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import gc
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import libcst  # noqa: E402

from inliner import (  # noqa: E402
    CANONICAL,
    InlineOptions,
    inline_many,
    inline_source,
    inline_variables,
    tune_garbage_collector,
)
from inliner.analysis import analyse_function  # noqa: E402
from inliner.deadline import NO_DEADLINE  # noqa: E402
from inliner.discover import find_functions  # noqa: E402
from inliner.analysis.straight import count_reads  # noqa: E402
from inliner.plan import kept_without_sites, plan_function  # noqa: E402
from inliner.rewrite.canonical_text import write_module  # noqa: E402

FIXTURES = ROOT / "fixtures"


@dataclass
class Row:
    figure: str
    value: float
    target: str
    detail: str

    def met(self) -> str:
        if not self.target:
            return ""
        operator, bound = self.target.split(" ", 1)
        limit = float(bound.rstrip(" s"))
        ok = {"<=": self.value <= limit, "<": self.value < limit, ">=": self.value >= limit}[operator]
        return "yes" if ok else "**no**"


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def fixture_sources() -> list[str]:
    return [p.read_text() for p in sorted(FIXTURES.glob("*.py")) if p.name != "dsl.py"]


def module_of(functions: int) -> str:
    """One module of about ``functions`` generated functions, from the fixtures."""
    bodies = [s.split("from dsl import *", 1)[1] for s in fixture_sources()]
    text, copy = "", 0
    while text.count("\ndef ") < functions:
        text += "\n\n".join(b.replace("def solve_", f"def solve{copy}_").replace(
            "def differ_", f"def differ{copy}_") for b in bodies)
        copy += 1
    chunks = text.split("\ndef ")
    return "\ndef ".join(chunks[: functions + 1]) + "\n"


def make_tree(root: Path, files: int) -> Path:
    small = (FIXTURES / "solvers_small.py").read_text()
    root.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        (root / f"m{k:04d}.py").write_text(small.replace("def solve_", f"def solve{k}_"))
    return root


def cli(*args: str) -> int:
    from inline_solvers_cli.app import main

    with contextlib.redirect_stderr(io.StringIO()):
        return main(list(args))


def statements_function(count: int) -> str:
    lines = ["def f(a):"] + [f"    x{k} = g(a, {k})" for k in range(count)]
    lines.append("    return h(" + ", ".join(f"x{k}" for k in range(count)) + ")")
    return "\n".join(lines) + "\n"


def chain(length: int, reads: int = 1) -> str:
    lines = ["def f(a):", "    x0 = g(a)"]
    lines += [f"    x{k} = g({', '.join([f'x{k - 1}'] * reads)})" for k in range(1, length)]
    lines.append(f"    return x{length - 1}")
    return "\n".join(lines) + "\n"


def peak_memory_of_cli(tree: Path) -> int:
    """Peak resident set size (KiB) of a fresh process running the CLI on ``tree``: the
    high-water mark of its own memory (``VmHWM``; ``ru_maxrss`` would also count the
    benchmark's memory, which the child shares until it starts the interpreter)."""
    code = ("from inline_solvers_cli.app import main; from inliner import tune_garbage_collector; import sys;"
            "tune_garbage_collector(); main(['--no-cache', '--check', '-q', sys.argv[1]]);"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    done = subprocess.run([sys.executable, "-c", code, str(tree)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    return int(done.stdout.strip().splitlines()[-1])


def four_modules(functions: int) -> list[str]:
    """Four modules of ``functions`` generated functions each, renamed apart."""
    return [module_of(functions).replace("def solve", f"def m{k}_solve").replace(
        "def differ", f"def m{k}_differ") for k in range(4)]


def seconds_in_fresh_process(functions: int, executor: str) -> float:
    """One ``inline_many`` call timed inside a new process, as the command line makes it:
    a process executor then pays for starting its server and workers."""
    code = ("import sys, time; sys.path[:0] = [sys.argv[1], sys.argv[1] + '/benchmarks']; import run;"
            "from inliner import inline_many, tune_garbage_collector; tune_garbage_collector();"
            "batch = run.four_modules(int(sys.argv[2])); started = time.perf_counter();"
            "inline_many(batch, parallel=2, executor=sys.argv[3]); print(time.perf_counter() - started)")
    done = subprocess.run([sys.executable, "-c", code, str(ROOT), str(functions), executor],
                          capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def break_even(quick: bool, repeat: int, cold: bool) -> str:
    """The smallest batch (four modules of growing size) that processes finish first.
    Warm: the process has run a process batch before (a pipeline); cold: its first (the
    command line)."""
    for functions in ([2, 8] if quick else [1, 2, 4, 8, 16, 32, 64, 128]):
        if cold:
            in_threads = min(seconds_in_fresh_process(functions, "thread") for _ in range(repeat))
            in_processes = min(seconds_in_fresh_process(functions, "process") for _ in range(repeat))
            characters = sum(map(len, four_modules(functions)))
        else:
            batch = four_modules(functions)
            characters = sum(map(len, batch))
            in_threads = best_of(repeat, lambda: inline_many(batch, parallel=2, executor="thread"))
            in_processes = best_of(repeat, lambda: inline_many(batch, parallel=2, executor="process"))
        if in_processes < in_threads:
            return (f"{characters:,} characters (4 modules of {functions} functions: "
                    f"{in_processes * 1e3:.0f} ms against {in_threads * 1e3:.0f} ms in threads)")
    return "not reached"


def run(quick: bool, repeat: int, out: Path) -> list[Row]:
    rows: list[Row] = []
    scale = 0.05 if quick else 1.0
    work = Path(tempfile.mkdtemp(prefix="inline-solvers-bench-"))
    try:
        # -- one module of generated functions --------------------------------------------
        functions = max(20, int(400 * scale))
        module = module_of(functions)
        floor_ast = best_of(repeat, lambda: ast.unparse(ast.parse(module)))
        canonical = best_of(repeat, lambda: inline_variables(module))
        rows.append(Row(f"canonical inline, {functions}-function module / ast.parse + ast.unparse",
                        canonical / floor_ast, "<= 2.0",
                        f"{canonical * 1e6 / functions:.0f} µs per function"))
        floor_cst = best_of(repeat, lambda: libcst.parse_module(module).code)
        preserving = best_of(repeat, lambda: inline_source(module, InlineOptions()))
        rows.append(Row(f"format-preserving inline, {functions}-function module / libcst parse + code",
                        preserving / floor_cst, "<= 1.3",
                        f"{preserving * 1e6 / functions:.0f} µs per function"))
        strict_canonical = best_of(repeat, lambda: inline_source(module, InlineOptions(preserve_format=False)))
        rows.append(Row("strict canonical inline / ast.parse + ast.unparse", strict_canonical / floor_ast, "",
                        f"{strict_canonical * 1e6 / functions:.0f} µs per function"))
        pure = InlineOptions(policy="pure", expand="all", drop_dead=True)
        done = inline_source(module, pure).code
        floor_parse = best_of(repeat, lambda: ast.parse(done))
        noop = best_of(repeat, lambda: inline_source(done, pure))
        rows.append(Row("no-op rerun on an inlined module / ast.parse", noop / floor_parse, "<= 1.5",
                        "format-preserving, pure, expand=all, drop_dead"))
        canonical_done = inline_variables(module)
        floor_parse = best_of(repeat, lambda: ast.parse(canonical_done))
        noop = best_of(repeat, lambda: inline_variables(canonical_done))
        rows.append(Row("no-op canonical rerun / ast.parse", noop / floor_parse, "",
                        "the canonical form is always unparsed again"))

        # -- a tree through the command line --------------------------------------------------
        files = max(4, int(100 * scale))
        tree = make_tree(work / "tree100", files)
        cache = work / "cache"
        cold = best_of(1, lambda: cli("--check", "-q", "--cache-dir", str(cache), str(tree)))
        warm = best_of(repeat, lambda: cli("--check", "-q", "--cache-dir", str(cache), str(tree)))
        rows.append(Row(f"warm cache / cold, {files}-file tree", warm / cold, "<= 0.05",
                        f"{warm * 1e6 / files:.0f} µs per file when warm (one lookup each)"))

        files = max(8, int(200 * scale))
        tree = make_tree(work / "tree200", files)
        one = best_of(repeat, lambda: cli("--no-cache", "--check", "-q", "--parallel", "1", str(tree)))
        processes = best_of(repeat, lambda: cli("--no-cache", "--check", "-q", "--parallel", "2",
                                                "--executor", "process", str(tree)))
        threads = best_of(repeat, lambda: cli("--no-cache", "--check", "-q", "--parallel", "4",
                                              "--executor", "thread", str(tree)))
        rows.append(Row(f"--parallel 2 --executor process / --parallel 1, {files} files",
                        processes / one, "<= 0.62", f"{os.cpu_count()} cores"))
        rows.append(Row(f"--parallel 4 --executor thread / --parallel 1, {files} files",
                        threads / one, "<= 1.1", ""))

        # -- auto: where processes start to pay ----------------------------------------------
        for state in ("warm", "cold"):
            rows.append(Row(f"process executor (parallel 2) pays off from, {state}", 0.0, "",
                            break_even(quick, repeat, cold=state == "cold")))

        # -- growth with size --------------------------------------------------------------------
        large, small_n = (int(20000 * scale), int(2000 * scale)) if not quick else (2000, 200)
        per_large = best_of(1, lambda: inline_source(statements_function(large), InlineOptions(preserve_format=False))) / large
        per_small = best_of(repeat, lambda: inline_source(statements_function(small_n), InlineOptions(preserve_format=False))) / small_n
        rows.append(Row(f"time per statement, {large} / {small_n} statements", per_large / per_small, "<= 3", ""))
        doubling = best_of(repeat, lambda: inline_source(chain(30, reads=2), InlineOptions(policy="pure", expand="all")))
        rows.append(Row("doubling chain of 30 under expand=all (s)", doubling, "< 1 s", ""))
        deep = best_of(repeat, lambda: inline_source(chain(3000 if not quick else 300)))
        rows.append(Row(f"{3000 if not quick else 300}-deep chain (s)", deep, "< 1 s", ""))

        # -- memory ---------------------------------------------------------------------------------
        few, many = (100, 1000) if not quick else (10, 40)
        memory_few = peak_memory_of_cli(make_tree(work / f"mem{few}", few))
        memory_many = peak_memory_of_cli(make_tree(work / f"mem{many}", many))
        rows.append(Row(f"peak memory, {many}-file tree / {few}-file tree", memory_many / memory_few,
                        "<= 1.5", f"{memory_few // 1024} MiB and {memory_many // 1024} MiB"))

        # -- the plot: time against size for the chains ----------------------------------------------
        plot_growth(quick, repeat, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def definition_inliner(source: str) -> str:
    """The canonical form computed as the README defines it, in the plain way a first
    in-house inliner writes it (a NodeTransformer, deep copies): the per-call reference.
    (tests/reference_canonical.py holds the same definition as the tests' oracle; a
    benchmark does not import the tests.)"""
    tree = ast.parse(source)
    for function in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        values: dict[str, ast.expr] = {}

        class Substitute(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.expr:
                if isinstance(node.ctx, ast.Load) and node.id in values:
                    return copy.deepcopy(values[node.id])
                return node

        body = []
        for statement in function.body:
            statement = Substitute().visit(statement)
            if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)):
                values[statement.targets[0].id] = statement.value
            else:
                body.append(statement)
        function.body = body
    return ast.unparse(tree)


def library_threads_at_peak(action: Callable[[], object]) -> int:
    """The most library threads alive at once while ``action`` inlines (sampled each time
    a source is inlined)."""
    from inliner.driver import lookups

    peak = [0]
    real = lookups.inline_source

    def counting(source: str, options: InlineOptions | None = None) -> object:
        alive = sum(1 for t in threading.enumerate() if t.name == "inline-solvers-worker")
        peak[0] = max(peak[0], alive)
        return real(source, options)

    lookups.inline_source = counting  # type: ignore[assignment]
    try:
        action()
    finally:
        lookups.inline_source = real  # type: ignore[assignment]
    return peak[0]


def scaling_figures(quick: bool, repeat: int) -> list[Row]:
    """Issue 10: threads only where they help, one big file over several processes, and a
    two-worker Dask cluster on this machine against one process."""
    from inliner.driver.gate import gil_enabled

    rows: list[Row] = []
    solvers = single_solvers(module_of(60 if quick else 1200))
    loop = best_of(repeat, lambda: [inline_source(s) for s in solvers])
    eight = best_of(repeat, lambda: inline_many(solvers, parallel=8, executor="thread"))
    peak = library_threads_at_peak(lambda: inline_many(solvers, parallel=8, executor="thread"))
    build = "GIL build" if gil_enabled() else "free-threaded build"
    rows.append(Row(f"library threads at peak, inline_many(parallel=8, executor=thread), {build}",
                    float(peak), "", f"{peak} threads; {len(solvers)} solvers: {eight:.2f} s against {loop:.2f} s "
                                     "in a plain loop"))
    rows.append(Row(f"thread executor, parallel 8 / plain loop, {len(solvers)} solvers", eight / loop, "<= 1.05", ""))

    module = module_of(40 if quick else 400)
    inline_many([module], parallel=2, executor="process")  # the fork server is up, as in a pipeline
    one = best_of(repeat, lambda: inline_many([module], parallel=1, executor="process"))
    two = best_of(repeat, lambda: inline_many([module], parallel=2, executor="process"))
    chunks = inline_many([module], parallel=2, executor="process").stats.chunks_sent
    rows.append(Row(f"one {module.count(chr(10) + 'def ')}-function file: 2 processes / 1 process", two / one,
                    "<= 0.7", f"{len(module):,} characters in {chunks} chunks; {one:.2f} s and {two:.2f} s"))

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        rows.append(Row("2-worker local Dask cluster / one process", 0.0, "", "dask is not installed"))
        return rows
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        executor = client.get_executor()
        batch = four_modules(8 if quick else 100)
        characters = sum(map(len, batch))
        alone = best_of(repeat, lambda: inline_many(batch, parallel=1))
        through = best_of(repeat, lambda: inline_many(batch, parallel=2, executor=executor))
        rows.append(Row(f"2-worker local Dask cluster / one process, {characters:,} characters", through / alone,
                        "", f"{characters / through / 1e3:.0f} against {characters / alone / 1e3:.0f} "
                            "thousand characters a second"))
        found = "not reached"
        for functions in ((2, 8) if quick else (4, 16, 64)):
            batch = four_modules(functions)
            alone = best_of(repeat, lambda: inline_many(batch, parallel=1))
            through = best_of(repeat, lambda: inline_many(batch, parallel=2, executor=executor))
            if through < alone:
                found = (f"{sum(map(len, batch)):,} characters (4 modules of {functions} functions: "
                         f"{through * 1e3:.0f} ms against {alone * 1e3:.0f} ms in one process)")
                break
        rows.append(Row("2-worker local Dask cluster pays off from", 0.0, "", found))
    return rows


def single_solvers(module: str) -> list[str]:
    """Each function of ``module`` on its own, renamed ``solve``, as the pipeline hashes them."""
    return ["def solve" + chunk[chunk.index("("):] for chunk in module.split("\ndef ")[1:]]


def floor_figures(quick: bool, repeat: int) -> list[Row]:
    """The four figures measured against what the work cannot avoid, once with CPython's
    default collector (as a library user runs) and once tuned (as the command line runs)."""
    functions = 20 if quick else 400
    module = module_of(functions)
    solvers = single_solvers(module)[: 20 if quick else 200]
    pure_single = InlineOptions(policy="pure")
    rows: list[Row] = []
    saved = gc.get_threshold()
    try:
        for collector in ("default collector", "tuned collector"):
            if collector.startswith("default"):
                gc.set_threshold(700, 10, 10)
            else:
                tune_garbage_collector()
            output = inline_variables(module)
            output_tree = ast.parse(output)
            floor = best_of(repeat, lambda: (ast.parse(module), ast.unparse(output_tree),
                                             compile(output, "<bench>", "exec")))
            canonical = best_of(repeat, lambda: inline_variables(module))
            rows.append(Row(f"canonical (pure, all) / verified floor, {collector}", canonical / floor,
                            "<= 1.3", "floor: ast.parse of the input + ast.unparse of the output tree "
                            "+ compile of the output text"))
            round_trip = best_of(repeat, lambda: libcst.parse_module(module).code)
            preserving = best_of(repeat, lambda: inline_source(module, pure_single))
            rows.append(Row(f"format-preserving (pure, single) / libcst round trip, {collector}",
                            preserving / round_trip, "<= 1.0", ""))
            kept_twice = inline_source(module, pure_single).code
            parse = best_of(repeat, lambda: ast.parse(kept_twice))
            rerun = best_of(repeat, lambda: inline_source(kept_twice, pure_single))
            rows.append(Row(f"rerun on its own output (variables read twice remain) / ast.parse, {collector}",
                            rerun / parse, "<= 1.5", ""))
            reference = best_of(repeat, lambda: [definition_inliner(s) for s in solvers])
            ours = best_of(repeat, lambda: [inline_variables(s) for s in solvers])
            rows.append(Row(f"one solver per call: the definition's inliner / ours, {collector}",
                            reference / ours, ">= 5",
                            f"{ours * 1e6 / len(solvers):.0f} µs per call against "
                            f"{reference * 1e6 / len(solvers):.0f} µs"))
    finally:
        gc.set_threshold(*saved)
    return rows


def analyse_and_plan(tree: ast.Module, options: InlineOptions) -> list[object]:
    """The inliner's own work before any rewriting: the shared analysis and the plan."""
    plans = []
    for found in find_functions(tree):
        analysis = analyse_function(found.node, found.qualname, NO_DEADLINE)
        plans.append(plan_function(analysis, options, NO_DEADLINE))
        analysis.unlink()  # as a run lets each analysis go
    return plans


def count_and_decide(tree: ast.Module, options: InlineOptions) -> list[object]:
    """A rerun's work on a module with nothing left to inline: reads counted, verdicts."""
    return [kept_without_sites(count_reads(found.node), options)  # type: ignore[arg-type]
            for found in find_functions(tree)]


def breakdown(repeat: int, functions: int) -> str:
    """Where the time of the module figures goes: each step of a run, measured alone on the
    same module, against the references (the verified floor; a libcst round trip)."""
    module = module_of(functions)
    tree = ast.parse(module)
    output = inline_variables(module)
    output_tree = ast.parse(output)
    planned = ast.parse(output)  # the planned tree's shape, as verification compiles it
    pure_single = InlineOptions(policy="pure")
    kept_twice = inline_source(module, pure_single).code
    kept_tree = ast.parse(kept_twice)
    steps = [
        ("reference: verified floor (parse input, unparse output tree, compile output text)",
         lambda: (ast.parse(module), ast.unparse(output_tree), compile(output, "<bench>", "exec"))),
        ("canonical: ast.parse of the input", lambda: ast.parse(module)),
        ("canonical: analysis and planning", lambda: analyse_and_plan(tree, CANONICAL)),
        ("canonical: ast.unparse of the output (the floor's)", lambda: ast.unparse(output_tree)),
        ("canonical: the same text by canonical_text.write_module (the run's)", lambda: write_module(output_tree)),
        ("canonical: verification, compile of the output text", lambda: compile(output, "<bench>", "exec")),
        ("canonical: verification, compile of the planned tree", lambda: compile(planned, "<bench>", "exec")),
        ("canonical: the whole run", lambda: inline_variables(module)),
        ("reference: libcst.parse_module + .code of the input", lambda: libcst.parse_module(module).code),
        ("format-preserving (pure, single): ast.parse of the input", lambda: ast.parse(module)),
        ("format-preserving (pure, single): analysis and planning", lambda: analyse_and_plan(tree, pure_single)),
        ("format-preserving (pure, single): the whole run", lambda: inline_source(module, pure_single)),
        ("reference: ast.parse of the inlined module (variables read twice remain)", lambda: ast.parse(kept_twice)),
        ("rerun: counting reads and the verdicts", lambda: count_and_decide(kept_tree, pure_single)),
        ("rerun: the whole run", lambda: inline_source(kept_twice, pure_single)),
    ]
    lines_out = ["| step | ms | × reference |", "|---|---|---|"]
    reference = 0.0
    for name, action in steps:
        seconds = best_of(repeat, action)
        if name.startswith("reference"):
            reference = seconds
        lines_out.append(f"| {name} | {seconds * 1e3:.0f} | {seconds / reference:.2f} |")
    lines_out.append("")
    lines_out.append(f"(input {len(module):,} characters; canonical output {len(output):,} characters)")
    return "\n".join(lines_out)


def plot_growth(quick: bool, repeat: int, out: Path) -> None:
    sizes = [250, 500, 1000, 2000] if quick else [500, 1000, 2000, 5000, 10000, 20000]
    canonical = InlineOptions(preserve_format=False)
    series = {
        "single-use chain": [best_of(repeat, lambda n=n: inline_source(chain(n), canonical)) for n in sizes],
        "independent statements": [best_of(repeat, lambda n=n: inline_source(statements_function(n), canonical))
                                   for n in sizes],
    }
    plot(sizes, series, out / "benchmarks.png")


def plot(sizes: list[int], series: dict[str, list[float]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"(matplotlib is not installed: no plot written to {path})")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axis = plt.subplots(figsize=(7, 4))
    for name, times in series.items():
        axis.plot(sizes, times, marker="o", label=name)
    axis.set_xlabel("statements in the function")
    axis.set_ylabel("seconds (canonical mode)")
    axis.set_title("inline-solvers: time grows linearly with function length")
    axis.grid(True, alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"plot written to {path}")


def table(rows: list[Row]) -> str:
    lines = ["| figure | value | target | met | detail |", "|---|---|---|---|---|"]
    for row in rows:
        value = "" if row.value == 0.0 and not row.target else f"{row.value:.3g}"
        lines.append(f"| {row.figure} | {value} | {row.target} | {row.met()} | {row.detail} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that the program works")
    parser.add_argument("--repeat", type=int, default=None, help="repetitions per figure (minimum taken)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where to write the plot")
    parser.add_argument("--default-gc", action="store_true",
                        help="keep CPython's default collector thresholds (the command line tunes them)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also print where the time of the module figures goes, step by step")
    parser.add_argument("--plot-only", action="store_true", help="only measure and write the plot")
    parser.add_argument("--breakdown-only", action="store_true", help="only print where the time goes")
    parser.add_argument("--figures-only", action="store_true",
                        help="only the four figures of the speed work, with both collectors")
    parser.add_argument("--scaling-only", action="store_true",
                        help="only the figures of threads, processes within a file and a local cluster")
    arguments = parser.parse_args()
    if not arguments.default_gc:
        # As the command line and the process workers do; the references run under it too.
        tune_garbage_collector()
    repeat = arguments.repeat or (1 if arguments.quick else 3)
    if arguments.breakdown_only:
        print(breakdown(repeat, 20 if arguments.quick else 400))
        return 0
    if arguments.plot_only:
        plot_growth(arguments.quick, repeat, arguments.out)
        return 0
    if arguments.figures_only:
        print(table(floor_figures(arguments.quick, repeat)))
        return 0
    if arguments.scaling_only:
        print(table(scaling_figures(arguments.quick, repeat)))
        return 0
    rows = floor_figures(arguments.quick, repeat) + run(arguments.quick, repeat, arguments.out) \
        + scaling_figures(arguments.quick, repeat)
    print(table(rows))
    if arguments.breakdown:
        print()
        print(breakdown(repeat, 20 if arguments.quick else 400))
    return 0


if __name__ == "__main__":
    sys.exit(main())
