"""``inline-solvers [OPTIONS] PATH...``: inline local variables of Python files in place.

Exit codes (a contract): 0 nothing to do or files written (or ``--duplicates`` found some,
or none); 1 ``--check``/``--diff`` found files that would change; 123 some file could not
be processed (the others still were); 2 a usage error (nothing done); 130 interrupted
(Ctrl-C); 143 terminated (SIGTERM; the console script then ends by the signal itself).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click import Context as ClickContext  # what typer hands a command's methods (typer vendors click)
from typer.core import TyperCommand

from inliner import InlineOptions, __version__, tune_garbage_collector
from inliner.driver.batch import EXECUTORS, ExecutorKind
from inliner.options import EXPANSIONS, POLICIES, Expand, Policy

from . import cache_admin, params
from .config import CONFIG_FILE, line_length_of, read_configuration, setting_hint
from .conflicts import refuse_conflicts
from .files import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, nothing_at
from .run import EXIT_ERROR, EXIT_OK, STDIN, RunSettings, default_cache_dir, inline_paths
from .stopping import exit_status
from .usage import UsageError

EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Command(TyperCommand):
    """typer's command, with the usage line users expect and errors that name the
    ``pyproject.toml`` setting a bad value came from."""

    def collect_usage_pieces(self, ctx: ClickContext) -> list[str]:
        return [self.options_metavar or "[OPTIONS]", "PATH..."]

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except typer.BadParameter as error:
            name = getattr(error.param, "name", None)
            hint = setting_hint(ctx, name) if name else None
            if hint is not None:
                error.param_hint = hint
            raise


app = typer.Typer(add_completion=False, help=__doc__, rich_markup_mode=None,
                  context_settings={"help_option_names": ["--help", "-h"]})


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inline-solvers {__version__}")
        raise typer.Exit()


@app.command(cls=Command)
def command(
    ctx: typer.Context,
    # readable=False: typer would refuse a path this user may not read as a usage error
    # (exit 2, nothing done); reading it is the run's business (one error, exit 123), and a
    # cache directory or telemetry file it cannot use costs one warning (their options take
    # params.path, which checks nothing on disk). A path that does not exist at all is a
    # usage error, checked below. Eager, so that its callback reads pyproject.toml before
    # any option takes its default from it. Optional for typer: --cache-info and
    # --clear-cache take none, every other run needs one (checked below).
    paths: Annotated[list[Path] | None, typer.Argument(
        readable=False, metavar="PATH", is_eager=True, callback=read_configuration, hidden=True,
        show_default=False)] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Write nothing; name each file that would change and exit 1 if any would.")] = False,
    diff: Annotated[bool, typer.Option(
        "--diff", help="Write nothing; print a unified diff (exit 1 if there is one).")] = False,
    policy: Annotated[Policy, typer.Option(
        parser=params.policy, metavar=params.choices_metavar(POLICIES),
        help="strict: keep the order of every effect; pure: calls are pure (generated code only).")] = "strict",
    expand: Annotated[Expand, typer.Option(
        parser=params.expand, metavar=params.choices_metavar(EXPANSIONS),
        help="single: inline variables read once; all: also copy those read more.")] = "single",
    canonical: Annotated[bool, typer.Option(
        "--canonical",
        help="Write ast.unparse output instead of keeping the layout. This drops every comment of the files "
             "it changes; the summary counts them.")] = False,
    drop_dead: Annotated[bool, typer.Option(
        "--drop-dead", help="Remove assignments whose value is never read.")] = False,
    pure_calls: Annotated[list[str] | None, typer.Option(
        "--pure-calls", parser=params.call_pattern, metavar="PATTERN",
        help="Treat the callables matching PATTERN (dsl.*, pkg.mod.func) as pure: they only compute, and may "
             "fail. Your word, not inference: where inference sees an effect in one, a warning says so. "
             "Repeatable.")] = None,
    infer_calls: Annotated[bool, typer.Option(
        "--infer-calls/--no-infer-calls",
        help="Read the modules each file imports (never running them) to learn what its calls do.")] = True,
    root: Annotated[list[Path] | None, typer.Option(
        "--root", parser=params.path, metavar="DIR",
        help="Where imported modules are looked for, after each file's own directory and before the "
             "interpreter's path (default: the directory of the nearest pyproject.toml). Repeatable.")] = None,
    frame_readers: Annotated[list[str] | None, typer.Option(
        "--frame-readers", parser=params.call_pattern, metavar="PATTERN",
        help="Treat the callables matching PATTERN (pkg.mod.func; *.query for a method) as reading their "
             "callers' local variables by name: every variable alive at such a call stays. Repeatable.")] = None,
    line_length: Annotated[int | None, typer.Option(
        "--line-length", parser=params.line_length, metavar="N",
        help="Keep a variable where its value would make a written line wider than N characters (default: "
             "the line-length of [tool.black] or [tool.ruff] in the nearest pyproject.toml, else no limit; "
             "never in the canonical form).")] = None,
    timeout: Annotated[float | None, typer.Option(
        parser=params.timeout, metavar="SECONDS",
        help="Seconds allowed for analysing and planning each function, and again for rewriting each "
             "top-level statement (libcst's parse of it cannot be interrupted); none, 0 or inf: "
             "no limit.")] = 10.0,
    parallel: Annotated[int, typer.Option(
        parser=params.file_count, metavar="N", help="Files worked on at once (1 or more).")] = 1,
    executor: Annotated[ExecutorKind, typer.Option(
        parser=params.executor, metavar=params.choices_metavar(EXECUTORS),
        help="auto, thread or process workers.")] = "auto",
    scheduler: Annotated[str | None, typer.Option(
        metavar="ADDRESS",
        help="Do the work on the workers of the Dask scheduler at ADDRESS (tcp://host:8786); needs pip "
             "install 'inline-solvers[dask]'. Files are read and written here; an address without host and "
             "port is a usage error (exit 2), and an unreachable scheduler stops the run before any file is "
             "touched (exit 123).")] = None,
    cache_dir: Annotated[Path | None, typer.Option(
        parser=params.path, metavar="DIR",
        help="Where to cache results (default: the user's cache, one directory per version).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Use no cache.")] = False,
    cache_info: Annotated[bool, typer.Option(
        "--cache-info",
        help="Print the cache directory, its size and its number of entries, and exit (takes no PATH).")] = False,
    clear_cache: Annotated[bool, typer.Option(
        "--clear-cache",
        help="Remove the cache directory of this version (or --cache-dir), say what was removed, and exit "
             "(takes no PATH).")] = False,
    telemetry: Annotated[Path | None, typer.Option(
        parser=params.path, metavar="FILE",
        help="Append the run's figures to this file as one JSON line.")] = None,
    include: Annotated[str, typer.Option(
        parser=params.regular_expression, metavar="REGEX",
        help="Regular expression of files to take in directories.")] = DEFAULT_INCLUDE,
    exclude: Annotated[str, typer.Option(
        parser=params.regular_expression, metavar="REGEX",
        help="Regular expression of paths to skip in directories.")] = DEFAULT_EXCLUDE,
    duplicates: Annotated[bool, typer.Option(
        "--duplicates",
        help="Write nothing; print the groups of top-level functions with the same canonical digest.")] = False,
    json: Annotated[bool, typer.Option(
        "--json", help="With --duplicates: one JSON object on standard output.")] = False,
    store: Annotated[Path | None, typer.Option(
        parser=params.path, metavar="DIR",
        help="Also write each distinct top-level function's canonical text to DIR/<md5>.py.")] = None,
    store_name: Annotated[str, typer.Option(
        parser=params.function_name, metavar="NAME",
        help="The name functions take in the canonical form.")] = "solve",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    verbose: Annotated[int, typer.Option(
        "--verbose", "-v", count=True, show_default=False,
        help="Also name each file left unchanged; twice (-vv): as --explain.")] = 0,
    explain: Annotated[bool, typer.Option(
        "--explain",
        help="Also print every variable kept and every function left as it was, with the reason, and what "
             "was inlined where.")] = False,
    version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
) -> None:
    """Inline local variables of generated Python modules, in place.

    Each PATH is a file or a directory (walked for *.py files); - reads standard input
    and writes standard output. Settings may also come from [tool.inline-solvers] in the
    nearest pyproject.toml; flags win.
    """

    def refuse(message: str, name: str) -> typer.BadParameter:
        return typer.BadParameter(message, param_hint=setting_hint(ctx, name) or f"'--{name.replace('_', '-')}'")

    refuse_conflicts(ctx)
    chosen_cache = cache_dir or default_cache_dir()
    if cache_info or clear_cache:
        if paths:
            raise UsageError(f"{'--cache-info' if cache_info else '--clear-cache'} takes no PATH")
        raise typer.Exit(cache_admin.administer(chosen_cache, show=cache_info, clear=clear_cache))
    if not paths:
        raise UsageError("Missing argument 'PATH...'.")
    missing = next((path for path in paths if path != STDIN and nothing_at(path)), None)
    if missing is not None:
        raise typer.BadParameter(f"'{missing}' does not exist", param_hint="'PATH...'")
    if STDIN in paths and (duplicates or store is not None):
        raise refuse("--duplicates and --store read files and directories, not -",
                     "duplicates" if duplicates else "store")
    options = InlineOptions(policy=policy, expand=expand, preserve_format=not canonical,
                            drop_dead=drop_dead, timeout=timeout, pure_calls=tuple(pure_calls or ()),
                            frame_readers=tuple(frame_readers or ()),
                            infer_calls=infer_calls, search_paths=search_paths(ctx, root),
                            line_length=line_length if line_length is not None else project_line_length(ctx))
    settings = RunSettings(
        check=check, diff=diff, quiet=quiet, verbose=verbose > 0, explain=explain or verbose > 1,
        parallel=parallel, executor=executor, telemetry=telemetry, include=include, exclude=exclude,
        duplicates=duplicates, json=json, store=store, store_name=store_name, scheduler=scheduler,
        cache_dir=None if no_cache else chosen_cache,
    )
    try:
        code = inline_paths(paths, options, settings)
    except KeyboardInterrupt as stop:  # outside the run's own handling (see cli.stopping)
        code = exit_status(stop)
    raise typer.Exit(code)


def project_line_length(ctx: typer.Context) -> int | None:
    """The project's own line length: ``line-length`` of ``[tool.black]``, else of
    ``[tool.ruff]``, in the pyproject.toml the settings came from (None: no limit)."""
    config_file = ctx.meta.get(CONFIG_FILE)
    return line_length_of(config_file) if config_file is not None else None


def search_paths(ctx: typer.Context, roots: list[Path] | None) -> tuple[str, ...]:
    """Where imported modules are looked for, after each file's own directory (which the
    run adds): the roots given, else the directory of the project's pyproject.toml."""
    if roots:
        return tuple(os.path.abspath(root) for root in roots)
    config_file = ctx.meta.get(CONFIG_FILE)
    return (os.path.abspath(config_file.parent),) if config_file is not None else ()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line as typer does standalone (usage errors, --help, a closed pipe),
    and return the exit code instead of exiting."""
    try:
        typer.main.get_command(app).main(args=list(sys.argv[1:] if argv is None else argv),
                                         prog_name="inline-solvers", standalone_mode=True)
    except SystemExit as done:
        code: Any = done.code
        return code if isinstance(code, int) else EXIT_OK if code is None else EXIT_ERROR
    return EXIT_OK


def run() -> None:
    """The console script's entry point (and ``python -m inline_solvers_cli``): a process of
    our own, so the collector is tuned for batch work (see :mod:`inliner.collector`)."""
    tune_garbage_collector()
    code = main()
    if code == EXIT_TERMINATED:
        # Cleaned up after SIGTERM: end by the signal, so that whoever sent it sees that.
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    sys.exit(code)
