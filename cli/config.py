"""``[tool.inline-solvers]`` in the nearest ``pyproject.toml``, found upward from the paths
(as black does). Command-line flags win over it."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Option name → the type its value must have in the file.
SETTINGS: dict[str, type | tuple[type, ...]] = {
    "parallel": int, "executor": str, "check": bool, "diff": bool, "policy": str,
    "expand": str, "canonical": bool, "drop_dead": bool, "cache_dir": str, "no_cache": bool,
    "timeout": (int, float), "telemetry": str, "include": str, "exclude": str,
    "quiet": bool, "verbose": bool, "duplicates": bool, "json": bool, "store": str,
    "store_name": str,
}
PATH_SETTINGS = frozenset({"cache_dir", "telemetry", "store"})


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names it."""


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


def load_config(path: Path) -> dict[str, Any]:
    """The tool's settings from ``path``, checked; relative paths resolved against it."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    section = data.get("tool", {}).get("inline-solvers", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.inline-solvers] must be a table")
    settings: dict[str, Any] = {}
    for raw_key, value in section.items():
        key = raw_key.replace("-", "_")
        expected = SETTINGS.get(key)
        if expected is None:
            raise ConfigError(f"{path}: [tool.inline-solvers] has an unknown setting {raw_key!r}")
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(f"{path}: [tool.inline-solvers] {raw_key} has the wrong type: {value!r}")
        if key in PATH_SETTINGS:
            value = str(path.parent / value)
        settings[key] = value
    return settings
