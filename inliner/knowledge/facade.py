"""The public face: what each name a module can call may do, computed once per module.

``knowledge_for`` computes the names the module mentions (see :mod:`.builder`); a
question about any other name it binds is answered by computing
every name once, on first need, so the answers never depend on what was asked first.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path
from types import MappingProxyType

from .builder import Builder, Tables, declared_pattern
from .builtins import BUILTINS, TABLE_VERSION
from .compose import callee_entry, facts_of_result, facts_with_arguments
from .entries import Callee, declared_entry, failing_entry, static_entry, unknown_callee, unknown_entry
from .facts import CallFacts, KnowledgeSettings
from .graph import Static
from .resolve import BUILTIN_NAMES
from .snapshot import CallSnapshot, make_snapshot


class Knowledge:
    """What each function a module can call may do. Its answers never change, and it may
    be shared between threads (completing the tables takes a lock)."""

    __slots__ = ("_tables", "_source", "_complete", "_lock")

    def __init__(
        self, tables: Tables, source: tuple[ast.Module, Path | None, KnowledgeSettings] | None = None
    ) -> None:
        self._tables = tables
        self._source = source
        self._complete: Tables | None = tables if tables.complete or source is None else None
        self._lock = threading.Lock()

    def of_name(self, name: str) -> CallFacts:
        """Facts for calling the module-scope name ``name``."""
        return self.name_entry(name).call.facts

    def of_call(self, func: ast.expr) -> CallFacts:
        """Facts for a call whose callee is ``func`` in the module's own scope (a name, or
        an attribute chain on an imported module); anything else is UNKNOWN. A callee that
        calls one of its parameters is UNKNOWN here: use :meth:`of_call_node`."""
        return callee_entry(self, func).call.facts

    def of_call_node(self, call: ast.Call, local_names: AbstractSet[str]) -> CallFacts:
        """Facts for ``call``, looking at its arguments: a callee that calls a parameter
        gets the facts of the function passed for it (a module-scope name, not one of
        ``local_names``, which are the enclosing function's parameters and locals)."""
        return facts_with_arguments(self, call, local_names)

    def of_result_call(self, building_call: ast.Call, local_names: AbstractSet[str]) -> CallFacts:
        """Facts for calling the value ``building_call`` returns: for ``x5 = rbind(f, x4)``
        then ``x5(x4)``, what calling ``x5`` does is what the lambda ``rbind`` returns does,
        with what ``f`` does. UNKNOWN when the callee's result is not a callable it builds
        in a shape seen through (see :mod:`.returns`)."""
        return facts_of_result(self, building_call, local_names)

    def snapshot(self, names: Iterable[str]) -> CallSnapshot:
        """The entries of ``names`` (module-scope names and dotted chains as spelled in
        the module, e.g. from :func:`~.module_scan.call_spellings` of a function) as plain
        picklable data, for :func:`~.snapshot.facts_of_call` in another process."""
        given = set(names)
        plain = {n for n in given if "." not in n}
        chains = {c: self.chain_entry(c) for c in given - plain}
        bound = {n for n in plain | {c.partition(".")[0] for c in chains} if self.is_name(n)}
        return make_snapshot({n: self.name_entry(n) for n in plain}, chains, bound)

    def token(self) -> str:
        """Stable text for cache keys: the answers for every name the module mentions and
        every chain it calls or passes, and a content hash of every library file read."""
        return self._tables.token

    def warnings(self) -> tuple[str, ...]:
        """Declared-pure callables in which inference sees an effect."""
        return self._tables.warnings

    # -- the Lookup of compose ------------------------------------------------------------

    def name_entry(self, name: str) -> Callee:
        """The entry of the module-scope name ``name`` (builtins and unbound names too)."""
        found = self._tables.names.get(name)
        if found is not None:
            return found
        if name in self._tables.bound:
            return self._completed().names[name]
        return _unbound_entry(self._tables, name)

    def chain_entry(self, spelled: str) -> Callee | None:
        """The entry of ``a.b.c`` when ``a`` is an imported module (None otherwise)."""
        found = self._tables.chains.get(spelled)
        if found is not None or spelled not in self._tables.module_chains:
            return found
        return self._completed().chains[spelled]

    def is_name(self, name: str) -> bool:
        """Whether ``name`` is bound at module scope."""
        return name in self._tables.bound

    def _completed(self) -> Tables:
        """Every name's entry: computed the first time a name the module never calls is
        asked about (never, in the analysis of the module itself)."""
        with self._lock:
            if self._complete is None:
                assert self._source is not None
                tree, path, settings = self._source
                self._complete = Builder(tree, path, settings, eager=True).build()
            return self._complete


def _unbound_entry(tables: Tables, name: str) -> Callee:
    """A name the module does not bind: a builtin, or a NameError."""
    if tables.unresolved is not None:
        return unknown_callee(f"unknown: {name} may come from {tables.unresolved}")
    entry = BUILTINS.get(name)
    if entry is not None:
        result = unknown_entry(f"unknown: calls what {name} returns")
        pattern = declared_pattern(tables.patterns, name)
        if pattern is not None:
            return Callee(declared_entry(pattern), result)
        return Callee(static_entry(Static(entry.does, f"builtin {name} ({entry.why})", name, entry.calls)), result)
    if tables.missing_is_unknown:
        return unknown_callee(f"unknown: nothing is known about {name}")
    if name in BUILTIN_NAMES:
        return unknown_callee(f"unknown: builtin {name} has no entry in the table")
    missing = failing_entry(f"fails: {name} is not bound (NameError)")
    return Callee(missing, missing)  # the building call raises: nothing it returns is called


DEFAULT_SETTINGS = KnowledgeSettings()
"""The settings of a run that gives none (frozen: one instance serves every call)."""


def knowledge_for(
    tree: ast.Module, path: Path | None, settings: KnowledgeSettings = DEFAULT_SETTINGS
) -> Knowledge:
    """What the module at ``path`` (None: source without a file) can call. Reads sources
    beside it, in ``settings.roots`` and (if allowed) on ``sys.path``; imports nothing."""
    return Knowledge(Builder(tree, path, settings, eager=False).build(), (tree, path, settings))


def _knowledge_of_every_name(
    tree: ast.Module, path: Path | None, settings: KnowledgeSettings = DEFAULT_SETTINGS
) -> Knowledge:
    """``knowledge_for`` computing every name up front (for tests comparing the two)."""
    return Knowledge(Builder(tree, path, settings, eager=True).build(), (tree, path, settings))


NO_KNOWLEDGE: Knowledge = Knowledge(
    Tables(
        names=MappingProxyType({}),
        chains=MappingProxyType({}),
        bound=frozenset(),
        module_chains=frozenset(),
        unresolved=None,
        token=f"knowledge table={TABLE_VERSION} none\n",
        warnings=(),
        patterns=(),
        complete=True,
        missing_is_unknown=True,
    )
)
"""Nothing resolvable except the builtin table: any other name is UNKNOWN."""
