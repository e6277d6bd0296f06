"""Usage errors in the tool's own words."""

from __future__ import annotations

import typer


class UsageError(typer.BadParameter):
    """A usage error (exit 2, nothing done) whose message is printed as it is. typer
    exports only ``BadParameter``, which would prefix any message with ``Invalid value``:
    right for one option's value, wrong for two options that do not go together."""

    def format_message(self) -> str:
        return self.message
