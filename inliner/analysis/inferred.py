"""The bridge from inference (:mod:`inliner.knowledge`) to the analysis: what the module's
calls do, read from the sources it imports, as a :class:`~inliner.analysis.calls.CallTable`
(plain, picklable data that travels with a module's units to any worker)."""

from __future__ import annotations

import ast
from pathlib import Path

from ..knowledge import KnowledgeSettings, call_spellings, knowledge_for
from .calls import CallTable, called_names, import_origins
from .visibility import BUILTIN_NAMES, global_bindings


def inferred_calls(tree: ast.Module, search_paths: tuple[str, ...], pure_calls: tuple[str, ...],
                   path: Path | None = None, frame_readers: tuple[str, ...] = ()) -> CallTable:
    """What the calls of ``tree`` do, inferred from the sources found beside ``path``, in
    ``search_paths`` and on the interpreter's path (``pure_calls``: the user's
    declarations, which win)."""
    knowledge = knowledge_for(tree, path, _settings(search_paths, pure_calls))
    return CallTable(declared=pure_calls, origins=import_origins(tree),
                     snapshot=knowledge.snapshot(call_spellings(tree)), provided=_provided_by_runner(tree),
                     frame_readers=frame_readers)


def declaration_warnings(tree: ast.Module, search_paths: tuple[str, ...], pure_calls: tuple[str, ...],
                         path: Path | None = None) -> tuple[str, ...]:
    """Callables the user declares pure in which inference sees an effect, one line each."""
    return knowledge_for(tree, path, _settings(search_paths, pure_calls)).warnings()


def _settings(search_paths: tuple[str, ...], pure_calls: tuple[str, ...]) -> KnowledgeSettings:
    return KnowledgeSettings(roots=tuple(Path(p) for p in search_paths), pure_calls=pure_calls)


def _provided_by_runner(tree: ast.Module) -> frozenset[str]:
    """In a fragment (source with no import at all), the names bound nowhere: whoever runs
    it provides them (see :mod:`inliner.analysis.visibility`), so nothing is known of them. A
    module that imports anything provides none."""
    if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree)):
        return frozenset()
    bound = global_bindings(tree)
    return frozenset(name for name in called_names(tree) if name not in bound and name not in BUILTIN_NAMES)
