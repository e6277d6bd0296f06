"""``[tool.inline-solvers]`` in the nearest ``pyproject.toml``, found upward from the paths
(as black does). Its settings become the context's ``default_map``, so they go through the
same parsers, choices and bounds as flags, and flags on the command line win."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import typer
from typer._click import Context as ClickContext  # typer.Context's base: what a command's own methods get

CONFIG_FILE = "inline_solvers.config_file"
"""Where the context's ``meta`` keeps the file the settings came from (for errors)."""

NOT_SETTINGS = frozenset({"paths", "version", "help", "cache_info", "clear_cache"})
"""Options that are actions, not settings: a file cannot ask for them."""
PATH_SETTINGS = frozenset({"cache_dir", "telemetry", "store", "root"})


def find_project_config(paths: Sequence[Path]) -> Path | None:
    """The ``pyproject.toml`` nearest above the paths' common directory, if any."""
    resolved = [Path(os.path.abspath(p)) for p in paths if str(p) != "-"] or [Path.cwd()]
    common = Path(os.path.commonpath([p if p.is_dir() else p.parent for p in resolved]))
    for directory in (common, *common.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists() or (directory / ".hg").exists():
            return None
    return None


def _kind_error(param: object, value: object) -> str | None:
    """Why ``value`` is of the wrong kind for the option ``param`` (TOML has kinds a flag
    lacks), or None. Values of the right kind go on to the option's parser, as a flag's
    value would. (``count``, ``is_flag`` and ``multiple`` are attributes of an option; an
    argument has none of them.)"""
    if getattr(param, "count", False):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return None
        return "must be a whole number, 0 or more"
    if getattr(param, "is_flag", False):
        return None if isinstance(value, bool) else "must be true or false"
    if getattr(param, "multiple", False):
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return None
        return "must be a list of strings"
    if isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return None
    return "must be a string or a number"


def load_config(path: Path, params: Mapping[str, object]) -> dict[str, object]:
    """The tool's settings from ``path`` by option name (dashes or underscores), relative
    paths resolved against the file. Names and kinds are checked here (a flag takes true or
    false); values are the parsers'."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise typer.BadParameter(f"cannot be read: {error}", param_hint=str(path)) from None
    section = data.get("tool", {}).get("inline-solvers", {})
    if not isinstance(section, dict):
        raise typer.BadParameter("[tool.inline-solvers] must be a table", param_hint=str(path))
    settings: dict[str, object] = {}
    for raw_key, value in section.items():
        key = raw_key.replace("-", "_")
        if key not in params:
            raise typer.BadParameter(f"[tool.inline-solvers] has an unknown setting {raw_key!r}",
                                     param_hint=str(path))
        wrong_kind = _kind_error(params[key], value)
        if wrong_kind is not None:
            raise typer.BadParameter(f"{value!r}: {wrong_kind}",
                                     param_hint=f"'{raw_key}' in {path} [tool.inline-solvers]")
        if key in PATH_SETTINGS and isinstance(value, str):
            value = str(path.parent / value)
        elif key in PATH_SETTINGS and isinstance(value, list):
            value = [str(path.parent / item) for item in value]
        settings[key] = value
    return settings


def line_length_of(path: Path) -> int | None:
    """``line-length`` of ``[tool.black]``, else of ``[tool.ruff]``, in ``path`` (None
    when neither sets a positive whole number, or the file cannot be read)."""
    try:
        with open(path, "rb") as handle:
            tools = tomllib.load(handle).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    for tool in ("black", "ruff"):
        table = tools.get(tool) if isinstance(tools, dict) else None
        value = table.get("line-length") if isinstance(table, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return None


def read_configuration(ctx: typer.Context, paths: list[Path]) -> list[Path]:
    """The paths argument's eager callback: the settings of the project the paths are in
    (with no path, the working directory's project) become defaults for every option
    processed after it."""
    if ctx.resilient_parsing:
        return paths
    config_file = find_project_config(paths or [])
    if config_file is not None:
        settings = {p.name: p for p in ctx.command.params if p.name and p.name not in NOT_SETTINGS}
        ctx.default_map = {**(ctx.default_map or {}), **load_config(config_file, settings)}
        ctx.meta[CONFIG_FILE] = config_file
    return paths


def setting_hint(ctx: ClickContext, name: str) -> str | None:
    """How to name an option whose value came from the file: the setting and the file."""
    config_file = ctx.meta.get(CONFIG_FILE)
    source = ctx.get_parameter_source(name)
    if config_file is None or source is None or source.name != "DEFAULT_MAP":
        return None
    return f"'{name.replace('_', '-')}' in {config_file} [tool.inline-solvers]"
