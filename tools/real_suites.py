#!/usr/bin/env python3
"""Run real libraries' own test suites before and after inlining them.

Usage: python tools/real_suites.py [--library NAME]... [--mode MODE]... [--workdir DIR]
                                   [--jobs N] [--timeout SECONDS] [--keep]

For each library in LIBRARIES: download its pinned sdist from PyPI, install its test
dependencies (from PyPI only) into a virtual environment of its own, and run its test
suite on an untouched copy of the sdist (the base run). Then, for each mode, inline a
fresh copy of the library's package sources (never its tests) with the project's
command line and run the suite again against that copy. Every test's outcome is
compared with the base run's. The program prints one table row per library and run,
lists the tests whose outcome changed, and exits 1 on any changed outcome, any
`internal-error` fallback or any failed step; 0 otherwise.

This is not a CI test: it needs the network and takes minutes. See docs/real_suites.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_WORKDIR = REPO_DIR / "build" / "real_suites"
PYPI_INDEX = "https://pypi.org/simple"
# A broken pyparsing fails slowly: up to 15 minutes a run here, against 40 to 90 s.
DEFAULT_TIMEOUT = 1800.0
# Pinned beside the libraries so a new pytest cannot change a base run.
PYTEST = "pytest==8.3.3"


@dataclass(frozen=True)
class Library:
    """A library whose sdist ships a test suite that pytest can run."""

    name: str  # the PyPI name
    version: str  # pinned exactly
    source_root: str  # directory of the sdist put first on PYTHONPATH ("." or "src")
    packages: tuple[str, ...]  # package directories (below source_root) to inline
    imports: tuple[str, ...]  # top-level modules that must come from the copy
    test_requirements: tuple[str, ...]  # pinned, besides PYTEST
    pytest_args: tuple[str, ...]  # test paths, then options (each option says why)
    why: str  # why this library is in the table


LIBRARIES: tuple[Library, ...] = (
    Library(
        name="pyparsing",
        version="3.1.4",
        source_root=".",
        packages=("pyparsing",),
        imports=("pyparsing",),
        test_requirements=("railroad-diagrams==3.0.1", "jinja2==3.1.4"),
        pytest_args=("tests",),
        why="_trim_arity's wrapper stores to `nonlocal found_arity` inside a try, the case "
        "that broke strict mode; closures and try blocks throughout",
    ),
    Library(
        name="more-itertools",
        version="10.5.0",
        source_root=".",
        packages=("more_itertools",),
        imports=("more_itertools",),
        test_requirements=(),
        pytest_args=("tests",),
        why="hundreds of generators, closures over iterators, `nonlocal` counters",
    ),
    Library(
        name="toolz",
        version="1.0.0",
        source_root=".",
        packages=("toolz", "tlz"),
        imports=("toolz", "tlz"),
        test_requirements=(),
        pytest_args=("toolz/tests",),  # the tests live inside the package; never inlined
        why="curry and compose: closures, generators, try/except TypeError dispatch",
    ),
    Library(
        name="boltons",
        version="24.1.0",
        source_root=".",
        packages=("boltons",),
        imports=("boltons",),
        test_requirements=(),
        pytest_args=(
            "tests",
            # Strips its own directory from paths with str.lstrip, a set of characters: it
            # passes or fails by the letters of the work directory's path (an "f" in it
            # eats "fileutils.py"), so two runs in two directories may disagree.
            "--deselect", "tests/test_fileutils.py::test_iter_find_files",
        ),
        why="many small utilities: try/finally, generators, globals, caches, sockets",
    ),
    Library(
        name="click",
        version="8.1.7",
        source_root="src",
        packages=("click",),
        imports=("click",),
        test_requirements=(),
        pytest_args=("tests",),
        why="decorators building closures, context managers, try/finally around state",
    ),
    Library(
        name="python-dateutil",
        version="2.9.0.post0",
        source_root="src",
        packages=("dateutil",),
        imports=("dateutil",),
        # pytest-cov registers the no_cover mark its conftest.py sets (an unknown mark is
        # an error under its filterwarnings = error); coverage itself stays off.
        test_requirements=(
            "six==1.16.0", "freezegun==1.5.1", "hypothesis==6.112.1", "pytest-cov==5.0.0",
        ),
        # Property tests draw random examples: a fixed seed makes two runs comparable.
        pytest_args=("tests", "--hypothesis-seed=0"),
        why="a parser and rrule iterators: long functions, generators, try blocks",
    ),
    Library(
        name="attrs",
        version="24.2.0",
        source_root="src",
        packages=("attr", "attrs"),
        imports=("attr", "attrs"),
        test_requirements=("hypothesis==6.112.1", "pympler==1.1", "cloudpickle==3.0.0"),
        pytest_args=(
            "tests",
            # Property tests draw random examples: a fixed seed makes two runs comparable.
            "--hypothesis-seed=0",
            # Fails on an untouched copy here too (the return annotation it reads through
            # pipe() comes back None); a test that always fails cannot show a change.
            "--deselect", "tests/test_converters.py::TestPipe::test_wrapped_annotation",
        ),
        why="generates classes' methods as source text at import time; closures everywhere",
    ),
)


@dataclass(frozen=True)
class Mode:
    """One way of running the project's command line over a library."""

    name: str
    expand: str
    canonical: bool

    def cli_args(self) -> list[str]:
        args = ["--policy", "strict", "--expand", self.expand]
        return args + ["--canonical"] if self.canonical else args


# Strict only: pure is a promise for generated code, not for libraries.
MODES: tuple[Mode, ...] = (
    Mode("strict/single", "single", canonical=False),
    Mode("strict/all", "all", canonical=False),
    Mode("strict/single/canonical", "single", canonical=True),
    Mode("strict/all/canonical", "all", canonical=True),
)
BASE = "base"
MISSING = "missing"  # the test did not run at all in one of the two runs


# outcomes: parsing pytest's junit XML, comparing two runs, summarising

# When one test case reports several things (a failure in the call and an error in the
# teardown), the first of these in this order is its outcome.
_CHILD_OUTCOMES = ("failure", "error", "skipped")
OUTCOME_ORDER = ("passed", "failed", "error", "skipped", "xfail", MISSING)


def outcome_of_testcase(testcase: ET.Element) -> str:
    """The outcome of one <testcase> of pytest's junit XML."""
    children = {child.tag: child for child in testcase}
    if "failure" in children:
        return "failed"
    if "error" in children:
        return "error"
    if "skipped" in children:
        # pytest writes an expected failure as a skip of type pytest.xfail.
        return "xfail" if children["skipped"].get("type") == "pytest.xfail" else "skipped"
    return "passed"


def parse_junit(xml_text: str) -> dict[str, str]:
    """Test id -> outcome for every test case of a pytest junit XML report.

    The id is `classname::name` (only `name` for a collection error, which has no
    class name). Should two test cases share an id, the worse outcome is kept (a
    failure over an error over a skip over a pass), so a changed duplicate still shows.
    """
    root = ET.fromstring(xml_text)
    outcomes: dict[str, str] = {}
    for testcase in root.iter("testcase"):
        classname = testcase.get("classname") or ""
        name = testcase.get("name") or ""
        test_id = f"{classname}::{name}" if classname else name
        outcome = outcome_of_testcase(testcase)
        previous = outcomes.get(test_id)
        if previous is None or _severity(outcome) > _severity(previous):
            outcomes[test_id] = outcome
    return outcomes


def _severity(outcome: str) -> int:
    ranking = ("passed", "xfail", "skipped", "error", "failed")
    return ranking.index(outcome) if outcome in ranking else len(ranking)


@dataclass(frozen=True)
class Difference:
    test_id: str
    before: str
    after: str


def compare(base: Mapping[str, str], other: Mapping[str, str]) -> list[Difference]:
    """Tests whose outcome differs between two runs, sorted by id.

    A test present in one run only differs too: its outcome in the other is `missing`.
    """
    differences = []
    for test_id in sorted(base.keys() | other.keys()):
        before = base.get(test_id, MISSING)
        after = other.get(test_id, MISSING)
        if before != after:
            differences.append(Difference(test_id, before, after))
    return differences


def summarize(outcomes: Mapping[str, str]) -> str:
    """`1018 passed, 2 failed, 3 skipped`: counts in a fixed order, zeros left out."""
    counts = Counter(outcomes.values())
    known = [o for o in OUTCOME_ORDER if counts[o]]
    others = sorted(o for o in counts if o not in OUTCOME_ORDER)
    parts = [f"{counts[o]} {o}" for o in known + others]
    return ", ".join(parts) if parts else "no tests"


# results and the table


@dataclass
class RunResult:
    """One run of a library's suite: the base run, or one mode after inlining."""

    library: str
    version: str
    mode: str
    outcomes: dict[str, str] = field(default_factory=dict)
    variables_inlined: int | None = None  # None for the base run
    fallbacks: dict[str, int] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    problem: str | None = None  # a step that failed (inlining, import check, pytest)
    notes: tuple[str, ...] = ()  # the command line's error lines
    seconds: float = 0.0

    @property
    def internal_errors(self) -> int:
        return self.fallbacks.get("internal-error", 0)

    @property
    def failed(self) -> bool:
        return bool(self.differences or self.internal_errors or self.problem)


TABLE_HEADER = (
    "library",
    "version",
    "run",
    "variables inlined",
    "internal errors",
    "outcomes",
    "differ",
)


def table_row(result: RunResult) -> tuple[str, ...]:
    is_base = result.mode == BASE
    outcomes = summarize(result.outcomes)
    if result.problem:
        outcomes = f"{outcomes} ({result.problem})"
    other_fallbacks = {k: v for k, v in result.fallbacks.items() if k != "internal-error"}
    inlined = "" if result.variables_inlined is None else str(result.variables_inlined)
    if other_fallbacks:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(other_fallbacks.items()))
        inlined = f"{inlined} (fallbacks: {detail})"
    return (
        result.library,
        result.version,
        result.mode,
        inlined,
        "" if is_base else str(result.internal_errors),
        outcomes,
        "" if is_base else str(len(result.differences)),
    )


def format_table(results: Iterable[RunResult]) -> str:
    """A Markdown table, one row per run, columns padded to line up in a terminal."""
    rows = [TABLE_HEADER] + [table_row(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_HEADER))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(rows[0]), rule] + [line(row) for row in rows[1:]])


def format_differences(results: Iterable[RunResult], limit: int = 10) -> str:
    """The first `limit` changed tests of every run that has some, and every problem."""
    blocks = []
    for result in results:
        for note in result.notes:
            blocks.append(f"{result.library} {result.mode}: {note}")
        if result.problem:
            blocks.append(f"{result.library} {result.mode}: {result.problem}")
        if result.differences:
            lines = [f"{result.library} {result.mode}: {len(result.differences)} differ"]
            for d in result.differences[:limit]:
                lines.append(f"    {d.test_id}: {d.before} -> {d.after}")
            if len(result.differences) > limit:
                lines.append(f"    ... and {len(result.differences) - limit} more")
            blocks.append("\n".join(lines))
    return "\n".join(blocks)


# preparing a library: sdist, virtual environment


def pip_environment() -> dict[str, str]:
    """The environment for pip: PyPI only, whatever this machine's pip configuration adds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run_checked(args: Sequence[str | Path], log: Path, **kwargs) -> None:
    """Run a setup step; on failure raise with the log's tail."""
    with log.open("a") as out:
        out.write(f"$ {' '.join(map(str, args))}\n")
        out.flush()
        proc = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        step = " ".join(map(str, args[1:4]))
        raise RuntimeError(f"{step} ... failed ({proc.returncode}):\n" + "\n".join(tail))


def fetch_sdist(library: Library, workdir: Path) -> Path:
    """The sdist's extracted tree (workdir/LIB-VERSION/pristine), downloaded once."""
    lib_dir = workdir / f"{library.name}-{library.version}"
    pristine = lib_dir / "pristine"
    if pristine.is_dir():
        return pristine
    download = lib_dir / "sdist"
    download.mkdir(parents=True, exist_ok=True)
    spec = f"{library.name}=={library.version}"
    run_checked(
        [sys.executable, "-m", "pip", "download", "--quiet", "--index-url", PYPI_INDEX,
         "--no-binary", ":all:", "--no-deps", "--dest", download, spec],
        lib_dir / "setup.log",
        env=pip_environment(),
    )
    archives = sorted(download.glob("*.tar.gz"))
    if len(archives) != 1:
        raise RuntimeError(f"expected one sdist for {spec} in {download}, found {archives}")
    unpacked = lib_dir / "unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(archives[0]) as archive:
        archive.extractall(unpacked, filter="data")
    (top,) = list(unpacked.iterdir())
    top.rename(pristine)
    unpacked.rmdir()
    return pristine


def prepare_venv(library: Library, workdir: Path) -> Path:
    """The library's own virtual environment with its pinned test requirements.

    The library itself is not installed: its copy comes first on PYTHONPATH (a test
    requirement may pull it in from PyPI, as freezegun does python-dateutil, so every run
    checks where it is imported from).
    """
    lib_dir = workdir / f"{library.name}-{library.version}"
    venv = lib_dir / "venv"
    python = venv / "bin" / "python"
    requirements = [PYTEST, *library.test_requirements]
    stamp = venv / "requirements.txt"
    wanted = "\n".join(requirements) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    log = lib_dir / "setup.log"
    run_checked([sys.executable, "-m", "venv", venv], log)
    run_checked(
        [python, "-m", "pip", "install", "--quiet", "--index-url", PYPI_INDEX, *requirements],
        log,
        env=pip_environment(),
    )
    stamp.write_text(wanted)
    return python


# one run: copy, inline, check imports, run pytest


def package_sources(tree: Path, library: Library) -> list[Path]:
    """The library's own Python files in a copy, without test directories inside packages."""
    files = []
    for package in library.packages:
        for path in sorted((tree / library.source_root / package).rglob("*.py")):
            relative = path.relative_to(tree / library.source_root)
            if not {"tests", "test"} & set(relative.parts[:-1]):
                files.append(path)
    return files


def project_snapshot(commit: str, workdir: Path) -> Path:
    """This repository's tree at `commit`, exported once into the work directory.

    The command line is run from the snapshot, never from the checkout, so edits in
    progress there do not change a run, and two commits can be compared.
    """
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{commit}^{{commit}}"],
        cwd=REPO_DIR, capture_output=True, text=True,
    )
    if sha.returncode != 0:
        raise RuntimeError(f"not a commit: {commit}")
    snapshot = workdir / f"project-{sha.stdout.strip()[:12]}"
    if not (snapshot / "cli").is_dir():
        shutil.rmtree(snapshot, ignore_errors=True)
        snapshot.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha.stdout.strip()], cwd=REPO_DIR,
                                 capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", snapshot], input=archive.stdout, check=True)
    env = project_environment(snapshot)
    where = subprocess.run(
        [sys.executable, "-c", "import cli.app, inliner; print(inliner.__file__)"],
        cwd=snapshot, env=env, capture_output=True, text=True,
    )
    if where.returncode != 0 or not Path(where.stdout.strip()).is_relative_to(snapshot):
        raise RuntimeError(f"the snapshot's command line does not load: {where.stderr[-300:]}")
    return snapshot


def project_environment(snapshot: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(snapshot)  # ahead of the editable install of the checkout
    return env


@dataclass(frozen=True)
class InlineReport:
    variables: int
    fallbacks: dict[str, int]
    errors: tuple[str, ...]  # the command line's error lines (a file it could not process)


def inline_copy(
    tree: Path, library: Library, mode: Mode, run_dir: Path, snapshot: Path
) -> InlineReport:
    """Inline the package sources in `tree` with the command line of `snapshot`."""
    telemetry = run_dir / "telemetry.jsonl"
    telemetry.unlink(missing_ok=True)
    args = [sys.executable, "-c", "from cli.app import run; run()", *mode.cli_args(),
            "--no-cache", "--quiet", "--telemetry", str(telemetry)]
    args += [str(p) for p in package_sources(tree, library)]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=snapshot,
                          env=project_environment(snapshot))
    (run_dir / "inline.log").write_text(proc.stdout + proc.stderr)
    # 123: some file could not be processed and was left as it was; the others were
    # inlined, so the suite still runs and the fallbacks say what happened.
    if proc.returncode not in (0, 123) or not telemetry.exists():
        raise RuntimeError(f"inline-solvers exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    stats = json.loads(telemetry.read_text().splitlines()[-1])
    errors = tuple(line for line in proc.stderr.splitlines() if ": error: " in line)
    return InlineReport(int(stats["variables_inlined"]), dict(stats.get("fallbacks", {})), errors)


def suite_environment(tree: Path, library: Library) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTEST_ADDOPTS", "VIRTUAL_ENV"):
        env.pop(key, None)
    env["PYTHONPATH"] = str(tree / library.source_root)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONHASHSEED"] = "0"  # set iteration order the same in every run
    return env


def check_imports(python: Path, tree: Path, library: Library, env: dict[str, str]) -> None:
    """Every top-level module of the library must be imported from the copy under test."""
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    print(importlib.import_module(name).__file__)"
    )
    proc = subprocess.run(
        [python, "-c", code, *library.imports], capture_output=True, text=True, cwd=tree, env=env
    )
    if proc.returncode != 0:
        raise RuntimeError(f"import failed: {proc.stderr.strip().splitlines()[-1:]}")
    root = tree.resolve()
    for name, origin in zip(library.imports, proc.stdout.split()):
        if not Path(origin).resolve().is_relative_to(root):
            raise RuntimeError(f"{name} imported from {origin}, not from the copy")


# Where pytest looks for its configuration in a directory, in its order, and the section
# that makes a file count.
PYTEST_CONFIGS = (
    ("pytest.ini", ""),
    (".pytest.ini", ""),
    ("pyproject.toml", "[tool.pytest.ini_options]"),
    ("tox.ini", "[pytest]"),
    ("setup.cfg", "[tool:pytest]"),
)


def pytest_config(tree: Path) -> Path | None:
    """The library's own pytest configuration file at the top of its tree, if any."""
    for name, section in PYTEST_CONFIGS:
        path = tree / name
        if path.is_file() and section in path.read_text(errors="replace"):
            return path
    return None


def run_pytest(
    python: Path, tree: Path, library: Library, run_dir: Path, timeout: float
) -> dict[str, str]:
    env = suite_environment(tree, library)
    check_imports(python, tree, library, env)
    report = run_dir / "junit.xml"
    report.unlink(missing_ok=True)
    config = pytest_config(tree)
    if config is None:
        # Without a file of its own, pytest would take the configuration of a directory
        # above (this repository's pyproject.toml, when the work directory is in build/).
        config = run_dir / "pytest.ini"
        config.write_text("[pytest]\n")
    args = [
        python, "-m", "pytest", *library.pytest_args, "-c", str(config), "--rootdir", str(tree),
        "-q", "-p", "no:cacheprovider", "--junitxml", str(report), "-o", "junit_family=xunit1",
    ]
    with (run_dir / "pytest.log").open("w") as log:
        try:
            proc = subprocess.run(args, cwd=tree, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"pytest ran out of time ({timeout:.0f} s)") from None
    if not report.exists():
        raise RuntimeError("pytest wrote no report (see pytest.log)")
    outcomes = parse_junit(report.read_text())
    # 0: all passed, 1: some failed. Anything else (interrupted by a collection error,
    # an internal error, a usage error, no tests) means the suite did not really run.
    if proc.returncode not in (0, 1):
        raise SuiteBroken(f"pytest exited {proc.returncode} (see pytest.log)", outcomes)
    return outcomes


class SuiteBroken(RuntimeError):
    """pytest ran but did not finish normally; the outcomes it reported are kept."""

    def __init__(self, message: str, outcomes: dict[str, str]) -> None:
        super().__init__(message)
        self.outcomes = outcomes


def run_one(
    library: Library, mode: Mode | None, pristine: Path, python: Path, snapshot: Path,
    workdir: Path, timeout: float, keep: bool,
) -> RunResult:
    """Copy the pristine tree, inline it unless this is the base run, and run the suite."""
    name = BASE if mode is None else mode.name
    result = RunResult(library.name, library.version, name)
    run_dir = workdir / f"{library.name}-{library.version}" / "runs" / name.replace("/", "-")
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    tree = run_dir / "tree"
    shutil.copytree(pristine, tree, symlinks=True)
    started = time.monotonic()
    try:
        if mode is not None:
            report = inline_copy(tree, library, mode, run_dir, snapshot)
            result.variables_inlined, result.fallbacks = report.variables, report.fallbacks
            result.notes = report.errors
        result.outcomes = run_pytest(python, tree, library, run_dir, timeout)
    except SuiteBroken as error:
        result.outcomes, result.problem = error.outcomes, str(error)
    except RuntimeError as error:
        result.problem = str(error)
    result.seconds = time.monotonic() - started
    if not keep:
        shutil.rmtree(tree, ignore_errors=True)
    return result


# the program


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run real libraries' test suites before and after inlining them."
    )
    names = [lib.name for lib in LIBRARIES]
    parser.add_argument("--library", action="append", choices=names,
                        help="a library to run (repeatable; default: all)")
    parser.add_argument("--mode", action="append", choices=[m.name for m in MODES],
                        help="a mode to run (repeatable; default: all)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"downloads, environments and runs (default: {DEFAULT_WORKDIR})")
    parser.add_argument("--jobs", type=int, default=1,
                        help="suites run at once (default 1)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds allowed for one run of a suite "
                        f"(default {DEFAULT_TIMEOUT:.0f})")
    parser.add_argument("--keep", action="store_true",
                        help="keep each run's copy of the library (runs/MODE/tree)")
    parser.add_argument("--commit", default="HEAD",
                        help="the commit of this repository whose command line inlines "
                        "(default HEAD; uncommitted edits are never used)")
    parser.add_argument("--list", action="store_true", help="print the libraries and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for lib in LIBRARIES:
            print(f"{lib.name}=={lib.version}: {lib.why}")
        return 0
    libraries = [lib for lib in LIBRARIES if not args.library or lib.name in args.library]
    modes = [m for m in MODES if not args.mode or m.name in args.mode]
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        snapshot = project_snapshot(args.commit, workdir)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"inline-solvers from {args.commit} ({snapshot.name}), Python {sys.version.split()[0]}",
          file=sys.stderr)

    prepared: dict[str, tuple[Path, Path]] = {}
    setup_failures: list[RunResult] = []
    for lib in libraries:
        try:
            prepared[lib.name] = (fetch_sdist(lib, workdir), prepare_venv(lib, workdir))
        except RuntimeError as error:
            setup_failures.append(RunResult(lib.name, lib.version, BASE, problem=str(error)))

    jobs = [(lib, mode) for lib in libraries if lib.name in prepared for mode in [None, *modes]]
    results: dict[tuple[str, str], RunResult] = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {
            pool.submit(run_one, lib, mode, *prepared[lib.name], snapshot, workdir, args.timeout,
                        args.keep):
            (lib, mode)
            for lib, mode in jobs
        }
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results[(result.library, result.mode)] = result
            print(f"  {result.library} {result.mode}: {summarize(result.outcomes)}"
                  f"{' (' + result.problem + ')' if result.problem else ''}"
                  f" [{result.seconds:.0f} s]", file=sys.stderr, flush=True)

    ordered: list[RunResult] = list(setup_failures)
    for lib in libraries:
        if lib.name not in prepared:
            continue
        base = results[(lib.name, BASE)]
        ordered.append(base)
        for mode in modes:
            result = results[(lib.name, mode.name)]
            # A broken base run has nothing to compare with (and fails the run itself);
            # a broken mode run is compared all the same, its missing tests counted.
            if base.problem is None:
                result.differences = compare(base.outcomes, result.outcomes)
            ordered.append(result)

    print(format_table(ordered))
    details = format_differences(ordered)
    if details:
        print()
        print(details)
    (workdir / "results.json").write_text(json.dumps(
        [
            {
                "library": r.library, "version": r.version, "run": r.mode,
                "variables_inlined": r.variables_inlined, "fallbacks": r.fallbacks,
                "outcomes": summarize(r.outcomes), "problem": r.problem, "notes": r.notes,
                "seconds": round(r.seconds, 1),
                "differences": [[d.test_id, d.before, d.after] for d in r.differences],
            }
            for r in ordered
        ],
        indent=1,
    ))
    return 1 if any(r.failed for r in ordered) else 0


if __name__ == "__main__":
    sys.exit(main())
