"""``inline-solvers [OPTIONS] PATH...``: inline local variables of Python files in place.

Exit codes (a contract): 0 nothing to do or files written (or ``--duplicates`` found some,
or none); 1 ``--check``/``--diff`` found files that would change; 123 some file could not
be processed (the others still were).
"""

from __future__ import annotations

import keyword
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from inliner import (
    CANONICAL,
    CanonicalFunction,
    InlineBatch,
    InlineOptions,
    InlineResult,
    __version__,
    inline_source,
    prepare_store,
    store_canonical,
    tune_garbage_collector,
)
from inliner.source import split_lines
from inliner.store import stored_path

from .canonical import canonical_pass
from .config import ConfigError, find_project_config, load_config
from .diffs import unified_diff
from .duplicates import DuplicateFinder
from .files import (
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    SourceError,
    SourceFile,
    find_python_files,
    read_source,
    write_atomically,
)
from .progress import RunProgress

EXIT_OK, EXIT_WOULD_CHANGE, EXIT_ERROR = 0, 1, 123


class Policy(str, Enum):
    strict = "strict"
    pure = "pure"


class Expand(str, Enum):
    single = "single"
    all = "all"


class Executor(str, Enum):
    auto = "auto"
    thread = "thread"
    process = "process"


@dataclass
class Summary:
    files: int = 0
    changed: int = 0
    errors: int = 0
    functions: int = 0
    inlined: int = 0
    dropped: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)
    cache_hits: int = 0
    stored: int = 0
    already_stored: int = 0

    def stored_line(self) -> str:
        return f"{self.stored} stored, {self.already_stored} already in the store"

    def line(self, seconds: float, writing: bool) -> str:
        verb = "changed" if writing else "would change"
        parts = [f"{self.files} file{'s' if self.files != 1 else ''}", f"{self.changed} {verb}",
                 f"{self.functions} functions", f"{self.inlined} variables inlined"]
        if self.dropped:
            parts.append(f"{self.dropped} dropped")
        if self.errors:
            parts.append(f"{self.errors} could not be processed")
        if self.cache_hits:
            parts.append(f"{self.cache_hits} cache hits")
        if self.fallbacks:
            parts.append("fallbacks: " + ", ".join(f"{k} {v}" for k, v in sorted(self.fallbacks.items())))
        if self.stored or self.already_stored:
            parts.append(self.stored_line())
        return ", ".join(parts) + f" ({seconds:.2f} s)"


def _say(message: str, *, error: bool = False) -> None:
    typer.echo(message, err=error)


@dataclass(frozen=True)
class RunSettings:
    """How to run, beyond the inliner's own options."""

    check: bool = False
    diff: bool = False
    quiet: bool = False
    verbose: bool = False
    parallel: int = 1
    executor: str = "thread"
    cache_dir: Path | None = None
    telemetry: Path | None = None
    include: str = DEFAULT_INCLUDE
    exclude: str = DEFAULT_EXCLUDE
    duplicates: bool = False
    json: bool = False
    store: Path | None = None
    store_name: str = "solve"


def default_cache_dir() -> Path:
    """The user's cache directory, one per tool version."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "inline-solvers" / __version__


def _process(source: SourceFile, result: InlineResult, options: InlineOptions, display: str, *,
             check: bool, diff: bool, verbose: bool, quiet: bool, summary: Summary) -> bool:
    """Write, diff or report one file's result; returns whether it changed (or would)."""
    summary.functions += len(result.functions)
    if result.status == "fallback" and not result.functions:
        raise SourceError(result.reason or "cannot be processed", result.line, result.column)
    for function in result.fallbacks:
        summary.fallbacks[function.reason.value if function.reason else "unknown"] += 1
        _say(f"{display}:{function.line}: {function.qualname} left as it was: "
             f"{function.reason.value if function.reason else ''}"
             f"{': ' + function.detail if function.detail else ''}", error=True)
    new_text = result.code
    if not options.preserve_format and not new_text.endswith("\n"):
        new_text += "\n"
    if new_text == source.text:
        return False
    summary.inlined += result.inlined
    summary.dropped += result.dropped
    if diff:
        # A closed pipe ends the whole run (see main), it is no error of this file.
        sys.stdout.writelines(unified_diff(
            split_lines(source.text), split_lines(new_text),
            fromfile=f"a/{display}", tofile=f"b/{display}",
        ))
    if not (check or diff):
        write_atomically(source, source.encode(new_text, convert_newlines=not options.preserve_format))
    if verbose or not (check or diff or quiet):
        verb = "would inline" if (check or diff) else "inlined"
        _say(f"{verb} {display}: {result.inlined} variables", error=True)
    return True


def inline_paths(paths: Sequence[Path], options: InlineOptions,
                 settings: RunSettings = RunSettings()) -> int:
    started = time.perf_counter()
    summary = Summary()
    changed_any = False
    check, diff = settings.check, settings.diff
    sources: list[SourceFile] = []

    def report_error(display: str, error: SourceError) -> None:
        summary.errors += 1
        where = "".join(f":{n}" for n in (error.line, error.column) if n)
        _say(f"{display}{where}: error: {error}", error=True)

    for path in find_python_files(paths, settings.include, settings.exclude):
        summary.files += 1
        try:
            sources.append(read_source(path))
        except SourceError as error:
            report_error(str(path), error)
    store = None
    if settings.store is not None:
        try:
            store = prepare_store(settings.store)
        except OSError as error:
            report_error(str(settings.store), SourceError(f"cannot be used as a store: {error.strerror or error}"))
    warn = lambda message: _say(f"warning: {message}", error=True)  # noqa: E731
    finder = DuplicateFinder()
    with RunProgress(len(sources), wanted=not (settings.quiet or settings.json)) as progress:
        if not settings.duplicates:
            batch = InlineBatch(options, parallel=settings.parallel, cache_dir=settings.cache_dir,
                                executor=settings.executor,  # type: ignore[arg-type]
                                telemetry=settings.telemetry, warn=warn)
            step = progress.task("inlining", len(sources))
            for index, result in batch.run([s.text for s in sources]):
                step()
                source = sources[index]
                display = str(source.path)
                try:
                    changed = _process(source, result, options, display, check=check, diff=diff,
                                       verbose=settings.verbose, quiet=settings.quiet, summary=summary)
                except SourceError as error:
                    report_error(display, error)
                    continue
                except BrokenPipeError:
                    raise
                except OSError as error:
                    report_error(display, SourceError(f"cannot be written: {error.strerror or error}"))
                    continue
                if changed:
                    summary.changed += 1
                    changed_any = True
            summary.cache_hits = batch.stats.cache_hits
        if settings.duplicates or store is not None:

            def take(index: int, function: CanonicalFunction) -> None:
                nonlocal store
                display = str(sources[index].path)
                if function.status == "fallback":
                    _say(f"{display}:{function.line}: {function.name} left as it was in the canonical "
                         f"form: {function.reason.value if function.reason else 'unknown'}"
                         f"{': ' + function.detail if function.detail else ''}", error=True)
                if settings.duplicates:
                    finder.add(index, display, function)
                if store is None:
                    return
                if function.circumstantial:
                    # A timeout depends on the load: its digest is no key to keep.
                    _say(f"{display}:{function.line}: {function.name} not stored "
                         f"({function.reason.value if function.reason else ''})", error=True)
                    return
                try:
                    wrote = store_canonical(store, function)
                except OSError as error:
                    report_error(str(stored_path(store, function.digest)),
                                 SourceError(f"cannot be stored: {error.strerror or error}; storing stopped"))
                    store = None
                    return
                summary.stored += wrote
                summary.already_stored += not wrote

            # The canonical form's own options: the run's --timeout, nothing else of it.
            canonical = InlineBatch(replace(CANONICAL, timeout=options.timeout), parallel=settings.parallel,
                                    cache_dir=settings.cache_dir, executor=settings.executor,  # type: ignore[arg-type]
                                    telemetry=settings.telemetry if settings.duplicates else None, warn=warn)
            canonical_pass(sources, settings.store_name, canonical, take,
                           report_error if settings.duplicates else None,
                           progress.task("digesting", len(sources)))
    if settings.duplicates:
        report = finder.report()
        sys.stdout.write(report.as_json() + "\n" if settings.json else report.as_text())
        if settings.store is not None and not settings.quiet:
            _say(summary.stored_line(), error=True)
        return EXIT_ERROR if summary.errors else EXIT_OK
    if not settings.quiet:
        _say(summary.line(time.perf_counter() - started, writing=not (check or diff)), error=True)
    if summary.errors:
        return EXIT_ERROR
    return EXIT_WOULD_CHANGE if changed_any and (check or diff) else EXIT_OK


def _inline_stdin(options: InlineOptions) -> int:
    text = sys.stdin.read()
    result = inline_source(text, options)
    if result.status == "fallback" and not result.functions:
        where = "".join(f":{n}" for n in (result.line, result.column) if n)
        _say(f"-{where}: error: {result.reason}", error=True)
        sys.stdout.write(text)
        return EXIT_ERROR
    sys.stdout.write(result.code if options.preserve_format else result.code + "\n")
    return EXIT_OK


app = typer.Typer(add_completion=False, help=__doc__)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inline-solvers {__version__}")
        raise typer.Exit()


@app.command()
def command(
    ctx: typer.Context,
    # readable=False: typer would refuse a path this user may not read as a usage error
    # (exit 2, nothing done); reading it is the run's business (one error, exit 123), and a
    # cache directory or telemetry file it cannot use costs one warning.
    paths: Annotated[list[Path], typer.Argument(readable=False, help="Files and directories; - for standard input.")],
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if a file would change.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Write nothing; print a unified diff.")] = False,
    policy: Annotated[Policy, typer.Option(help="strict: keep the order of every effect; pure: calls are pure.")] = Policy.strict,
    expand: Annotated[Expand, typer.Option(help="single: inline variables read once; all: also copy those read more.")] = Expand.single,
    canonical: Annotated[bool, typer.Option("--canonical", help="Write ast.unparse output instead of keeping the layout.")] = False,
    drop_dead: Annotated[bool, typer.Option("--drop-dead", help="Remove assignments whose value is never read.")] = False,
    timeout: Annotated[Optional[float], typer.Option(help="Seconds allowed for analysing and planning each function, and again for rewriting each top-level statement (libcst's parse of it cannot be interrupted).")] = 10.0,
    parallel: Annotated[int, typer.Option(min=1, help="Files worked on at once.")] = 1,
    executor: Annotated[Executor, typer.Option(help="auto, thread or process workers.")] = Executor.auto,
    cache_dir: Annotated[Optional[Path], typer.Option(readable=False, help="Where to cache results (default: the user's cache).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Use no cache.")] = False,
    telemetry: Annotated[Optional[Path], typer.Option(readable=False, help="Append the run's figures to this file as one JSON line.")] = None,
    include: Annotated[str, typer.Option(help="Regular expression of files to take in directories.")] = DEFAULT_INCLUDE,
    exclude: Annotated[str, typer.Option(help="Regular expression of paths to skip in directories.")] = DEFAULT_EXCLUDE,
    duplicates: Annotated[bool, typer.Option("--duplicates", help="Write nothing; print the groups of top-level functions with the same canonical digest.")] = False,
    json: Annotated[bool, typer.Option("--json", help="With --duplicates: one JSON object on standard output.")] = False,
    store: Annotated[Optional[Path], typer.Option(readable=False, metavar="DIR", help="Also write each distinct top-level function's canonical text to DIR/<md5>.py.")] = None,
    store_name: Annotated[str, typer.Option(help="The name functions take in the canonical form.")] = "solve",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print every file that changes.")] = False,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Print the version and exit.")] = None,
) -> int:
    """Inline local variables of generated Python modules, in place."""
    given = dict(check=check, diff=diff, policy=policy.value, expand=expand.value,
                 canonical=canonical, drop_dead=drop_dead, timeout=timeout, parallel=parallel,
                 executor=executor.value, cache_dir=cache_dir, no_cache=no_cache,
                 telemetry=telemetry, include=include, exclude=exclude, quiet=quiet,
                 verbose=verbose, duplicates=duplicates, json=json, store=store, store_name=store_name)
    try:
        config_file = find_project_config(paths)
        config = load_config(config_file) if config_file else {}
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None
    for key, value in config.items():
        # Flags given on the command line win over the file.
        if ctx.get_parameter_source(key).name != "COMMANDLINE":
            given[key] = Path(value) if key in ("cache_dir", "telemetry", "store") else value
    try:
        options = InlineOptions(policy=given["policy"], expand=given["expand"],  # type: ignore[arg-type]
                                preserve_format=not given["canonical"], drop_dead=given["drop_dead"],
                                timeout=given["timeout"])
        for key in ("include", "exclude"):
            re.compile(given[key])
        if given["executor"] not in ("auto", "thread", "process") or given["parallel"] < 1:
            raise ValueError("executor must be auto, thread or process; parallel at least 1")
        if not given["store_name"].isidentifier() or keyword.iskeyword(given["store_name"]):
            raise ValueError(f"--store-name {given['store_name']!r} cannot name a function")
        if given["json"] and not given["duplicates"]:
            raise ValueError("--json goes with --duplicates")
    except (ValueError, re.error) as error:
        raise typer.BadParameter(str(error)) from None
    if [str(p) for p in paths] == ["-"]:
        if given["duplicates"] or given["store"] is not None:
            raise typer.BadParameter("--duplicates and --store read files and directories, not -")
        return _inline_stdin(options)
    settings = RunSettings(
        check=given["check"], diff=given["diff"], quiet=given["quiet"], verbose=given["verbose"],
        parallel=given["parallel"], executor=given["executor"], telemetry=given["telemetry"],
        include=given["include"], exclude=given["exclude"],
        duplicates=given["duplicates"], json=given["json"], store=given["store"],
        store_name=given["store_name"],
        cache_dir=None if given["no_cache"] else (given["cache_dir"] or default_cache_dir()),
    )
    return inline_paths(paths, options, settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    command_line = typer.main.get_command(app)
    try:
        code = command_line.main(args=list(sys.argv[1:] if argv is None else argv),
                                 prog_name="inline-solvers", standalone_mode=False)
    except BrokenPipeError:
        # The reader (``| head``) went away: stop quietly, as other filters do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_WOULD_CHANGE
    except Exception as error:
        # Usage errors, --help and --version, whichever click typer was built with.
        kind, exit_code = type(error).__name__, getattr(error, "exit_code", None)
        if kind == "Exit":
            return exit_code or EXIT_OK
        if kind == "Abort":
            return 130
        if hasattr(error, "show") and isinstance(exit_code, int):
            error.show()
            return exit_code
        raise
    return code if isinstance(code, int) else EXIT_OK


def run() -> None:
    """The console script's entry point (and ``python -m cli``): a process of our own, so
    the collector is tuned for batch work (see :mod:`inliner.collector`)."""
    tune_garbage_collector()
    sys.exit(main())
