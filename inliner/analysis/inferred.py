"""The bridge from inference (:mod:`inliner.knowledge`) to the analysis: what the module's
calls do, read from the sources it imports, as a :class:`~inliner.analysis.calls.CallTable`
(plain, picklable data that travels with a module's units to any worker)."""

from __future__ import annotations

import ast
from pathlib import Path

from ..effects import Effect
from ..knowledge import CallFacts, Does, KnowledgeSettings, knowledge_for
from .calls import CallTable, KnownCall, called_names, import_origins
from .shared import BUILTIN_NAMES, global_bindings

_STATE = Does.READS_STATE | Does.WRITES_STATE | Does.UNKNOWN


def known_call(facts: CallFacts) -> KnownCall:
    """What the analysis makes of one inferred answer: a call that touches state (or may do
    anything) is an ordering point; one that only computes may fail, or does nothing."""
    does = facts.does
    if does & (_STATE | Does.READS_FRAMES):
        # A call that may do anything is an ordering point, as strict always took it to
        # be; only one known to read frames keeps every variable alive at it.
        reads_frames = does & Does.READS_FRAMES and not does & Does.UNKNOWN
        effect = Effect.CALL | Effect.ESCAPE | (Effect.FRAME_READ if reads_frames else Effect.NONE)
    elif does & Does.FAILS:
        effect = Effect.MAY_RAISE
    else:
        effect = Effect.NONE
    return KnownCall(effect=int(effect), living=bool(does & (Does.LIVING_RESULT | Does.UNKNOWN)),
                     origin=facts.origin, returns_pure_callable=facts.declared)


def inferred_calls(tree: ast.Module, search_paths: tuple[str, ...], pure_calls: tuple[str, ...],
                   path: Path | None = None) -> CallTable:
    """What each name ``tree`` may call does, inferred from the sources found beside
    ``path``, in ``search_paths`` and on the interpreter's path (``pure_calls``: the
    user's declarations, which win where inference knows less)."""
    settings = KnowledgeSettings(roots=tuple(Path(p) for p in search_paths), pure_calls=pure_calls)
    knowledge = knowledge_for(tree, path, settings)
    # In a fragment (source with no import at all), a name bound nowhere is provided by
    # whoever runs it (see :mod:`inliner.analysis.shared`): nothing is known about it.
    provided = _provided_by_runner(tree)
    facts = {}
    for name in sorted(called_names(tree)):
        if name.partition(".")[0] in provided:
            continue
        answer = knowledge.of_call(_callee(name)) if "." in name else knowledge.of_name(name)
        facts[name] = known_call(answer)
    return CallTable(facts=facts, declared=pure_calls, origins=import_origins(tree))


def declaration_warnings(tree: ast.Module, search_paths: tuple[str, ...], pure_calls: tuple[str, ...],
                         path: Path | None = None) -> tuple[str, ...]:
    """Callables the user declares pure in which inference sees an effect, one line each."""
    settings = KnowledgeSettings(roots=tuple(Path(p) for p in search_paths), pure_calls=pure_calls)
    return knowledge_for(tree, path, settings).warnings()


def _provided_by_runner(tree: ast.Module) -> frozenset[str]:
    """The names a fragment leaves to its runner: none in a module that imports anything."""
    if any(isinstance(node, (ast.Import, ast.ImportFrom)) for node in ast.walk(tree)):
        return frozenset()
    bound = global_bindings(tree)
    return frozenset(name for name in called_names(tree) if name not in bound and name not in BUILTIN_NAMES)


def _callee(dotted: str) -> ast.expr:
    head, *rest = dotted.split(".")
    node: ast.expr = ast.Name(head, ast.Load())
    for attr in rest:
        node = ast.Attribute(node, attr, ast.Load())
    return node
