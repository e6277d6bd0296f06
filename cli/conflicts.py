"""Options that do not go together: a run refuses them (exit 2, nothing done) rather than
quietly ignore one, and the error names both, each as the user gave it (a flag, or a
setting of ``pyproject.toml``)."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from .config import setting_hint
from .usage import UsageError


@dataclass(frozen=True)
class Conflict:
    """``option`` and ``other`` cannot go together, because ``why``.

    With ``typed_only``, ``other`` counts only when typed on the command line: it is an
    option the ``option``'s kind of run has no use for, and a project's ``pyproject.toml``
    may well set it for the runs that do (``policy = "pure"`` beside ``--duplicates``)."""

    option: str
    other: str
    why: str
    typed_only: bool = False


@dataclass(frozen=True)
class Requirement:
    """``option`` does something only beside one of ``needs``. A setting from
    ``pyproject.toml`` waits for the runs it applies to; a flag is refused."""

    option: str
    needs: tuple[str, ...]


_NO_FILE_CHANGED = "--duplicates changes no file"
_OWN_OPTIONS = "--duplicates digests the canonical form, which has options of its own"

CONFLICTS: tuple[Conflict, ...] = (
    Conflict("duplicates", "check", _NO_FILE_CHANGED),
    Conflict("duplicates", "diff", _NO_FILE_CHANGED),
    Conflict("quiet", "verbose", "one prints less, the other more"),
    Conflict("quiet", "explain", "one prints less, the other more"),
    Conflict("no_cache", "cache_dir", "a run without a cache has no cache directory"),
    Conflict("no_cache", "cache_info", "a run without a cache has no cache to show"),
    Conflict("no_cache", "clear_cache", "a run without a cache has no cache to clear"),
    *(Conflict("duplicates", other, _OWN_OPTIONS, typed_only=True)
      for other in ("policy", "expand", "canonical", "drop_dead")),
    *(Conflict("duplicates", other, "--duplicates prints its groups only", typed_only=True)
      for other in ("verbose", "explain")),
    Conflict("scheduler", "executor", "the scheduler's workers do the work", typed_only=True),
)
"""Every pair refused, in the order they are checked (the README's table lists them)."""

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("json", ("duplicates",)),
    Requirement("store_name", ("duplicates", "store")),
)


def _given(ctx: typer.Context, name: str, *, typed: bool = False) -> bool:
    """Whether ``name`` was set to something (a flag on, a count above 0, a value) by the
    command line, or with ``typed=False`` also by ``pyproject.toml``."""
    source = ctx.get_parameter_source(name)
    if source is None or source.name == "DEFAULT":
        return False
    if typed and source.name != "COMMANDLINE":
        return False
    value = ctx.params.get(name)
    return value is not None and value is not False and value != 0


def describe(ctx: typer.Context, name: str) -> str:
    """An option as the user gave it: ``--check``, or ``'check' in FILE [tool.inline-solvers]``."""
    hint = setting_hint(ctx, name)
    if hint is not None:
        return hint
    for param in ctx.command.params:
        if param.name == name and param.opts:
            return max(param.opts, key=len)
    return f"--{name.replace('_', '-')}"


def refuse_conflicts(ctx: typer.Context) -> None:
    """Raise a usage error for the first pair of options that do not go together."""
    for conflict in CONFLICTS:
        if _given(ctx, conflict.option) and _given(ctx, conflict.other, typed=conflict.typed_only):
            raise UsageError(f"{describe(ctx, conflict.option)} and {describe(ctx, conflict.other)} "
                             f"do not go together: {conflict.why}")
    for requirement in REQUIREMENTS:
        if _given(ctx, requirement.option, typed=True) and not any(_given(ctx, n) for n in requirement.needs):
            needs = " or ".join(describe(ctx, n) for n in requirement.needs)
            raise UsageError(f"{describe(ctx, requirement.option)} goes with {needs}")
