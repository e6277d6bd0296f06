"""The one rule for a call with its arguments looked at: what the callee does itself, plus
what each function passed for a parameter it calls does. The same rule answers a call of
what a call returns (``rbind(f, x)(y)``): the result's own facts, plus what the functions
passed to the building call do, for the parameters the result calls.

Both :class:`~.facade.Knowledge` and :class:`~.snapshot.CallSnapshot` answer through
here; they differ only in where the entries of the names come from (a :class:`Lookup`).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Protocol

from .entries import Callee, CallEntry, unknown_callee
from .facts import ANYTHING, CallFacts, Does, headline, widen
from .module_scan import dotted
from .summary import READ_ONLY_METHODS


class Lookup(Protocol):
    """Where the entries of module-scope names and chains come from."""

    def name_entry(self, name: str) -> Callee:
        """The entry of the module-scope name ``name`` (builtins and unbound names too)."""
        ...

    def chain_entry(self, spelled: str) -> Callee | None:
        """The entry of the dotted chain ``spelled`` when its head is an imported module
        (None when it is not such a chain)."""
        ...

    def is_name(self, name: str) -> bool:
        """Whether ``name`` is bound at module scope (for the words of an origin line)."""
        ...


def callee_entry(lookup: Lookup, func: ast.expr) -> Callee:
    """The entry of a callee expression in the module's own scope: a name, or an
    attribute chain on an imported module; anything else is UNKNOWN."""
    if isinstance(func, ast.Name):
        return lookup.name_entry(func.id)
    spelled = dotted(func)
    if spelled is not None:
        entry = lookup.chain_entry(spelled)
        if entry is not None:
            return entry
        if lookup.is_name(spelled.partition(".")[0]):
            return unknown_callee(f"unknown: {spelled} is not a function of an imported module")
    return unknown_callee("unknown: the callee is not a module-scope name or module attribute")


LocalFacts = Mapping[str, CallFacts]
"""What calling some of the enclosing function's locals does (each bound once to a function
a known call built), as the caller of these functions knows it."""


def facts_with_arguments(lookup: Lookup, call: ast.Call, local_names: AbstractSet[str],
                         local_facts: LocalFacts | None = None) -> CallFacts:
    """Facts for ``call``, looking at its arguments: a callee that calls a parameter gets
    the facts of the function passed for it (a module-scope name, or one of ``local_facts``;
    any other of ``local_names``, the enclosing function's parameters and locals, is
    unknown)."""
    if isinstance(call.func, ast.Name) and call.func.id in local_names:
        known = (local_facts or {}).get(call.func.id)
        return known if known is not None else CallFacts(ANYTHING, f"unknown: calls local {call.func.id}")
    return compose(lookup, callee_entry(lookup, call.func).call, call, local_names, local_facts)


def facts_of_result(lookup: Lookup, building_call: ast.Call, local_names: AbstractSet[str],
                    local_facts: LocalFacts | None = None) -> CallFacts:
    """Facts for calling the value ``building_call`` returns (``x5(x4)`` after ``x5 =
    rbind(equality, x4)``), its arguments looked at as for :func:`facts_with_arguments`."""
    if isinstance(building_call.func, ast.Name) and building_call.func.id in local_names:
        return CallFacts(ANYTHING, f"unknown: calls what local {building_call.func.id} returns")
    return compose(lookup, callee_entry(lookup, building_call.func).result, building_call, local_names, local_facts)


def compose(lookup: Lookup, entry: CallEntry, call: ast.Call, local_names: AbstractSet[str],
            local_facts: LocalFacts | None = None) -> CallFacts:
    """``entry``'s own facts joined with those of the arguments ``call`` passes for the
    parameters it calls."""
    if not entry.called:
        return entry.facts
    parts = [entry.own]
    for parameter in entry.called:
        parts.append(_argument(lookup, call, entry, parameter, local_names, local_facts))
    does = Does.NOTHING
    for part in parts:
        does |= part.does
    does = widen(does)
    top = headline(does)
    if top in (Does.NOTHING, Does.FAILS):
        origin = entry.own.origin + ", with the functions passed to it"
    else:
        origin = next(p.origin for p in parts if headline(p.does) == top)
    return CallFacts(does, origin, declared=entry.facts.declared and does == entry.facts.does)


def _argument(
    lookup: Lookup, call: ast.Call, entry: CallEntry, parameter: int | str, local_names: AbstractSet[str],
    local_facts: LocalFacts | None,
) -> CallFacts:
    """What calling the argument ``call`` passes for ``parameter`` does."""
    spread = any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords)
    expr: ast.expr | None = None
    if isinstance(parameter, str):
        expr = next((k.value for k in call.keywords if k.arg == parameter), None)
        if expr is None and not spread:
            return CallFacts(Does.NOTHING, "not passed")
    else:
        if parameter < len(call.args) and parameter < entry.positional_count and not spread:
            expr = call.args[parameter]
        elif parameter < len(entry.params):
            expr = next((k.value for k in call.keywords if k.arg == entry.params[parameter]), None)
        if expr is None and not spread:
            default = dict(entry.defaults).get(parameter)
            return default if default is not None else CallFacts(Does.FAILS, "fails: an argument it calls is missing")
    if expr is None or spread:
        return CallFacts(ANYTHING, "unknown: arguments passed with * or **")
    if isinstance(expr, ast.Name) and expr.id in local_names:
        known = (local_facts or {}).get(expr.id)
        return known if known is not None else CallFacts(
            ANYTHING, f"unknown: passes local {expr.id} to a callee that calls it")
    if isinstance(expr, ast.Constant):
        return CallFacts(Does.NOTHING if expr.value is None else Does.FAILS, "a constant")
    if isinstance(expr, ast.Attribute) and expr.attr in READ_ONLY_METHODS:
        spelled = dotted(expr)
        if spelled is None or lookup.chain_entry(spelled) is None:
            return CallFacts(Does.FAILS, f".{expr.attr} (taken to only read)")
    if isinstance(expr, (ast.Name, ast.Attribute)):
        passed = callee_entry(lookup, expr).call
        if passed.called:
            return CallFacts(ANYTHING, f"unknown: passes {dotted(expr)}, which calls its own arguments")
        return passed.facts
    return CallFacts(ANYTHING, "unknown: passes a value that is not a known function to a callee that calls it")
