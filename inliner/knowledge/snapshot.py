"""The facts of a chosen set of names as plain data: what worker processes need to answer
calls in a part of a module without the :class:`~.facade.Knowledge` object.

A :class:`CallSnapshot` is frozen, hashable and picklable; :func:`facts_of_call` and
:func:`facts_of_result_call` answer through the same composition rule as ``Knowledge``
(:mod:`.compose`), so for the names it holds the answers are the same, in any process.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from .compose import LocalFacts, facts_of_result, facts_with_arguments
from .entries import Callee, entry_text, unknown_callee
from .facts import CallFacts


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """The entries of some names and dotted chains of one module, as spelled there.

    Build it with :meth:`Knowledge.snapshot <.facade.Knowledge.snapshot>` from the
    spellings of the code to be asked about (:func:`~.module_scan.call_spellings`). A name
    or chain it does not hold is UNKNOWN."""

    names: tuple[tuple[str, Callee], ...]
    chains: tuple[tuple[str, Callee | None], ...]
    """Dotted spellings; None for one whose head is not an imported module."""
    bound: frozenset[str]
    """The names (and heads of chains) bound at module scope, for origin lines."""
    token: str
    """A digest of everything above: equal snapshots have equal tokens, in any process."""
    _names: dict[str, Callee] = field(compare=False, hash=False, repr=False)
    _chains: dict[str, Callee | None] = field(compare=False, hash=False, repr=False)

    def name_entry(self, name: str) -> Callee:
        """The entry of ``name`` (UNKNOWN when the snapshot does not hold it)."""
        found = self._names.get(name)
        return found if found is not None else unknown_callee(f"unknown: {name} is not in the snapshot")

    def chain_entry(self, spelled: str) -> Callee | None:
        """The entry of ``a.b.c`` when ``a`` is an imported module, None when it is not
        (UNKNOWN when the snapshot does not hold the chain)."""
        if spelled in self._chains:
            return self._chains[spelled]
        return unknown_callee(f"unknown: {spelled} is not in the snapshot")

    def is_name(self, name: str) -> bool:
        """Whether ``name`` is bound at module scope."""
        return name in self.bound


def make_snapshot(names: Mapping[str, Callee], chains: Mapping[str, Callee | None],
                  bound: AbstractSet[str]) -> CallSnapshot:
    """A snapshot of these entries, with its token."""
    name_items = tuple(sorted(names.items()))
    chain_items = tuple(sorted(chains.items()))
    lines = [f"name {n} {entry_text(e)}" for n, e in name_items]
    lines += [f"chain {c} {entry_text(e) if e is not None else 'None'}" for c, e in chain_items]
    lines.append(f"bound {sorted(bound)!r}")
    token = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return CallSnapshot(name_items, chain_items, frozenset(bound), token, dict(name_items), dict(chain_items))


def facts_of_call(snapshot: CallSnapshot, call: ast.Call, local_names: AbstractSet[str],
                  local_facts: LocalFacts | None = None) -> CallFacts:
    """What :meth:`Knowledge.of_call_node <.facade.Knowledge.of_call_node>` gives for
    ``call``, from the snapshot alone (``local_facts``: what calling some locals does)."""
    return facts_with_arguments(snapshot, call, local_names, local_facts)


def facts_of_result_call(snapshot: CallSnapshot, building_call: ast.Call, local_names: AbstractSet[str],
                         local_facts: LocalFacts | None = None) -> CallFacts:
    """What :meth:`Knowledge.of_result_call <.facade.Knowledge.of_result_call>` gives for
    ``building_call``, from the snapshot alone."""
    return facts_of_result(snapshot, building_call, local_names, local_facts)
