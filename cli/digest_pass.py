"""The canonical pass of ``--duplicates`` and ``--store``: every top-level function of
every file, renamed, put in the canonical form by the driver (so through the cache and the
workers of ``--parallel``, like any run) and digested."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from inliner import CanonicalFunction, DigestError, InlineBatch, RenamedFunction, canonical_form, renamed_functions

from .files import SourceError, SourceFile


def canonical_pass(sources: Sequence[SourceFile], name: str, batch: InlineBatch,
                   on_function: Callable[[int, CanonicalFunction], None],
                   on_error: Callable[[str, SourceError], None] | None,
                   file_done: Callable[[], None]) -> None:
    """Call ``on_function(file index, function)`` for each function as it is done, and
    ``file_done()`` once per file. A file that does not parse goes to ``on_error``, or is
    passed over silently when that is ``None`` (a run that inlines reports it already)."""
    functions: list[RenamedFunction] = []
    owners: list[int] = []
    waiting = [0] * len(sources)
    for index, source in enumerate(sources):
        try:
            found = renamed_functions(source.text, name)
        except DigestError as error:
            if on_error is not None:
                on_error(str(source.path), SourceError(str(error), error.line, error.column))
            found = ()
        if not found:
            file_done()
            continue
        waiting[index] = len(found)
        functions.extend(found)
        owners.extend([index] * len(found))
    for item, result in batch.run([f.text for f in functions]):
        owner = owners[item]
        on_function(owner, canonical_form(functions[item], result))
        waiting[owner] -= 1
        if not waiting[owner]:
            file_done()
