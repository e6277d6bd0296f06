"""What a run says: one line per file that changes, per problem and, with ``--explain``,
per variable kept and function left alone; and the closing summary. Each fact is counted
once, here (the driver's own figures, such as cache hits, are read from its stats)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import typer

from inliner import FunctionReport, InlineResult

from .files import SourceError


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def say(message: str) -> None:
    """Every message goes to standard error; standard output carries code or diffs only."""
    typer.echo(message, err=True)


_POSITION = re.compile(r"^([\w-]+): line \d+(?:, column \d+)?: ")


def error_line(display: str, error: SourceError) -> str:
    """``path:line:col: error: message``, the position said once (the library's reason for
    a parse error repeats it: ``parse-error: line 3, column 15: ...``)."""
    where = "".join(f":{n}" for n in (error.line, error.column) if n)
    message = str(error)
    if error.line:
        message = _POSITION.sub(r"\1: ", message)
    return f"{display}{where}: error: {message}"


def left_alone_line(display: str, function: FunctionReport) -> str:
    reason = function.reason.value if function.reason else "unknown"
    detail = f": {function.detail}" if function.detail else ""
    return f"{display}:{function.line}: {function.qualname} left as it was: {reason}{detail}"


def explanation(display: str, result: InlineResult) -> list[str]:
    """``--explain``: what happened to each function and each variable it kept."""
    lines = []
    for function in result.functions:
        if function.status == "skipped":
            lines.append(left_alone_line(display, function))
        done = [f"inlined {', '.join(function.inlined)}"] if function.inlined else []
        done += [f"dropped {', '.join(function.dropped)}"] if function.dropped else []
        if done:
            lines.append(f"{display}:{function.line}: {function.qualname}: {'; '.join(done)}")
        lines.extend(f"{display}:{kept.line}: {kept.name} kept: {kept.reason.value}"
                     + (f" ({kept.detail})" if kept.detail else "") for kept in function.kept)
    return lines


@dataclass
class Summary:
    files: int = 0
    changed: int = 0
    errors: int = 0
    functions: int = 0
    inlined: int = 0
    dropped: int = 0
    comments_dropped: int = 0
    copied_calls: int = 0
    """Functions whose canonical form holds more calls than their source (copied values)."""
    fallbacks: Counter[str] = field(default_factory=Counter)
    stored: int = 0
    already_stored: int = 0

    def stored_line(self) -> str:
        return f"{self.stored} stored, {self.already_stored} already in the store"

    def line(self, seconds: float, *, writing: bool, cache_hits: int) -> str:
        verb = "changed" if writing else "would change"
        parts = [plural(self.files, "file"), f"{self.changed} {verb}", plural(self.functions, "function"),
                 f"{plural(self.inlined, 'variable')} inlined"]
        if self.dropped:
            parts.append(f"{self.dropped} dropped")
        if self.comments_dropped:
            parts.append(f"{plural(self.comments_dropped, 'comment')} dropped (--canonical)")
        if self.copied_calls:
            parts.append(f"{plural(self.copied_calls, 'function')} with copied calls "
                         "(the canonical form is for identity, not for running)")
        if self.errors:
            parts.append(f"{self.errors} could not be processed")
        if cache_hits:
            parts.append(f"{plural(cache_hits, 'cache hit')}")
        if self.fallbacks:
            parts.append("fallbacks: " + ", ".join(f"{k} {v}" for k, v in sorted(self.fallbacks.items())))
        if self.stored or self.already_stored:
            parts.append(self.stored_line())
        return ", ".join(parts) + f" ({seconds:.2f} s)"
