"""One run of the command line over files, directories and standard input: read, inline
through the driver, then write, diff or check each file, and report.

Standard input (``-``) is a file like any other whose "writing" is standard output: the
inlined text (or, for text that cannot be inlined, the text as it came), in its own
encoding. With ``--check`` nothing is printed there; with ``--diff`` its diff, as
``<stdin>``.
"""

from __future__ import annotations

import ast
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path

from inliner import (
    CANONICAL,
    CanonicalFunction,
    InlineBatch,
    InlineOptions,
    InlineResult,
    __version__,
    prepare_store,
    store_canonical,
)
from inliner.analysis.inferred import declaration_warnings
from inliner.driver import BadSchedulerAddress, SchedulerUnavailable, connect_scheduler
from inliner.driver.batch import ExecutorKind
from inliner.source import split_lines
from inliner.store import stored_path

from .comments import count_comments
from .copied_calls import functions_with_copied_calls
from .diffs import unified_diff
from .digest_pass import canonical_pass
from .duplicates import DuplicateFinder
from .files import (
    DEFAULT_EXCLUDE,
    DEFAULT_INCLUDE,
    SourceError,
    SourceFile,
    decode_source,
    find_python_files,
    read_source,
    write_atomically,
)
from .progress import RunProgress
from .report import Summary, error_line, explanation, left_alone_line, plural, say
from .stopping import StopSignals, Tally, exit_status

EXIT_OK, EXIT_WOULD_CHANGE, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 123
STDIN = Path("-")


@dataclass(frozen=True)
class RunSettings:
    """How to run, beyond the inliner's own options."""

    check: bool = False
    diff: bool = False
    quiet: bool = False
    verbose: bool = False
    explain: bool = False
    parallel: int = 1
    executor: ExecutorKind = "thread"
    cache_dir: Path | None = None
    telemetry: Path | None = None
    include: str = DEFAULT_INCLUDE
    exclude: str = DEFAULT_EXCLUDE
    duplicates: bool = False
    json: bool = False
    store: Path | None = None
    store_name: str = "solve"
    scheduler: str | None = None
    """A Dask scheduler's address: the work is done on its workers."""

    @property
    def writing(self) -> bool:
        return not (self.check or self.diff)


def default_cache_dir() -> Path:
    """The user's cache directory, one per tool version."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "inline-solvers" / __version__


def read_stdin() -> SourceFile:
    """Standard input as bytes, decoded as a file is (so binary input is refused cleanly)."""
    return decode_source(STDIN, sys.stdin.buffer.read())


def _display(source: SourceFile) -> str:
    return str(source.path)


def inlined_anything(result: InlineResult) -> bool:
    """Whether some function of the result had a variable inlined or dropped. A file where
    none had is left byte for byte as it is, in every mode: the command line never rewrites
    a file only to reformat it (``--canonical`` would drop its comments, and tools that copy
    code between marker comments would lose their markers). The library still returns the
    canonical text of such a module; digests and ``--store`` use that."""
    return any(function.inlined or function.dropped for function in result.functions)


def _finish(source: SourceFile, result: InlineResult, options: InlineOptions,
            settings: RunSettings, summary: Summary) -> bool:
    """Write, diff or report one file's result; returns whether it changed (or would)."""
    display = _display(source)
    summary.functions += len(result.functions)
    if result.status == "fallback" and not result.functions:
        raise SourceError(result.reason or "cannot be processed", result.line, result.column)
    for function in result.fallbacks:
        summary.fallbacks[function.reason.value if function.reason else "unknown"] += 1
        say(left_alone_line(display, function))
    if settings.explain:
        for line in explanation(display, result):
            say(line)
    new_text = source.text
    if inlined_anything(result):
        new_text = result.code
        if not options.preserve_format and not new_text.endswith("\n"):
            new_text += "\n"
    if new_text == source.text:
        if settings.verbose:
            say(f"unchanged: {display}")
        if source.path == STDIN and settings.writing:
            sys.stdout.buffer.write(source.raw)
        return False
    summary.inlined += result.inlined
    summary.dropped += result.dropped
    if not options.preserve_format:
        if options.expand == "all":
            summary.copied_calls += functions_with_copied_calls(source.text, new_text)
        dropped = count_comments(source.text) - count_comments(new_text)
        summary.comments_dropped += dropped
        if dropped and settings.explain:
            say(f"{display}: {plural(dropped, 'comment')} dropped (--canonical)")
    if settings.diff:
        # A closed pipe ends the whole run (click stops it quietly); it is no error of this file.
        name = ("<stdin>", "<stdin>") if source.path == STDIN else (f"a/{display}", f"b/{display}")
        sys.stdout.writelines(unified_diff(split_lines(source.text), split_lines(new_text),
                                           fromfile=name[0], tofile=name[1]))
        sys.stdout.flush()
    if settings.writing:
        data = source.encode(new_text, convert_newlines=not options.preserve_format)
        if source.path == STDIN:
            sys.stdout.buffer.write(data)
        else:
            write_atomically(source, data)
    if not settings.quiet:
        if settings.writing:
            say(f"inlined {display}: {plural(result.inlined, 'variable')}")
        else:
            say(f"would change: {display}")
    return True


def _declaration_warnings(sources: list[SourceFile], options: InlineOptions) -> list[str]:
    """What inference sees in the callables the user declared pure, said once each."""
    seen: dict[str, None] = {}
    for source in sources:
        try:
            tree = ast.parse(source.text)
            path = None if source.path == STDIN else source.path
            seen.update(dict.fromkeys(declaration_warnings(tree, options.search_paths, options.pure_calls, path)))
        except Exception:  # noqa: BLE001 - a warning that cannot be made is no error of the run
            continue
    return list(seen)


def inline_paths(paths: Sequence[Path], options: InlineOptions,
                 settings: RunSettings = RunSettings()) -> int:
    """Run over ``paths``; returns the exit code. Ctrl-C or SIGTERM stops the run at once
    (every file old or new), says how far it got, and returns 130 (143 for SIGTERM)."""
    summary, tally = Summary(), Tally()
    with StopSignals() as stops:
        try:
            if settings.scheduler is None:
                return _inline_paths(paths, options, settings, settings.executor, summary, tally, stops)
            return _on_cluster(paths, options, settings, summary, tally, stops)
        except KeyboardInterrupt as stop:
            say(tally.line(stop, summary, writing=settings.writing, storing=settings.store is not None))
            return exit_status(stop)


def _on_cluster(paths: Sequence[Path], options: InlineOptions, settings: RunSettings, summary: Summary,
                tally: Tally, stops: StopSignals) -> int:
    assert settings.scheduler is not None
    # A cluster that cannot be used stops the run before any file is read: the user asked
    # for it, and quietly doing the work here instead could swamp this machine.
    try:
        with connect_scheduler(settings.scheduler) as cluster:
            settings = replace(settings, parallel=max(settings.parallel, cluster.workers))
            return _inline_paths(paths, options, settings, cluster.executor, summary, tally, stops)
    except BadSchedulerAddress as error:
        say(f"error: --scheduler: {error}")
        return EXIT_USAGE
    except SchedulerUnavailable as error:
        say(f"error: --scheduler {settings.scheduler}: {error}")
        return EXIT_ERROR


def _inline_paths(paths: Sequence[Path], options: InlineOptions, settings: RunSettings,
                  executor: ExecutorKind | Executor, summary: Summary, tally: Tally, stops: StopSignals) -> int:
    started = time.perf_counter()
    sources: list[SourceFile] = []

    def report_error(display: str, error: SourceError) -> None:
        summary.errors += 1
        say(error_line(display, error))

    def echo_unchanged(source: SourceFile) -> None:
        # A filter never swallows its input: text it could not inline goes out as it came.
        if source.path == STDIN and settings.writing:
            sys.stdout.buffer.write(source.raw)

    for path in find_python_files([p for p in paths if p != STDIN], settings.include, settings.exclude):
        summary.files += 1
        try:
            sources.append(read_source(path))
        except SourceError as error:
            tally.handled += 1
            report_error(str(path), error)
    if STDIN in paths:
        summary.files += 1
        try:
            sources.append(read_stdin())
        except SourceError as error:
            tally.handled += 1
            report_error("-", error)
    if options.infer_calls:
        # Imported modules are looked for beside each file first, then in the roots.
        beside = [os.path.abspath(s.path.parent) for s in sources if s.path != STDIN]
        options = replace(options, search_paths=tuple(dict.fromkeys([*beside, *options.search_paths])))
    if options.pure_calls and options.infer_calls:
        for message in _declaration_warnings(sources, options):
            say(f"warning: {message}")
    store = None
    if settings.store is not None:
        try:
            store = prepare_store(settings.store)
        except OSError as error:
            report_error(str(settings.store), SourceError(f"cannot be used as a store: {error.strerror or error}"))
    warn = lambda message: say(f"warning: {message}")  # noqa: E731
    finder = DuplicateFinder()
    cache_hits = 0
    with RunProgress(len(sources), wanted=not (settings.quiet or settings.json)) as progress:
        if not settings.duplicates:
            step = progress.task("inlining", len(sources))
            with InlineBatch(options, parallel=settings.parallel, cache_dir=settings.cache_dir,
                             executor=executor,
                             telemetry=settings.telemetry, warn=warn) as batch:
                for index, result in batch.run([s.text for s in sources]):
                    step()
                    source = sources[index]
                    # A stop signal waits for this file's write and count (see stopping).
                    with stops.held():
                        tally.handled += 1
                        try:
                            summary.changed += _finish(source, result, options, settings, summary)
                        except SourceError as error:
                            report_error(_display(source), error)
                            echo_unchanged(source)
                        except BrokenPipeError:
                            raise
                        except OSError as error:
                            report_error(_display(source),
                                         SourceError(f"cannot be written: {error.strerror or error}"))
            cache_hits = batch.stats.cache_hits
        if settings.duplicates or store is not None:

            def take(index: int, function: CanonicalFunction) -> None:
                nonlocal store
                display = str(sources[index].path)
                if function.status == "fallback":
                    say(f"{display}:{function.line}: {function.name} left as it was in the canonical "
                        f"form: {function.reason.value if function.reason else 'unknown'}"
                        f"{': ' + function.detail if function.detail else ''}")
                if settings.duplicates:
                    finder.add(index, display, function)
                if store is None:
                    return
                if function.circumstantial:
                    # A timeout depends on the load: its digest is no key to keep.
                    say(f"{display}:{function.line}: {function.name} not stored "
                        f"({function.reason.value if function.reason else ''})")
                    return
                try:
                    with stops.held():  # a stop signal waits for the count to match the store
                        wrote = store_canonical(store, function)
                        summary.stored += wrote
                        summary.already_stored += not wrote
                except OSError as error:
                    report_error(str(stored_path(store, function.digest)),
                                 SourceError(f"cannot be stored: {error.strerror or error}; storing stopped"))
                    store = None

            def file_digested() -> None:
                tally.handled += 1
                digesting()

            # The canonical form's own options: the run's --timeout, nothing else of it.
            digesting = progress.task("digesting", len(sources))
            tally.start("digested")
            with InlineBatch(replace(CANONICAL, timeout=options.timeout), parallel=settings.parallel,
                             cache_dir=settings.cache_dir, executor=executor,
                             telemetry=settings.telemetry if settings.duplicates else None,
                             warn=warn) as canonical:
                canonical_pass(sources, settings.store_name, canonical, take,
                               report_error if settings.duplicates else None, file_digested)
    if settings.duplicates:
        report = finder.report()
        sys.stdout.write(report.as_json() + "\n" if settings.json else report.as_text())
        if settings.store is not None and not settings.quiet:
            say(summary.stored_line())
        return EXIT_ERROR if summary.errors else EXIT_OK
    if not settings.quiet:
        say(summary.line(time.perf_counter() - started, writing=settings.writing, cache_hits=cache_hits))
        if not summary.files:
            say("hint: no Python file found (directories are walked for files that match --include "
                "and not --exclude; a file named on the command line is always taken)")
    if summary.errors:
        return EXIT_ERROR
    return EXIT_WOULD_CHANGE if summary.changed and not settings.writing else EXIT_OK
